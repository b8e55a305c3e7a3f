/**
 * The package as users get it: `npm pack`, installed into a fresh project, then `require('pylint-torch')` gives the
 * documented API (with its type declarations) and the `pylint-torch` binary runs. Installs from the npm cache that
 * `npm ci` filled (`--prefer-offline`), install scripts included (the package's own does nothing outside a source checkout).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDist } from './helpers/build';

const root = path.join(__dirname, '..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test("require('pylint-torch') from an installed tarball gives the API, its types and the binary", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-pack-'));
  try {
    buildDist();
    const tarball = npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', work], root).trim().split('\n').pop()!;
    const project = path.join(work, 'user');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', path.join(work, tarball)], project);
    const script = [
      "const api = require('pylint-torch');",
      'api.lintText(\'import torch\\nsd = torch.load("a.pt")\\n\').then((r) => {',
      '  console.log(JSON.stringify({ keys: Object.keys(api).sort(), rules: api.rules.length, first: r.messages[0].ruleId }));',
      '});',
    ].join('\n');
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }));
    expect(out).toEqual({
      keys: ['CHECKPOINT_PATTERNS', 'ConfigError', 'RuleTester', 'VERSION', 'createRule', 'formatters', 'inspectCheckpoints', 'lintFiles', 'lintText', 'rules'],
      rules: 10,
      first: 'torch-load-missing-weights-only',
    });
    expect(fs.existsSync(path.join(project, 'node_modules', 'pylint-torch', 'dist', 'src', 'index.d.ts'))).toBe(true);
    const bin = path.join(project, 'node_modules', '.bin', 'pylint-torch');
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' });
    expect(version.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);

    // what a user installs: no TypeScript, no native grammar build (the grammar is wasm/), the license
    const installed = fs.readdirSync(path.join(project, 'node_modules'));
    expect(installed.filter((name) => ['typescript', 'tree-sitter-python', 'ts-jest', 'jest'].includes(name))).toEqual([]);
    expect(fs.readdirSync(path.join(project, 'node_modules', 'pylint-torch')).sort()).toEqual([
      'LICENSE',
      'README.md',
      'bin',
      'dist',
      'docs',
      'package.json',
      'schema',
      'scripts',
      'wasm',
    ]);
    // the config schema ships: editors read it, and the installed loader validates configs with it
    expect(fs.readdirSync(path.join(project, 'node_modules', 'pylint-torch', 'schema'))).toEqual(['pylintrc-ts.schema.json']);

    // a global install (npm install -g, here under its own prefix) runs with no build step
    const prefix = path.join(work, 'global');
    npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--silent', path.join(work, tarball)], work);
    fs.writeFileSync(path.join(project, 'load.py'), 'import torch\nm = torch.load("m.pt")\n');
    let global: { status: number; stdout: string };
    try {
      global = { status: 0, stdout: execFileSync(path.join(prefix, 'bin', 'pylint-torch'), ['-f', 'json', 'load.py'], { cwd: project, encoding: 'utf8' }) };
    } catch (error) {
      global = error as { status: number; stdout: string };
    }
    expect([global.status, JSON.parse(global.stdout)[0].messages.map((m: { ruleId: string }) => m.ruleId)]).toEqual([1, ['torch-load-missing-weights-only']]);
    fs.rmSync(path.join(project, 'load.py'));

    // a plugin made with createRule (test/fixtures/plugin-sample) is configured, run, fixed and described in SARIF
    fs.cpSync(path.join(root, 'test', 'fixtures', 'plugin-sample'), path.join(project, 'plugin-sample'), { recursive: true });
    fs.writeFileSync(path.join(project, '.pylintrc-ts.json'), JSON.stringify({ plugins: ['./plugin-sample'], rules: { 'sample/no-breakpoint': 'error' } }));
    fs.writeFileSync(path.join(project, 'debug.py'), 'x = 1\nbreakpoint()\n');
    const run = (args: string[]) => {
      try {
        return { code: 0, out: execFileSync(bin, args, { cwd: project, encoding: 'utf8' }) };
      } catch (error) {
        return { code: (error as { status: number }).status, out: (error as { stdout: string }).stdout };
      }
    };
    const json = run(['-f', 'json', 'debug.py']);
    expect([
      json.code,
      JSON.parse(json.out)[0].messages.map((m: { ruleId: string; line: number; severity: number }) => [m.ruleId, m.line, m.severity]),
    ]).toEqual([1, [['sample/no-breakpoint', 2, 2]]]);
    const sarif = JSON.parse(run(['-f', 'sarif', 'debug.py']).out);
    const described = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'sample/no-breakpoint');
    expect(described?.helpUri).toBe('https://example.com/rules/no-breakpoint');
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['sample/no-breakpoint']);
    expect(run(['--fix', '--unsafe-fixes', 'debug.py']).code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'debug.py'), 'utf8')).toBe('x = 1\nNone\n');
    // suppressed like a built-in rule
    fs.writeFileSync(path.join(project, 'debug.py'), 'breakpoint()  # pylint-torch: disable=sample/no-breakpoint\n');
    expect(run(['debug.py']).code).toBe(0);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 240_000);

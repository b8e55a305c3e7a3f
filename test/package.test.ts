/**
 * The package as users get it: `npm pack`, installed into a fresh project, then `require('pylint-torch')` gives the
 * documented API (with its type declarations) and the `pylint-torch` binary runs. Installs from the npm cache that
 * `npm ci` filled (`--prefer-offline`); scripts are not run (the grammar comes as wasm inside the package).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDist } from './helpers/build';

const root = path.join(__dirname, '..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test(
  "require('pylint-torch') from an installed tarball gives the API, its types and the binary",
  () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-pack-'));
    try {
      buildDist();
      const tarball = npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', work], root).trim().split('\n').pop()!;
      const project = path.join(work, 'user');
      fs.mkdirSync(project);
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
      npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--silent', path.join(work, tarball)], project);
      const script = [
        "const api = require('pylint-torch');",
        "api.lintText('import torch\\nsd = torch.load(\"a.pt\")\\n').then((r) => {",
        '  console.log(JSON.stringify({ keys: Object.keys(api).sort(), rules: api.rules.length, first: r.messages[0].ruleId }));',
        '});',
      ].join('\n');
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }));
      expect(out).toEqual({
        keys: ['CHECKPOINT_PATTERNS', 'ConfigError', 'VERSION', 'createRule', 'formatters', 'inspectCheckpoints', 'lintFiles', 'lintText', 'rules'],
        rules: 9,
        first: 'torch-load-missing-weights-only',
      });
      expect(fs.existsSync(path.join(project, 'node_modules', 'pylint-torch', 'dist', 'src', 'index.d.ts'))).toBe(true);
      const version = execFileSync(path.join(project, 'node_modules', '.bin', 'pylint-torch'), ['--version'], { encoding: 'utf8' });
      expect(version.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
  240_000,
);

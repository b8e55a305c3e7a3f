import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintFiles, openRun } from '../src/run/lint-files';
import type { LintFilesOptions, LintFilesReport } from '../src';
import { buildDist } from './helpers/build';
import { cli, tempRepo } from './helpers/cli';

// --jobs runs worker threads from the built dist/ (ts-jest runs the TypeScript sources, which have no worker script):
// these tests run the built CLI and the built API
const root = path.join(__dirname, '..');
const BIN = path.join(root, 'bin', 'pylint-torch.js');
const DIST = path.join(root, 'dist', 'src', 'index.js');
beforeAll(() => buildDist(), 120_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pylintTorch(cwd: string, args: readonly string[], input?: string): Run {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A plugin rule (`local/no-breakpoint`) that reports `breakpoint()` with an unsafe fix, in a worker as in the CLI. */
const PLUGIN = `'use strict';
const { createRule } = require(${JSON.stringify(DIST)});
const noBreakpoint = createRule({
  meta: {
    id: 'local/no-breakpoint',
    type: 'problem',
    docs: { description: 'No breakpoint() calls.' },
    fixable: 'code',
    messages: { found: 'breakpoint() left in the code' },
    schema: false,
    defaultSeverity: 'error',
  },
  defaultOptions: {},
  create(context) {
    return {
      call(node) {
        const callee = node.childForFieldName('function');
        if (callee && callee.text === 'breakpoint')
          context.report({ node, messageId: 'found', fix: [{ range: [node.startIndex, node.endIndex], text: 'None' }], fixSafety: 'unsafe' });
      },
    };
  },
});
module.exports = { rules: [noBreakpoint] };
`;

/**
 * A fresh copy of the repository's test corpora (test/fixtures: checkpoints, notebooks; examples/) and three files
 * of its own, with a config whose plugin rule reports in one of them (no config with `plugin` false).
 */
function corpora(plugin = true): string {
  const dir = tempRepo({
    ...(plugin && {
      'plugin.js': PLUGIN,
      '.pylintrc-ts.json': JSON.stringify({ plugins: ['./plugin.js'], rules: { 'local/no-breakpoint': 'error' } }),
    }),
    'debug/session.py': 'import torch\n\nbreakpoint()\nstate = torch.load("weights.pt")\n',
    // a raw pickle is reported only when a torch load of the linted files names it (a worker records that)
    'debug/peek.py': 'import torch\n\nobj = torch.load("../fixtures/checkpoints/plain_pickle.pkl")\n',
    // nothing any built-in rule reports in: the prefilter skips it (when no plugin rule runs)
    'plain/paths.py': 'import os\n\nprint(os.sep)\n',
  });
  fs.cpSync(path.join(root, 'test', 'fixtures'), path.join(dir, 'fixtures'), { recursive: true });
  fs.cpSync(path.join(root, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

describe('--jobs: the same report with 1 or 2 workers', () => {
  test('json (with the rules from notebooks, checkpoints and a plugin), sarif, --fix-dry-run, --diff, stylish', () => {
    const dir = corpora();
    const json = pylintTorch(dir, ['-f', 'json', '--jobs', '1']);
    const results = JSON.parse(json.stdout) as { filePath: string; messages: { ruleId: string | null }[] }[];
    const rulesIn = (suffix: string) => new Set(results.filter((r) => r.filePath.endsWith(suffix)).flatMap((r) => r.messages.map((m) => m.ruleId)));
    // the comparison below covers every kind of file
    expect(rulesIn('.ipynb').has('torch-load-missing-weights-only')).toBe(true);
    expect(rulesIn('malicious_os_system.pt').has('checkpoint-unsafe-globals')).toBe(true);
    expect(rulesIn('session.py')).toEqual(new Set(['local/no-breakpoint', 'torch-load-missing-weights-only']));
    expect(json.code).toBe(1);
    expect(pylintTorch(dir, ['-f', 'json', '--jobs', '2'])).toEqual(json);
    for (const args of [
      ['-f', 'sarif', '--sarif-fixes'],
      ['-f', 'json', '--fix-dry-run', '--unsafe-fixes'],
      ['--diff'],
      ['--show-fixes', '--fix-dry-run', '--statistics'],
      ['-f', 'json', '--no-prefilter', '--check-syntax'],
    ]) {
      const one = pylintTorch(dir, [...args, '--jobs', '1']);
      expect(one.stdout.length).toBeGreaterThan(100);
      expect(pylintTorch(dir, [...args, '--jobs', '2'])).toEqual(one);
    }
  }, 120_000);

  test('--fix writes the same files and reports the same', () => {
    const [one, two] = [corpora(), corpora()];
    const fixOne = pylintTorch(one, ['-f', 'json', '--fix', '--unsafe-fixes', '--jobs', '1']);
    const fixTwo = pylintTorch(two, ['-f', 'json', '--fix', '--unsafe-fixes', '--jobs', '2']);
    expect(fixTwo.stdout.split(two).join('<dir>')).toEqual(fixOne.stdout.split(one).join('<dir>'));
    expect({ code: fixTwo.code, stderr: fixTwo.stderr }).toEqual({ code: fixOne.code, stderr: fixOne.stderr });
    const files = (dir: string) =>
      Object.fromEntries(
        (fs.readdirSync(dir, { recursive: true }) as string[])
          .filter((f) => fs.statSync(path.join(dir, f)).isFile())
          .sort()
          .map((f) => [f, fs.readFileSync(path.join(dir, f), 'latin1')]),
      );
    const written = files(one);
    expect(written['debug/session.py']).toBe('import torch\n\nNone\nstate = torch.load("weights.pt")\n');
    expect(files(two)).toEqual(written);
  }, 120_000);

  test('the API merges progress, sources, skipped files and torch loads of checkpoints', async () => {
    const dir = corpora(false);
    // the built API, which has the worker script (this file's imports are the TypeScript sources, which do not)
    const { lintFiles } = require(DIST) as {
      lintFiles: (paths: string[], options: LintFilesOptions) => Promise<LintFilesReport>;
    };
    const lint = async (jobs: number) => {
      const progress: [number, number, string][] = [];
      const report = await lintFiles(['.'], {
        cwd: dir,
        jobs,
        fixDryRun: true,
        onProgress: (done, total, file) => progress.push([done, total, file]),
      });
      return { report, progress };
    };
    const one = await lint(1);
    const two = await lint(2);
    const { rules: _rules1, sources: sources1, ...rest1 } = one.report;
    const { rules: _rules2, sources: sources2, ...rest2 } = two.report;
    expect(rest2).toEqual(rest1);
    expect(new Map([...sources2].sort())).toEqual(new Map([...sources1].sort()));
    expect(rest1.skippedFiles).toBeGreaterThan(0);
    // a torch load in debug/peek.py names this raw pickle: it is reported in both
    expect(rest2.results.find((r) => r.filePath.endsWith('plain_pickle.pkl'))!.messages.map((m) => m.messageId)).toEqual(['needsAllowlist']);
    // each file once, counted up to the total, in any order
    const total = one.report.results.length;
    expect(two.progress.map(([done]) => done)).toEqual([...Array(total).keys()].map((i) => i + 1));
    expect(new Set(two.progress.map(([, all]) => all))).toEqual(new Set([total]));
    expect(two.progress.map(([, , file]) => file).sort()).toEqual(one.progress.map(([, , file]) => file).sort());
  }, 120_000);

  test('--cache: the same cache file with 1 or 2 workers, and a warm run with workers reuses it', () => {
    // files governed by a config with plugins are never cached: none here
    const dir = corpora(false);
    const plain = pylintTorch(dir, ['-f', 'json', '--jobs', '1']);
    const cold = (jobs: string) => pylintTorch(dir, ['-f', 'json', '--cache', '--cache-location', `c${jobs}`, '--jobs', jobs]);
    expect(cold('1')).toEqual(plain);
    expect(cold('2')).toEqual(plain);
    // the results byte for byte; the text facts (src/run/evidence.ts) are those of the files, but which are stored
    // depends on the clock (a file changed less than 3 s before a run is read again next time), and the stored walk
    // names the cache file: their files only
    const results = (file: string) => {
      const { evidence, ...rest } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      return JSON.stringify([rest, evidence.walk.files]);
    };
    const written = results('c1');
    expect(written.length).toBeGreaterThan(1000);
    expect(results('c2')).toBe(written);
    expect(cold('2')).toEqual(plain);
    expect(results('c2')).toBe(written);
  }, 120_000);

  test("a run over named files with --cache gives workers the folder's evidence, stored save sites too", () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'w.pt': fs.readFileSync(path.join(root, 'test', 'fixtures', 'checkpoints', 'state_dict.pt')),
      'a.py': 'import torch\nsd = torch.load("w.pt")\n',
      'c.py': 'import torch\nstate = torch.load("w.pt")\n',
      'b.py': 'import torch\n\n\ndef keep(net):\n    torch.save(net.state_dict(), "w.pt")\n',
    });
    // files that changed less than 3 s before a run have their text facts read again next time: wait them out, so
    // that b.py's save site comes from the cache (src/run/evidence.ts)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3500);
    pylintTorch(dir, ['--cache', '--jobs', '1', '.']);
    // both named files change (each is linted, one per worker)
    for (const file of ['a.py', 'c.py']) fs.appendFileSync(path.join(dir, file), '# changed\n');
    const reference = JSON.parse(pylintTorch(dir, ['-f', 'json', '--unsafe-fixes', '--jobs', '1', '.']).stdout);
    const named = pylintTorch(dir, ['-f', 'json', '--unsafe-fixes', '--cache', '--jobs', '2', '--statistics', 'a.py', 'c.py']);
    expect(named.stderr).toContain('cache: 2 files linted, 0 from .pylinttorchcache; text facts of 2 other files of the working folder, 0 read');
    const results = JSON.parse(named.stdout);
    expect(results).toEqual(reference.filter((r: { filePath: string }) => /[ac]\.py$/.test(r.filePath)));
    // b.py may rewrite w.pt: the fix is unsafe in both
    expect(results.map((r: { messages: { fix: { safety: string } }[] }) => r.messages.map((m) => m.fix.safety))).toEqual([['unsafe'], ['unsafe']]);
  }, 60_000);

  test('stdin is linted in one thread whatever --jobs says', () => {
    const dir = tempRepo({ 'requirements.txt': 'torch>=2.6\n' });
    const text = 'import torch\nm = torch.load("m.pt")\n';
    const one = pylintTorch(dir, ['-f', 'json', '--stdin', '--stdin-filename', 'a.py'], text);
    expect(JSON.parse(one.stdout)[0].messages[0].ruleId).toBe('torch-load-missing-weights-only');
    expect(pylintTorch(dir, ['-f', 'json', '--stdin', '--stdin-filename', 'a.py', '--jobs', '2'], text)).toEqual(one);
  });

  test('--jobs must be a whole number from 1', async () => {
    for (const value of ['0', '-1', '1.5', 'two'])
      expect(await cli(tempRepo({ 'a.py': '' }), '--jobs', value)).toEqual({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining(`--jobs must be a whole number from 1, got "${value}"`),
      });
  });
});

/** A plugin whose rule ends the worker thread it runs in (never the main thread) on files named `crash*.py`. */
const CRASHING_PLUGIN = (how: string) => `'use strict';
const { isMainThread } = require('node:worker_threads');
const { createRule } = require(${JSON.stringify(DIST)});
module.exports = {
  rules: [
    createRule({
      meta: { id: 'local/crash', type: 'problem', docs: { description: 'Crashes.' }, messages: { m: 'm' }, schema: false, defaultSeverity: 'error' },
      defaultOptions: {},
      create(context) {
        if (!isMainThread && /crash[^/]*\\.py$/.test(context.filePath)) ${how};
        return {};
      },
    }),
  ],
};
`;

describe('--jobs: a worker that crashes', () => {
  const project = (how: string) =>
    tempRepo({
      'plugin.js': CRASHING_PLUGIN(how),
      '.pylintrc-ts.json': JSON.stringify({ plugins: ['./plugin.js'] }),
      'requirements.txt': 'torch>=2.6\n',
      ...Object.fromEntries([...Array(12).keys()].map((i) => [`m${String(i).padStart(2, '0')}.py`, `import torch\nx = torch.load("${i}.pt")\n`])),
      'm05_crash.py': 'import torch\n',
    });
  const messagesOf = (run: Run) =>
    Object.fromEntries(
      (JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[]).map((r) => [
        path.basename(r.filePath),
        r.messages.map((m) => `${m.ruleId}: ${m.message}`),
      ]),
    );

  test('that exits while linting a file: that file gets the internal-error result, the others are linted, exit 2', () => {
    const dir = project('process.exit(3)');
    const one = pylintTorch(dir, ['-f', 'json', '--jobs', '1']);
    const two = pylintTorch(dir, ['-f', 'json', '--jobs', '2']);
    expect(one.code).toBe(0); // warnings only
    expect(two.code).toBe(2);
    const expected = messagesOf(one);
    const got = messagesOf(two);
    expect(got['m05_crash.py']).toEqual([
      'null: Internal error while linting this file (please report it; set PYLINT_TORCH_DEBUG=1 for a stack trace): Error: the worker thread exited (code 3) while linting this file',
    ]);
    expect(got).toEqual({ ...expected, 'm05_crash.py': got['m05_crash.py'] });
    expect(expected['m07.py']).toEqual([expect.stringMatching(/^torch-load-missing-weights-only: /)]);
  }, 60_000);

  test('that throws later (an asynchronous error): no file is lost, the run exits 2', () => {
    const dir = project('setImmediate(() => { throw new Error("boom in a worker") })');
    const expected = messagesOf(pylintTorch(dir, ['-f', 'json', '--jobs', '1']));
    const two = pylintTorch(dir, ['-f', 'json', '--jobs', '2']);
    expect(two.code).toBe(2);
    // the thread ends when it is next idle: the file it is blamed on (if any) is one without an outcome by then
    const got = messagesOf(two);
    const blamed = Object.keys(got).filter((file) => got[file][0]?.startsWith('null: Internal error'));
    expect(blamed.length).toBeLessThanOrEqual(1);
    for (const file of blamed) expect(got[file]).toEqual([expect.stringContaining('Error: boom in a worker')]);
    if (!blamed.length) expect(two.stderr).toContain('pylint-torch: warning: a worker thread stopped between two files (boom in a worker)');
    for (const file of blamed) delete got[file];
    expect(got).toEqual(Object.fromEntries(Object.entries(expected).filter(([file]) => !blamed.includes(file))));
  }, 60_000);

  test('when every worker crashes, every file gets the internal-error result (no hang, no file lost)', () => {
    const dir = tempRepo({
      'plugin.js': CRASHING_PLUGIN('process.exit(3)'),
      '.pylintrc-ts.json': JSON.stringify({ plugins: ['./plugin.js'] }),
      'crash_a.py': '',
      'crash_b.py': '',
      'crash_c.py': '',
    });
    const run = pylintTorch(dir, ['-f', 'json', '--jobs', '2']);
    expect(run.code).toBe(2);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { message: string }[] }[];
    expect(results.map((r) => [path.basename(r.filePath), r.messages.length])).toEqual([
      ['crash_a.py', 1],
      ['crash_b.py', 1],
      ['crash_c.py', 1],
    ]);
    for (const r of results) expect(r.messages[0].message).toMatch(/^Internal error while linting this file/);
  }, 60_000);
});

describe('a worker summarizes modules from the bytes the main thread read', () => {
  const files = {
    'requirements.txt': 'torch>=2.6\n',
    'util.py': 'import torch\n\n\ndef read(p, weights_only=False):\n    return torch.load(p, weights_only=weights_only)\n',
    'main.py': 'from util import read\n\nsd = read("w.pt")\n',
  };
  const messages = (run: Awaited<ReturnType<typeof openRun>>, file: string) => {
    if ('report' in run) throw new Error('paths missing');
    return run.lintOne(file).result.messages.map((m) => `${m.ruleId}:${m.line} ${m.message}`);
  };

  test('with --fix, a file rewritten after the pre-pass (as a fix in another worker would) keeps its summary', async () => {
    const dir = tempRepo(files);
    const main = await openRun(['.'], { cwd: dir, fix: true });
    if ('report' in main) throw new Error('paths missing');
    const prepassed = main.prepassed();
    fs.writeFileSync(path.join(dir, 'util.py'), 'def read(p):\n    return p\n');
    const worker = await openRun(['.'], { cwd: dir, fix: true }, { files: main.discovery.files, prepassed });
    expect(messages(worker, path.join(dir, 'main.py'))).toEqual([expect.stringMatching(/^torch-load-missing-weights-only:3 /)]);
    // a run that reads the files now sees the wrapper gone
    expect(messages(await openRun(['.'], { cwd: dir, fix: true }), path.join(dir, 'main.py'))).toEqual([]);
  });

  test('without --fix, a file changed after the pre-pass is not linted, and no summary comes from its new bytes', async () => {
    const dir = tempRepo(files);
    const main = await openRun(['.'], { cwd: dir });
    if ('report' in main) throw new Error('paths missing');
    const prepassed = main.prepassed();
    fs.writeFileSync(path.join(dir, 'util.py'), 'import torch\n\n\ndef read(p):\n    return torch.load(p)\n');
    for (const run of [main, await openRun(['.'], { cwd: dir }, { files: main.discovery.files, prepassed })]) {
      expect(messages(run, path.join(dir, 'main.py'))).toEqual([]);
      expect(messages(run, path.join(dir, 'util.py'))).toEqual(['null:1 This file changed while pylint-torch was running: not linted (run it again).']);
    }
  });

  test('lintFiles reads each file again at its turn: one changed after the pre-pass is reported, fatal', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\n\nx = torch.load("a.pt")\n', 'b.py': 'import torch\n\ny = torch.load("b.pt")\n' });
    const { results } = await lintFiles(['.'], {
      cwd: dir,
      jobs: 1,
      rules: { 'torch-vulnerable-version': 'off' },
      onProgress: (_done, _total, file) => {
        if (file.endsWith('a.py')) fs.writeFileSync(path.join(dir, 'b.py'), 'y = 1\n');
      },
    });
    expect(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => [m.ruleId, m.line, m.fatal ?? false])])).toEqual([
      ['a.py', [['torch-load-missing-weights-only', 3, false]]],
      ['b.py', [[null, 1, true]]],
    ]);
  });
});

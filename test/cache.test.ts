import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintFiles, type LintFilesOptions, type LintFilesReport } from '../src/run/lint-files';
import { CACHE_FILE_NAME, cacheFilePath, digest } from '../src/run/cache';
import { DependencyLog, type Memo, question } from '../src/analysis/dependencies';
import { cli, tempRepo } from './helpers/cli';
import { copyCorpora, fixture } from './helpers/fixtures';

const corpora = copyCorpora;

// a project with every kind of dependency between files: a wrapper module imported from two files of one folder and
// from another folder, re-exports, a class chain, a constant, a checkpoint file, saves and loads of one path, torch
// requirements per folder, a config
const PROJECT: Record<string, string | Buffer> = {
  'requirements.txt': 'torch>=2.4\n',
  'lib/__init__.py': 'from .io import restore\n',
  'lib/io.py': ['import torch', '', 'def restore(path, weights_only=True):', '    return torch.load(path, weights_only=weights_only)', ''].join('\n'),
  'lib/nets.py': ['import torch', '', 'class Base(torch.nn.Module):', '    pass', ''].join('\n'),
  'lib/flags.py': 'SAFE = True\n',
  'app/a.py': ['from lib.io import restore', '', 'restore("a.ckpt")', ''].join('\n'),
  'app/b.py': ['from lib.io import restore as fetch', '', 'state = fetch("b.ckpt")', ''].join('\n'),
  'app/c.py': ['import lib', '', 'lib.restore("c.ckpt")', ''].join('\n'),
  'app/model.py': ['import torch', 'from lib.nets import Base', '', 'class Net(Base):', '    pass', '', 'torch.save(Net(), "net.pt")', ''].join('\n'),
  'app/flagged.py': ['import torch', 'from lib.flags import SAFE', '', 'torch.load("f.pt", weights_only=SAFE)', ''].join('\n'),
  'app/weights.py': ['import torch', '', 'sd = torch.load("w.pt")', ''].join('\n'),
  'app/w.pt': fs.readFileSync(fixture('state_dict.pt')),
  'app/reader.py': ['import torch', '', 'm = torch.load("net.pt")', ''].join('\n'),
  // a raw pickle is judged as a checkpoint only when a torch load names it: a reused result of pk.py says so too
  'app/pk.py': ['import torch', '', 'x = torch.load("data.pkl", weights_only=True)', ''].join('\n'),
  'app/data.pkl': fs.readFileSync(fixture('plain_pickle.pkl')),
  'tools/requirements.txt': 'torch>=2.6\n',
  'tools/t.py': ['import torch', '', 'torch.load("t.ckpt")', ''].join('\n'),
  'plain.py': ['import os', '', 'print(os.getcwd())', ''].join('\n'),
  'broken.py': ['import torch', 'def (:', ''].join('\n'),
  'notebook.ipynb': JSON.stringify({
    cells: [{ cell_type: 'code', source: ['import torch\n', 'torch.load("n.pt")\n'], metadata: {}, outputs: [] }],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  }),
};

/** Lints `dir` with the cache in `cacheFile`. */
const cached = (dir: string, cacheFile: string, options: LintFilesOptions = {}) => lintFiles(['.'], { cwd: dir, cache: cacheFile, ...options });

/** The report as the formatters see it (they look texts up by path: the map's order is not seen). */
const observable = (report: Pick<LintFilesReport, 'results' | 'sources' | 'warnings' | 'skippedFiles'>) =>
  JSON.stringify({
    results: report.results,
    sources: [...report.sources].sort(([a], [b]) => (a < b ? -1 : 1)),
    warnings: report.warnings,
    skipped: report.skippedFiles,
  });

/** The files a report has findings in, each with its message ids and severities. */
const findings = (dir: string, report: LintFilesReport) =>
  report.results
    .filter((r) => r.messages.length)
    .map((r) => `${path.relative(dir, r.filePath)} ${r.messages.map((m) => `${m.messageId ?? m.ruleId}:${m.severity}`)}`);

/** Cold (no cache), first (writes the cache) and warm (reads it) runs of the same tree must be indistinguishable. */
async function expectSameAsCold(dir: string, cacheFile: string, options: LintFilesOptions = {}) {
  const cold = await lintFiles(['.'], { cwd: dir, ...options });
  const warm = await cached(dir, cacheFile, options);
  expect(JSON.parse(observable(warm))).toEqual(JSON.parse(observable(cold)));
  expect(observable(warm)).toBe(observable(cold));
  return warm;
}

describe('--cache', () => {
  test('a warm run reports byte for byte what a cold run does, in every mode, on the test corpora', async () => {
    for (const dir of [corpora(), tempRepo(PROJECT)]) {
      const modes: LintFilesOptions[] = [
        {},
        { fixDryRun: true, unsafeFixes: true },
        { prefilter: false },
        { checkSyntax: true },
        { select: ['torch-load-missing-weights-only'] },
      ];
      for (const [i, mode] of modes.entries()) {
        const cacheFile = path.join(dir, `cache-${i}`);
        const first = await expectSameAsCold(dir, cacheFile, mode);
        expect(first.cache).toMatchObject({ reused: 0 });
        const warm = await expectSameAsCold(dir, cacheFile, mode);
        expect(warm.cache!.reused).toBeGreaterThan(0);
        // only results with fixes shown as `output` are linted again
        expect(warm.cache!.linted).toBe(warm.results.filter((r) => r.output !== undefined).length);
      }
    }
  });

  test('the CLI prints the same stylish, JSON, SARIF, GitLab and --fix-dry-run output warm as cold', async () => {
    const dir = corpora();
    for (const args of [[], ['-f', 'json'], ['-f', 'sarif'], ['-f', 'gitlab'], ['-f', 'json', '--fix-dry-run']]) {
      const cold = await cli(dir, ...args, '--statistics');
      const first = await cli(dir, ...args, '--statistics', '--cache');
      const warm = await cli(dir, ...args, '--statistics', '--cache');
      for (const run of [first, warm]) {
        expect(run.stdout).toBe(cold.stdout);
        expect(run.code).toBe(cold.code);
        // the count goes to stderr, after what a cold run prints there
        expect(run.stderr).toMatch(/pylint-torch: cache: \d+ files? linted, \d+ from \.pylinttorchcache\n$/);
        expect(run.stderr.replace(/pylint-torch: cache: .*\n$/, '')).toBe(cold.stderr);
      }
      expect(warm.stderr).toMatch(/: cache: [0-9] files? linted, [1-9]\d* from/);
    }
    expect(fs.existsSync(path.join(dir, CACHE_FILE_NAME))).toBe(true);
  });

  test('a changed module re-lints exactly the files that asked about it, with what it says now', async () => {
    const dir = tempRepo(PROJECT);
    const cacheFile = path.join(dir, '.cache');
    await cached(dir, cacheFile);
    const before = await cached(dir, cacheFile);
    expect(before.cache).toMatchObject({ linted: 0 });
    expect(findings(dir, before)).not.toContain('app/a.py');
    // the wrapper's default becomes weights_only=False: its callers in app/ (two in one folder, one through the
    // package's re-export) now load with full pickle
    fs.writeFileSync(path.join(dir, 'lib/io.py'), PROJECT['lib/io.py'].toString().replace('weights_only=True', 'weights_only=False'));
    const after = await expectSameAsCold(dir, cacheFile);
    expect(findings(dir, after).filter((f) => f.startsWith('app/') && /^app\/[abc]\.py/.test(f))).toEqual([
      'app/a.py missingDefaultFalse:2',
      'app/b.py missingDefaultFalse:2',
      'app/c.py missingDefaultFalse:2',
    ]);
    // lib/io.py itself and the three callers (c.py through lib/__init__.py, whose own lint asks nothing of io.py)
    expect(after.cache).toMatchObject({ linted: 4 });
  });

  test('a base class, a constant, a checkpoint file, a requirement and a config re-lint their dependents', async () => {
    const dir = tempRepo(PROJECT);
    const cacheFile = path.join(dir, '.cache');
    await cached(dir, cacheFile);
    const step = async (change: () => void, linted: number) => {
      change();
      const report = await expectSameAsCold(dir, cacheFile);
      expect(report.cache!.linted).toBe(linted);
      return findings(dir, report);
    };
    // Base no longer an nn.Module: Net is not one either, its save is no longer a full-model save
    const saved = (f: string[]) => f.filter((x) => x.startsWith('app/model.py'));
    const warm = findings(dir, await cached(dir, cacheFile));
    expect(warm.filter((f) => /^app\/(?:data|pk)/.test(f))).toEqual(['app/data.pkl needsAllowlist:1', 'app/pk.py loadNeedsAllowlist:1']);
    expect(saved(warm)).toEqual(['app/model.py fullModel:1']);
    expect(saved(await step(() => fs.writeFileSync(path.join(dir, 'lib/nets.py'), 'class Base:\n    pass\n'), 2 /* nets, model */))).toEqual([]);
    // SAFE = False: the load with weights_only=SAFE is a full-pickle load
    expect((await step(() => fs.writeFileSync(path.join(dir, 'lib/flags.py'), 'SAFE = False\n'), 2)).filter((f) => f.startsWith('app/flagged.py'))).toEqual([
      'app/flagged.py unsafe:1',
    ]);
    // the checkpoint that weights.py loads now runs code when unpickled
    const weights = (f: string[]) => f.filter((x) => x.startsWith('app/weights.py'));
    const loaded = weights(findings(dir, await cached(dir, cacheFile)));
    fs.copyFileSync(fixture('malicious_os_system.pt'), path.join(dir, 'app/w.pt'));
    expect(loaded).toEqual(['app/weights.py missing:2']);
    // weights.py (w.pt is a checkpoint: inspected in every run, never cached)
    expect(weights(await step(() => undefined, 1))).toEqual(['app/weights.py loadDangerous:2,missing:2']);
    // tools/ now allows torch 2.4: its load becomes an error; only its files (t.py, the requirements file) change
    const tools = (f: string[]) => f.filter((x) => x.startsWith('tools/'));
    expect(tools(findings(dir, await cached(dir, cacheFile)))).toEqual(['tools/requirements.txt requirement:1', 'tools/t.py missingModern:1']);
    expect(tools(await step(() => fs.writeFileSync(path.join(dir, 'tools/requirements.txt'), 'torch>=2.4\n'), 2))).toEqual([
      'tools/requirements.txt requirement:1',
      'tools/t.py missing:2',
    ]);
    // a config that turns a rule off governs every file
    const all = (await cached(dir, cacheFile)).results.length;
    const configured = await step(
      () => fs.writeFileSync(path.join(dir, '.pylintrc-ts.json'), JSON.stringify({ rules: { 'torch-save-full-model': 'off' } })),
      all - 2 /* every file but the checkpoints w.pt and data.pkl */,
    );
    expect(configured.some((f) => f.includes('fullModel'))).toBe(false);
  });

  test('a new module that changes what an import resolves to re-lints the importer', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'a.py': ['from helpers import restore', '', 'restore("a.ckpt")', ''].join('\n'),
      'b.py': 'import os\n',
    });
    const cacheFile = path.join(dir, '.cache');
    const cold = await cached(dir, cacheFile);
    expect(findings(dir, cold).filter((f) => f.startsWith('a.py'))).toEqual([]);
    fs.writeFileSync(
      path.join(dir, 'helpers.py'),
      ['import torch', '', 'def restore(p, weights_only=False):', '    return torch.load(p, weights_only=weights_only)', ''].join('\n'),
    );
    const warm = await expectSameAsCold(dir, cacheFile);
    expect(findings(dir, warm).filter((f) => f.startsWith('a.py'))).toEqual(['a.py missingDefaultFalse:2']);
    // helpers.py (new) and a.py; b.py and requirements.txt come from the cache
    expect(warm.cache).toMatchObject({ linted: 2, reused: 2 });
  });

  test('a process-wide weakening in any file re-lints the files whose findings read it', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.6\n',
      'a.py': ['import torch', '', 'torch.load("a.ckpt")', ''].join('\n'),
      'b.py': 'import os\n',
    });
    const cacheFile = path.join(dir, '.cache');
    await cached(dir, cacheFile);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.11\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n');
    const warm = await expectSameAsCold(dir, cacheFile);
    expect(findings(dir, warm).filter((f) => f.startsWith('a.py'))).toEqual(['a.py missing:2']);
    expect(warm.cache).toMatchObject({ linted: 2 /* Dockerfile, a.py */ });
  });

  test('--fix stores what it did not change; the next run lints the fixed files again', async () => {
    const files = {
      'requirements.txt': 'torch>=2.6\n',
      'a.py': ['import torch', 'm = torch.nn.Linear(2, 2)', 'm.load_state_dict(torch.load("a.pt"))', ''].join('\n'),
      'b.py': 'import os\n',
    };
    const dir = tempRepo(files);
    const twin = tempRepo(files);
    const cacheFile = path.join(dir, '.cache');
    const fixed = await cached(dir, cacheFile, { fix: true });
    const reference = await lintFiles(['.'], { cwd: twin, fix: true });
    expect(fixed.results.map((r) => r.fixCount)).toEqual(reference.results.map((r) => r.fixCount));
    expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toContain('weights_only=True');
    const again = await cached(dir, cacheFile, { fix: true });
    expect(again.cache).toMatchObject({ linted: 1, reused: 2 });
    expect(JSON.stringify(again.results)).toBe(
      JSON.stringify((await lintFiles(['.'], { cwd: twin, fix: true })).results)
        .split(twin)
        .join(dir),
    );
  });

  test('a corrupt, foreign-format or unreadable cache is ignored with a warning; a foreign file is kept', async () => {
    const dir = tempRepo(PROJECT);
    const cacheFile = path.join(dir, '.cache');
    const cold = observable(await lintFiles(['.'], { cwd: dir }));
    // the findings as ever, and the warnings the cache gave
    const warnings = async (file = cacheFile) => {
      const report = await cached(dir, file);
      expect(observable({ ...report, warnings: [] })).toBe(cold);
      return report.warnings;
    };
    fs.writeFileSync(cacheFile, '{"pylintTorchCache":1,"key":"x","files":{');
    expect(await warnings()).toEqual([`the cache ${cacheFile} is corrupt (not valid JSON); not used, it will be rewritten`]);
    expect(await warnings()).toEqual([]); // rewritten
    const stored = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    fs.writeFileSync(cacheFile, JSON.stringify({ ...stored, files: { [path.join(dir, 'plain.py')]: { hash: 1 } } }));
    expect(await warnings()).toEqual([`the cache ${cacheFile} is corrupt (unexpected content); not used, it will be rewritten`]);
    fs.writeFileSync(cacheFile, JSON.stringify({ ...stored, pylintTorchCache: 99 }));
    expect((await warnings())[0]).toMatch(/has format 99, not 2 \(another pylint-torch version\)/);
    fs.writeFileSync(cacheFile, 'my notes\n');
    expect(await warnings()).toEqual([`${cacheFile} is not a pylint-torch cache; not used, not overwritten (choose another --cache-location)`]);
    expect(fs.readFileSync(cacheFile, 'utf8')).toBe('my notes\n');
    // a cache in a folder that cannot be created: a warning, the findings as ever
    expect(await warnings(path.join(dir, 'plain.py', 'cache'))).toEqual([
      expect.stringMatching(/^cannot write the cache .*plain\.py\/cache \(EEXIST.*; the next run lints every file$/),
    ]);
  });

  test('--cache-location takes a file, or a folder (a trailing slash or one that exists) named by the cwd hash', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\ntorch.load("x.pt")\n', 'keep/x': '' });
    expect(cacheFilePath(undefined, dir)).toBe(path.join(dir, CACHE_FILE_NAME));
    expect(cacheFilePath('c/my.cache', dir)).toBe(path.join(dir, 'c', 'my.cache'));
    const hashed = `.cache_${digest(dir).slice(0, 12)}`;
    expect(cacheFilePath('keep', dir)).toBe(path.join(dir, 'keep', hashed));
    expect(cacheFilePath('new/', dir)).toBe(path.join(dir, 'new', hashed));
    const run = await cli(dir, '--cache', '--cache-location', 'new/', '-f', 'json');
    expect(run.code).toBe(1);
    expect(fs.existsSync(path.join(dir, 'new', hashed))).toBe(true);
    expect(fs.existsSync(path.join(dir, CACHE_FILE_NAME))).toBe(false);
    expect((await cli(dir, '--cache-location', 'x')).stderr).toMatch(/--cache-location needs --cache/);
  });
});

describe('DependencyLog', () => {
  test('a memoized answer records, for each file it is served to, the questions computing it asked', () => {
    const log = new DependencyLog();
    const table = new Map<string, Memo<number>>();
    let computed = 0;
    const answer = () =>
      log.memo(table, 'key', () => {
        log.ask(question.summary('/p/m.py'));
        log.ask(question.module('/p', 'm'));
        return ++computed;
      });
    // computed before any file's lint (no frame open), then served to two files
    expect(answer()).toBe(1);
    const first = log.capture(() => answer());
    const second = log.capture(() => {
      log.ask(question.weakened);
      return answer();
    });
    expect(computed).toBe(1);
    expect([first.value, second.value]).toEqual([1, 1]);
    expect([...first.asked]).toEqual(['summary\0/p/m.py', 'module\0/p\0m']);
    expect([...second.asked]).toEqual(['weakened', 'summary\0/p/m.py', 'module\0/p\0m']);
    // nested frames: what the inner one asked counts for the outer one too
    const outer = log.capture(() => log.capture(() => log.ask(question.torch('/p'))));
    expect([...outer.asked]).toEqual(['torch\0/p']);
  });

  test('a disabled log records nothing and memo tables keep only answers', () => {
    const log = new DependencyLog(false);
    const table = new Map<string, Memo<string>>();
    log.memo(table, 'k', () => (log.ask('x'), 'v'));
    expect(table.get('k')).toEqual({ value: 'v' });
  });
});

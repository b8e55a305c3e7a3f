import * as path from 'node:path';
import { lintFiles, type LintFilesOptions } from '../src/run/lint-files';
import { LOAD_FUNCTIONS, SAVE_FUNCTIONS } from '../src/torch/api';
import { BUILTIN_LOADERS } from '../src/torch/loaders';
import { importsNothing, triggerTest } from '../src/torch/prefilter';
import { cli, tempRepo } from './helpers/cli';
import { copyCorpora } from './helpers/fixtures';

/** Lints `paths` with and without the prefilter and returns both reports' results, for an exact comparison. */
async function both(cwd: string, paths: string[], options: LintFilesOptions = {}) {
  const on = await lintFiles(paths, { cwd, ...options });
  const off = await lintFiles(paths, { cwd, ...options, prefilter: false });
  return { on, off };
}

// a project whose wrapper lives in one module and is called, re-exported and aliased from files that never spell
// a word of torch or pickle: only the index knows they load
const CROSS_FILE = {
  'requirements.txt': 'torch>=2.4\n',
  'a.py': ['import torch', '', 'def restore(path, weights_only=False):', '    return torch.load(path, weights_only=weights_only)', ''].join('\n'),
  'b.py': ['import sys', 'from a import restore', '', 'model = restore(sys.argv[1])', ''].join('\n'),
  'c.py': 'from a import restore as fetch\n',
  'd.py': ['from c import fetch', '', 'state = fetch("runs/last.ckpt")', ''].join('\n'),
  'pkg/__init__.py': 'from .io import *\n',
  'pkg/io.py': 'from a import restore\n',
  'e.py': ['import pkg', '', 'pkg.restore("weights.ckpt")', ''].join('\n'),
  'f.py': ['import functools', 'from a import restore', '', 'load = functools.partial(restore)', ''].join('\n'),
  'g.py': ['from a import restore', '', 'def get(p):', '    return restore(p)', ''].join('\n'),
  'h.py': ['from vendor.ckpt import fetch_weights', '', 'fetch_weights("m.ckpt")', ''].join('\n'),
  '.pylintrc-ts.json': JSON.stringify({ knownLoaders: { 'vendor.ckpt.fetch_weights': { weightsOnlyDefault: false } } }),
  // nothing any rule can report in these
  'plain.py': ['import os', '', 'print(os.getcwd())', ''].join('\n'),
  'noimport.py': 'x = 1\n',
  'broken.py': ['import os', 'def (:', ''].join('\n'),
  // a suppression comment may be reported as unused: never skipped
  'suppressed.py': 'x = 1  # pylint-torch: disable=torch-load-missing-weights-only\n',
};

describe('prefilter', () => {
  test('the same results with and without it on the test corpora (fixtures and examples)', async () => {
    // a copy: in place, the repository's own config ignores test/fixtures/
    const dir = copyCorpora();
    let skipped = 0;
    for (const paths of [['fixtures'], ['examples']]) {
      const { on, off } = await both(dir, paths);
      expect(on.results).toEqual(off.results);
      // the comparison means something only if the corpus has findings, and some files were skipped
      expect(on.results.filter((r) => r.messages.length).length).toBeGreaterThan(5);
      skipped += on.skippedFiles ?? 0;
      expect(on.warnings).toEqual(off.warnings);
      const fixed = await both(dir, paths, { fixDryRun: true, unsafeFixes: true });
      expect(fixed.on.results).toEqual(fixed.off.results);
      expect(fixed.on.results.some((r) => r.output !== undefined)).toBe(true);
    }
    expect(skipped).toBeGreaterThan(0);
  });

  test('calls of project loaders in files without a trigger word are still found, and the same', async () => {
    const dir = tempRepo(CROSS_FILE);
    // with checkSyntax, broken.py's syntax error is reported either way
    const { on, off } = await both(dir, ['.'], { checkSyntax: true });
    expect(on.results).toEqual(off.results);
    const reported = (r: typeof on) =>
      r.results
        .filter((x) => x.messages.length)
        .map((x) => `${path.relative(dir, x.filePath)} ${x.messages.map((m) => m.ruleId ?? 'null').join(',')}`)
        .sort();
    expect(reported(on)).toEqual([
      'b.py torch-load-missing-weights-only',
      'broken.py null',
      'd.py torch-load-missing-weights-only',
      'e.py torch-load-missing-weights-only',
      'f.py torch-load-missing-weights-only',
      'g.py torch-load-missing-weights-only',
      'h.py torch-load-missing-weights-only',
      'requirements.txt torch-vulnerable-version',
      'suppressed.py null',
    ]);
    // plain, noimport, broken, and the three modules that only re-export (c.py, pkg/__init__.py, pkg/io.py)
    expect(on.skippedFiles).toBe(6);
    expect(off.skippedFiles).toBe(0);
    const fixed = await both(dir, ['.'], { fixDryRun: true, unsafeFixes: true, checkSyntax: true });
    expect(fixed.on.results).toEqual(fixed.off.results);
  });

  test('a skipped file reports its syntax errors only with checkSyntax, as the full lint does', async () => {
    const dir = tempRepo({ 'broken.py': 'import os\ndef (:\n', 'ok.py': 'import os\n' });
    const broken = path.join(dir, 'broken.py');
    const messagesOf = (r: Awaited<ReturnType<typeof lintFiles>>) => r.results.find((x) => x.filePath === broken)!.messages;
    const skipped = await lintFiles(['.'], { cwd: dir });
    expect(messagesOf(skipped)).toEqual([]);
    expect(skipped.skippedFiles).toBe(2);
    const checked = await lintFiles(['.'], { cwd: dir, checkSyntax: true });
    const full = await lintFiles(['.'], { cwd: dir, prefilter: false });
    expect(messagesOf(full).map((m) => m.message)).toEqual(['Syntax error: cannot parse "def (:"; rules ran on the rest of the file.']);
    expect(checked.results).toEqual(full.results);
  });

  test('the CLI: --no-prefilter and --check-syntax', async () => {
    const dir = tempRepo({ 'broken.py': 'def (:\n' });
    const skipped = await cli(dir, '-f', 'json', '.');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)[0].messages).toEqual([]);
    for (const flag of ['--no-prefilter', '--check-syntax']) {
      const run = await cli(dir, '-f', 'json', flag, '.');
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)[0].messages.map((m: { message: string }) => m.message)).toEqual([
        'Syntax error: cannot parse "def (:"; rules ran on the rest of the file.',
      ]);
    }
  });

  test('plugin rules turn it off for the files they govern', async () => {
    const dir = tempRepo({ 'plain.py': 'import os\n' });
    const plugin = { meta: { id: 'any-file' } } as never;
    const report = await lintFiles(['.'], { cwd: dir, registry: [plugin] });
    expect(report.skippedFiles).toBe(0);
  });

  test('every qualified name of the tables the rules read has a trigger word', () => {
    const trigger = triggerTest();
    for (const name of [...LOAD_FUNCTIONS.keys(), ...SAVE_FUNCTIONS, ...Object.keys(BUILTIN_LOADERS)]) expect([name, trigger(name)]).toEqual([name, true]);
    for (const text of [
      'import cPickle',
      'import cloudpickle',
      'from multiprocessing.reduction import ForkingPickler',
      'import dill',
      'import joblib',
      'import pandas as pd',
      'import numpy as np',
      'sock.recv_pyobj()',
      'trainer.fit(model, ckpt_path=p, weights_only=False)',
      'os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"',
      'x = 1  # NOQA: S301',
      'x = 1  # nosec',
      '# PYLINT-TORCH: disable',
    ])
      expect([text, trigger(text)]).toEqual([text, true]);
    expect(trigger('import os\nprint(os.getcwd())')).toBe(false);
    expect(triggerTest(['vendor.ckpt.fetch_weights'])('fetch_weights(p)')).toBe(true);
    expect(importsNothing('x = __import__("m")')).toBe(false);
    expect(importsNothing('x = 1')).toBe(true);
  });
});

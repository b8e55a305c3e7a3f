/**
 * A run over a few named files with --cache (what the pre-commit hooks do) takes the text facts of the rest of the
 * working folder (src/run/evidence.ts): its findings and fixes for those files equal a run over the whole folder's.
 * Without the cache only the named files' text counts, and a fix that the whole run calls unsafe can look safe.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintFiles, type LintFilesReport } from '../src/run/lint-files';
import { cli, tempRepo } from './helpers/cli';
import { fixture } from './helpers/fixtures';

const STATE_DICT = fs.readFileSync(fixture('state_dict.pt'));

type Finding = [string, string | undefined];
/** Each piece of evidence in another file, with a.py's finding in a full run and in a run over a.py alone. */
const CASES: { name: string; files: Record<string, string | Buffer>; full: Finding; alone: Finding }[] = [
  {
    name: 'a Dockerfile weakens torch.load process-wide (the torch >= 2.6 "already the default" fix)',
    files: {
      'requirements.txt': 'torch>=2.6\n',
      'a.py': 'import torch\nm = torch.load(p)\n',
      'docker/Dockerfile': 'FROM python:3.12\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
    },
    full: ['missing', undefined],
    alone: ['missingModern', 'safe'],
  },
  {
    name: 'b.py saves to the path a.py loads (the file holds a state dict now, but may be rewritten)',
    files: {
      'requirements.txt': 'torch>=2.4\n',
      'w.pt': STATE_DICT,
      'a.py': 'import torch\nsd = torch.load("w.pt")\n',
      'b.py': 'import torch\n\n\ndef keep(net):\n    torch.save(net.state_dict(), "w.pt")\n',
    },
    full: ['missing', 'unsafe'],
    alone: ['missing', 'safe'],
  },
  {
    name: 'a module elsewhere defines set_extra_state (a state dict may then hold any object)',
    files: {
      'requirements.txt': 'torch>=2.4\n',
      'a.py': 'import torch\nnet = torch.nn.Linear(2, 2)\nnet.load_state_dict(torch.load(p))\n',
      'lib/extra.py': 'import torch\n\n\nclass Tagged(torch.nn.Module):\n    def set_extra_state(self, state):\n        self.tag = state\n',
    },
    full: ['missing', 'unsafe'],
    alone: ['missing', 'safe'],
  },
];

const resultOf = (dir: string, report: LintFilesReport, file: string) => report.results.find((r) => r.filePath === path.join(dir, file));
/** The finding ids of a.py's result with their fixes' safety (the runs pass unsafeFixes: both kinds show as `fix`). */
const fixes = (report: LintFilesReport, dir: string) => resultOf(dir, report, 'a.py')!.messages.map((m) => [m.messageId, m.fixSafety]);
const unsafeFixes = true;

/** Runs with a clock `ms` ahead, so that files written by the test count as changed long before (not "racy"). */
async function later<T>(ms: number, body: () => Promise<T>): Promise<T> {
  const now = Date.now.bind(Date);
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => now() + ms);
  try {
    return await body();
  } finally {
    spy.mockRestore();
  }
}

describe('a run over named files with --cache', () => {
  test.each(CASES)('sees what a full run sees when $name', async ({ files, full, alone: byItself }) => {
    const dir = tempRepo(files);
    const cache = path.join(dir, '.cache');
    await lintFiles(['.'], { cwd: dir, cache, unsafeFixes });
    // the commit changes a.py (a staged file); the full run over the tree as it is now is the reference
    fs.appendFileSync(path.join(dir, 'a.py'), '# changed\n');
    const reference = await lintFiles(['.'], { cwd: dir, unsafeFixes });
    expect(fixes(reference, dir)).toEqual([full]);
    const named = await lintFiles(['a.py'], { cwd: dir, cache, unsafeFixes });
    expect(resultOf(dir, named, 'a.py')).toEqual(resultOf(dir, reference, 'a.py'));
    expect(named.cache).toMatchObject({ reused: 0, linted: 1 });
    // without the cache only a.py's own text counts: the fix looks safe
    const alone = await lintFiles(['a.py'], { cwd: dir, unsafeFixes });
    expect(fixes(alone, dir)).toEqual([byItself]);
    // the full run's entries of the files not named are kept: nothing is linted again but what changed since
    const again = await lintFiles(['.'], { cwd: dir, cache, unsafeFixes });
    expect(again.cache).toMatchObject({ linted: 0 });
    expect(again.results).toEqual(reference.results);
  });

  test('--fix with the hooks’ options leaves a fix unapplied that only the named file’s text calls safe', async () => {
    const dir = tempRepo(CASES[0].files);
    const hook = ['--fix', '--cache', '--cache-location', '.pylint-torch-cache/'];
    const run = await cli(dir, ...hook, 'a.py');
    // weakened, the default is not weights_only=True on any torch: an error, and no fix
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('torch 2.6+ rejects them (requirements.txt: torch>=2.6). Pass `weights_only=True`');
    expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('import torch\nm = torch.load(p)\n');
    // without the cache the Dockerfile is not read, and the fix is written
    await cli(dir, '--fix', 'a.py');
    expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('import torch\nm = torch.load(p, weights_only=True)\n');
  });

  test('it keeps up with evidence that changes after the full run: edited, new, removed and newly ignored files', async () => {
    const dir = tempRepo({ ...CASES[1].files, '.gitignore': 'build/\n', 'docs/notes.py': 'print("notes")\n' });
    const cache = path.join(dir, '.cache');
    // the runs happen "later", so that the stat keys of the files written here are stored and used; every change
    // below changes a size, a folder's entries or both
    const step = async (change: () => void) => {
      change();
      const reference = await lintFiles(['.'], { cwd: dir, unsafeFixes });
      const named = await later(10_000, () => lintFiles(['a.py'], { cwd: dir, cache, unsafeFixes }));
      expect(resultOf(dir, named, 'a.py')).toEqual(resultOf(dir, reference, 'a.py'));
      return [fixes(named, dir), named.cache!.evidence];
    };
    await later(10_000, () => lintFiles(['.'], { cwd: dir, cache, unsafeFixes }));
    const write = (file: string, text: string) => () => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    // the evidence: requirements.txt, b.py and docs/notes.py, all from the cache
    expect(await step(() => {})).toEqual([[['missing', 'unsafe']], { files: 3, read: 0 }]);
    // b.py no longer saves to w.pt: the checkpoint as it is decides, and the fix is safe
    expect(await step(write('b.py', 'import torch\n'))).toEqual([[['missing', 'safe']], { files: 3, read: 1 }]);
    // a new file in a new folder saves to it
    const save = 'import torch\ntorch.save({}, "w.pt")\n';
    expect(await step(write('jobs/train.py', save))).toEqual([[['missing', 'unsafe']], { files: 4, read: 1 }]);
    // .gitignore now ignores jobs/: a run over the folder does not read it, nor does the named run
    expect(await step(write('.gitignore', 'build/\njobs/\n'))).toEqual([[['missing', 'safe']], { files: 3, read: 0 }]);
    // a new file in a folder the walk knows
    expect(await step(write('c.py', save))).toEqual([[['missing', 'unsafe']], { files: 4, read: 1 }]);
    // removed files
    expect(await step(() => fs.rmSync(path.join(dir, 'c.py')))).toEqual([[['missing', 'safe']], { files: 3, read: 0 }]);
    expect(await step(() => fs.rmSync(path.join(dir, 'docs'), { recursive: true }))).toEqual([[['missing', 'safe']], { files: 2, read: 0 }]);
  });

  test('a named checkpoint is judged by the torch loads of the files not named', async () => {
    const dir = tempRepo({
      'data.pkl': fs.readFileSync(fixture('plain_pickle.pkl')),
      'pk.py': 'import torch\n\nx = torch.load("data.pkl", weights_only=True)\n',
    });
    const cache = path.join(dir, '.cache');
    const full = await lintFiles(['.'], { cwd: dir, cache, unsafeFixes });
    const ids = (report: LintFilesReport) => resultOf(dir, report, 'data.pkl')!.messages.map((m) => m.messageId);
    expect(ids(full)).toEqual(['needsAllowlist']);
    expect(ids(await lintFiles(['data.pkl'], { cwd: dir, cache }))).toEqual(['needsAllowlist']);
    // alone, a raw pickle that no torch load names is not judged as a checkpoint
    expect(ids(await lintFiles(['data.pkl'], { cwd: dir }))).toEqual([]);
  });

  test('--statistics says how many other files gave evidence and how many were read; the cache folder ignores itself', async () => {
    const dir = tempRepo(CASES[2].files);
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const run = await cli(dir, '--statistics', '--cache', '--cache-location', '.pylint-torch-cache/', 'a.py');
    expect(run.stderr).toMatch(
      /pylint-torch: cache: 1 file linted, 0 from \.pylint-torch-cache\/\.cache_[\w-]+; text facts of 2 other files of the working folder, 2 read\n$/,
    );
    expect(fs.readFileSync(path.join(dir, '.pylint-torch-cache/.gitignore'), 'utf8')).toBe('# made by pylint-torch --cache\n*\n');
    const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' });
    expect(status.stdout.split('\n').filter(Boolean).sort()).toEqual(['?? a.py', '?? lib/extra.py', '?? requirements.txt']);
    // a folder that was there already is left as it is
    const other = tempRepo({ 'a.py': 'import torch\n', 'keep/x': '' });
    await cli(other, '--cache', '--cache-location', 'keep/', 'a.py');
    expect(fs.readdirSync(path.join(other, 'keep')).filter((f) => !f.startsWith('.cache_'))).toEqual(['x']);
  });
});

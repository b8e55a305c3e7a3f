/**
 * Issue 13, item 5: --fix writes only inside the linted paths, and no FIFO, socket or device (or a link to one) is
 * ever read, at any folder level the tool looks at (a read would block forever, or never end for /dev/zero).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';

const LOAD = 'import torch\nsd = torch.load("w.pt")\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n';
const FIXED = 'import torch\nsd = torch.load("w.pt", weights_only=True)\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n';
const DECLARED = { 'requirements.txt': 'torch>=2.4\n' };
const NO_VERSION_RULE = ['--rule', 'torch-vulnerable-version:off'];
const hasMkfifo = os.platform() !== 'win32';
const fifoTest = hasMkfifo ? test : test.skip;
const fifo = (file: string) => execFileSync('mkfifo', [file]);

type JsonResult = { filePath: string; messages: { ruleId: string | null; message: string; severity: number }[] };
const byFile = (stdout: string) =>
  Object.fromEntries((JSON.parse(stdout) as JsonResult[]).map((r) => [path.basename(r.filePath), r.messages.map((m) => m.ruleId ?? m.message)]));

describe('--fix writes only inside the linted paths', () => {
  const OUTSIDE = 'File is a symbolic link to a file outside the linted paths; no fix was written (name the real file to fix it).';

  test('a link in the tree to a file outside it is linted but not written through', async () => {
    const outside = tempRepo({ 'victim.py': LOAD });
    const dir = tempRepo({ ...DECLARED, 'a.py': LOAD });
    fs.symlinkSync(path.join(outside, 'victim.py'), path.join(dir, 'link.py'));
    const { code, stdout } = await cli(dir, '--fix', '-f', 'json', ...NO_VERSION_RULE);
    expect(byFile(stdout)).toEqual({
      'a.py': [],
      'link.py': [OUTSIDE, 'torch-load-missing-weights-only'],
      'requirements.txt': [],
    });
    expect(code).toBe(1);
    expect(fs.readFileSync(path.join(outside, 'victim.py'), 'utf8')).toBe(LOAD);
    expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe(FIXED);
    // a dry run shows the fix (nothing is written either way)
    const dry = JSON.parse((await cli(dir, '--fix-dry-run', '-f', 'json', ...NO_VERSION_RULE)).stdout) as { filePath: string; output?: string }[];
    expect(dry.find((r) => r.filePath.endsWith('link.py'))?.output).toBe(FIXED);
  });

  test('a link to a file inside the linted folder is fixed (its target is)', async () => {
    // the target itself is ignored, so that the file is fixed once, through the link
    const dir = tempRepo({ ...DECLARED, '.gitignore': 'real/\n', 'real/a.py': LOAD });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.symlinkSync(path.join(dir, 'real', 'a.py'), path.join(dir, 'link.py'));
    const { stdout } = await cli(dir, '--fix', '-f', 'json', ...NO_VERSION_RULE);
    expect(byFile(stdout)).toEqual({ 'link.py': [], 'requirements.txt': [] });
    expect(fs.readFileSync(path.join(dir, 'real', 'a.py'), 'utf8')).toBe(FIXED);
  });

  test('a link named on the command line is a root of its own: its target is written', async () => {
    const outside = tempRepo({ 'victim.py': LOAD });
    const dir = tempRepo({ ...DECLARED });
    fs.symlinkSync(path.join(outside, 'victim.py'), path.join(dir, 'named.py'));
    const { stdout } = await cli(dir, 'named.py', '--fix', '-f', 'json', ...NO_VERSION_RULE);
    expect(byFile(stdout)).toEqual({ 'named.py': [] });
    expect(fs.readFileSync(path.join(outside, 'victim.py'), 'utf8')).toBe(FIXED);
  });

  test('a notebook linked from outside the tree is not written either', async () => {
    const notebook = JSON.stringify({
      cells: [{ cell_type: 'code', metadata: {}, source: LOAD, outputs: [], execution_count: null }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const outside = tempRepo({ 'victim.ipynb': notebook });
    const dir = tempRepo({ ...DECLARED });
    fs.symlinkSync(path.join(outside, 'victim.ipynb'), path.join(dir, 'n.ipynb'));
    const { stdout } = await cli(dir, '--fix', '-f', 'json', ...NO_VERSION_RULE);
    expect(byFile(stdout)['n.ipynb']).toEqual([OUTSIDE, 'torch-load-missing-weights-only']);
    expect(fs.readFileSync(path.join(outside, 'victim.ipynb'), 'utf8')).toBe(notebook);
  });
});

describe('special files are never read', () => {
  const GITIGNORE_WARNING = (shown: string) =>
    `pylint-torch: warning: ${shown} is not a regular file (a FIFO, socket or device); not read, its patterns ignore nothing\n`;

  fifoTest('a FIFO .gitignore in a parent folder of the work tree is not read (no hang)', async () => {
    const dir = tempRepo({ ...DECLARED, 'pkg/a.py': LOAD });
    fs.mkdirSync(path.join(dir, '.git'));
    fifo(path.join(dir, '.gitignore'));
    const { code, stdout, stderr } = await cli(dir, 'pkg', '-f', 'json', ...NO_VERSION_RULE);
    expect(stderr).toBe(GITIGNORE_WARNING('.gitignore'));
    expect(byFile(stdout)).toEqual({ 'a.py': ['torch-load-missing-weights-only'] });
    expect(code).toBe(1);
  });

  fifoTest('a .gitignore linked to /dev/zero above the tree, or a FIFO one in it, is not read', async () => {
    const dir = tempRepo({ ...DECLARED, 'pkg/a.py': LOAD, 'pkg/sub/b.py': LOAD });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.symlinkSync('/dev/zero', path.join(dir, '.gitignore'));
    fifo(path.join(dir, 'pkg', 'sub', '.gitignore'));
    // a link named .gitignore inside the walk is not followed at all (git too refuses a symlinked .gitignore)
    fs.symlinkSync('/dev/zero', path.join(dir, 'pkg', '.gitignore'));
    const { stdout, stderr } = await cli(dir, 'pkg', '-f', 'json', ...NO_VERSION_RULE);
    expect(stderr).toBe(GITIGNORE_WARNING('.gitignore') + GITIGNORE_WARNING(path.join('pkg', 'sub', '.gitignore')));
    expect(byFile(stdout)).toEqual({ 'a.py': ['torch-load-missing-weights-only'], 'b.py': ['torch-load-missing-weights-only'] });
  });

  test('a requirements file linked to /dev/zero is not read, and said so; the others decide', async () => {
    const dir = tempRepo({ 'a.py': LOAD, 'requirements-dev.txt': 'torch>=2.6\n' });
    fs.symlinkSync('/dev/zero', path.join(dir, 'requirements.txt'));
    fs.mkdirSync(path.join(dir, 'requirements'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'requirements', 'base.txt'));
    const { stdout, stderr } = await cli(dir, '-f', 'json');
    expect(stderr).toBe(
      `pylint-torch: warning: ${path.join('requirements', 'base.txt')} is not a regular file (a FIFO, socket or device); not read for the torch requirement\n` +
        'pylint-torch: warning: requirements.txt is not a regular file (a FIFO, socket or device); not read for the torch requirement\n',
    );
    // judged by the file that was read
    expect((JSON.parse(stdout) as JsonResult[]).find((r) => r.filePath.endsWith('a.py'))?.messages[0].message).toContain(
      'on the declared torch (requirements-dev.txt: torch>=2.6)',
    );
  });

  fifoTest('a FIFO setup.cfg, environment.yml or setup.py is not read', async () => {
    const dir = tempRepo({ 'a.py': LOAD });
    for (const name of ['setup.cfg', 'environment.yml', 'setup.py']) fifo(path.join(dir, name));
    const { code, stderr } = await cli(dir, 'a.py');
    expect(stderr).toBe(
      ['environment.yml', 'setup.cfg', 'setup.py']
        .map((name) => `pylint-torch: warning: ${name} is not a regular file (a FIFO, socket or device); not read for the torch requirement\n`)
        .join(''),
    );
    expect(code).toBe(1);
  });

  test('a pyproject.toml linked to /dev/zero is a config error (exit 2), not skipped for a config above it', async () => {
    const dir = tempRepo({ 'pyproject.toml': '[tool.pylint-torch]\nignorePatterns = ["pkg/"]\n', 'pkg/a.py': LOAD });
    fs.symlinkSync('/dev/zero', path.join(dir, 'pkg', 'pyproject.toml'));
    expect(await cli(dir, 'pkg')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${path.join(dir, 'pkg', 'pyproject.toml')}: cannot read config: not a regular file (a folder, FIFO, socket or device)\n`,
    });
  });

  test('a config linked to /dev/zero, named with -c or found, is a config error (exit 2)', async () => {
    const dir = tempRepo({ 'a.py': LOAD });
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    expect(await cli(dir, '-c', 'zero.json')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${path.join(dir, 'zero.json')}: cannot read config: not a regular file (a folder, FIFO, socket or device)\n`,
    });
    fs.symlinkSync('/dev/zero', path.join(dir, '.pylintrc-ts.json'));
    expect((await cli(dir)).stderr).toBe(
      `pylint-torch: ${path.join(dir, '.pylintrc-ts.json')}: cannot read config: not a regular file (a folder, FIFO, socket or device)\n`,
    );
  });

  test('a Python file and a checkpoint linked to /dev/zero get a file-level message', async () => {
    const dir = tempRepo({ ...DECLARED });
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.py'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.pt'));
    const { code, stdout } = await cli(dir, '.', 'zero.pt', '-f', 'json', ...NO_VERSION_RULE);
    expect(byFile(stdout)).toEqual({
      'requirements.txt': [],
      'zero.pt': ['Not a regular file (a FIFO, socket or device): not read.'],
      'zero.py': ['Not a regular file (a FIFO, socket or device): not read.'],
    });
    expect(code).toBe(1);
  });
});

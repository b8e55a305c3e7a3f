/**
 * Jupyter notebooks: found in folder walks, code cells linted together, findings placed by cell and line in the cell,
 * fixes written into the cells' source values only (every other byte of the notebook kept), and notebooks that
 * cannot be checked said so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';
import { sarifSchemaErrors } from './helpers/sarif';
import { parseNotebook, virtualText } from '../src/project/notebook';
import { lintText } from '../src/run/lint-text';

const FIXTURES = path.join(__dirname, 'fixtures', 'notebooks');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
// torch>=2.4: a load whose whole result reaches a module's load_state_dict gets a safe weights_only=True fix
const REPO = { 'requirements.txt': 'torch>=2.4\n' };
const NO_VERSION_RULE = ['--rule', 'torch-vulnerable-version:off'];
const MISSING =
  '`torch.load()` without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code execution on a ' +
  'malicious file), torch 2.6+ rejects them (requirements.txt: torch>=2.4). Pass `weights_only=True`';

/** A notebook as Jupyter writes it (indent 1, a final newline), code cells from `sources` (lists of lines). */
function notebook(sources: (string | string[])[], metadata: object = { language_info: { name: 'python' } }): string {
  const cells = sources.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }));
  return `${JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('reporting', () => {
  test('a folder walk lints notebooks; places are cell:line:column, lines counted in the cell', async () => {
    const dir = tempRepo({
      ...REPO,
      'train.ipynb': fixture('unsafe-load.ipynb'),
      // Jupyter's autosaved copy is not linted
      '.ipynb_checkpoints/train-checkpoint.ipynb': fixture('unsafe-load.ipynb'),
    });
    const { code, stdout, stderr } = await cli(dir, '.', ...NO_VERSION_RULE);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout).toBe(
      `\n${path.join(dir, 'train.ipynb')}\n  cell 3:3:6  error  ${MISSING}  torch-load-missing-weights-only\n\n` +
        '\u2716 1 problem (1 error, 0 warnings)\n  1 error and 0 warnings potentially fixable with the `--fix` option.\n',
    );
  });

  test('JSON carries the cell (1-based, markdown cells counted) and the line and columns in it', async () => {
    const dir = tempRepo({ ...REPO, 'train.ipynb': fixture('unsafe-load.ipynb') });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'train.ipynb', ...NO_VERSION_RULE)).stdout);
    const [message] = result.messages;
    expect(result.messages).toHaveLength(1);
    expect(message).toMatchObject({ ruleId: 'torch-load-missing-weights-only', cell: 3, line: 3, column: 6, endLine: 3, endColumn: 30 });
    // the fix is an edit of the notebook file: applied to its text, it gives what --fix writes
    const text = fixture('unsafe-load.ipynb');
    const applied = text.slice(0, message.fix.range[0]) + message.fix.text + text.slice(message.fix.range[1]);
    expect(applied).toBe(text.replace('torch.load(\\"weights.pt\\")', 'torch.load(\\"weights.pt\\", weights_only=True)'));
  });

  test('an unsafe fix is described as for a Python file; its edit applies to the notebook file', async () => {
    // no torch declared: adding weights_only=True is at most unsafe
    const text = notebook([['import torch\n', 'sd = torch.load("w.pt")\n', 'torch.nn.Linear(2, 2).load_state_dict(sd)']]);
    const dir = tempRepo({ 'a.ipynb': text });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'a.ipynb', ...NO_VERSION_RULE)).stdout);
    const [message] = result.messages;
    expect(message.fix).toBeUndefined();
    expect(message.suggestions[0].desc).toBe('Unsafe fix, applied only with --unsafe-fixes: insert `, weights_only=True`');
    const { range, text: replacement } = message.suggestions[0].fix;
    expect(text.slice(0, range[0]) + replacement + text.slice(range[1])).toBe(
      text.replace('torch.load(\\"w.pt\\")', 'torch.load(\\"w.pt\\", weights_only=True)'),
    );
  });

  test('names resolve across cells; IPython lines and non-Python cell magics are not linted as Python', async () => {
    const dir = tempRepo({
      ...REPO,
      'a.ipynb': notebook([
        ['import torch as T\n', '!pip install torch'],
        ['%%bash\n', 'python -c "import torch; torch.load(\'x.pt\')"'],
        ['%time obj = T.load("a.pt")\n', 'files = !ls\n', 'T.load?\n', 'obj = T.load("b.pt")'],
      ]),
    });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'a.ipynb', ...NO_VERSION_RULE)).stdout);
    expect(result.messages.map((m: { ruleId: string; cell: number; line: number }) => [m.ruleId, m.cell, m.line])).toEqual([
      ['torch-load-missing-weights-only', 3, 4],
    ]);
  });

  test('a shell line continued with a backslash, and one indented at the top of a cell, are IPython too', async () => {
    const cells = [
      ['import torch\n', '!tts --text "hello" \\\n', '--model_name "m" \\\n', '   --out_path out.wav'],
      [
        ' !tts --model_path $ckpt \\\n',
        '      --config_path $cfg\n',
        'model = torch.nn.Linear(2, 2)\n',
        'model.load_state_dict(torch.load("sd.pt"))\n',
        'for f in files:\n',
        '    !echo $f\n',
        'print(model)',
      ],
    ];
    const dir = tempRepo({ ...REPO, 'a.ipynb': notebook(cells) });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'a.ipynb', ...NO_VERSION_RULE)).stdout);
    expect(result.messages.map((m: { ruleId: string; cell: number; line: number }) => [m.ruleId, m.cell, m.line])).toEqual([
      ['torch-load-missing-weights-only', 2, 4],
    ]);
    // and a fix around them gives every IPython line back as it was
    const run = await cli(dir, '--fix', 'a.ipynb', ...NO_VERSION_RULE);
    expect(run.code).toBe(0);
    expect(JSON.parse(read(dir, 'a.ipynb')).cells.map((c: { source: string[] }) => c.source)).toEqual([
      cells[0],
      [...cells[1].slice(0, 3), 'model.load_state_dict(torch.load("sd.pt", weights_only=True))\n', ...cells[1].slice(4)],
    ]);
  });

  test('the body of %%time is Python, and a directive in a cell suppresses there', async () => {
    const dir = tempRepo({
      ...REPO,
      'a.ipynb': notebook([
        ['import torch'],
        ['%%time\n', 'a = torch.load("a.pt")\n', 'b = torch.load("b.pt")  # pylint-torch: disable=torch-load-missing-weights-only'],
      ]),
    });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'a.ipynb', ...NO_VERSION_RULE)).stdout);
    expect(result.messages.map((m: { cell: number; line: number }) => [m.cell, m.line])).toEqual([[2, 2]]);
  });

  test('SARIF regions point into the notebook file on disk; the cell and its line are in the message and properties', async () => {
    const dir = tempRepo({ ...REPO, 'train.ipynb': fixture('unsafe-load.ipynb') });
    const { code, stdout } = await cli(dir, '-f', 'sarif', 'train.ipynb', ...NO_VERSION_RULE);
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const [result] = log.runs[0].results;
    expect(log.runs[0].results).toHaveLength(1);
    expect(result.message.text).toBe(`${MISSING}. (notebook cell 3, line 3)`);
    expect(result.properties).toEqual({ cell: 3, cellLine: 3 });
    const region = result.locations[0].physicalLocation.region;
    expect(region).toEqual({ startLine: 42, startColumn: 11, endLine: 42, endColumn: 37 });
    const line = fixture('unsafe-load.ipynb').split('\n')[region.startLine - 1];
    expect(line.slice(region.startColumn - 1, region.endColumn - 1)).toBe('torch.load(\\"weights.pt\\")');
  });

  test('github, gitlab and junit annotate the notebook file on disk, and say the cell', async () => {
    const dir = tempRepo({ ...REPO, 'train.ipynb': fixture('unsafe-load.ipynb') });
    const out = async (format: string) => (await cli(dir, '-f', format, 'train.ipynb', ...NO_VERSION_RULE)).stdout;
    const escaped = `${MISSING}. (notebook cell 3, line 3)`.replace(/%/g, '%25');
    expect(await out('github')).toBe(`::error file=train.ipynb,line=42,endLine=42,col=11,endColumn=37,title=torch-load-missing-weights-only::${escaped}\n`);
    const [issue] = JSON.parse(await out('gitlab'));
    expect([issue.location, issue.description]).toEqual([{ path: 'train.ipynb', lines: { begin: 42 } }, `${MISSING}. (notebook cell 3, line 3)`]);
    expect(await out('junit')).toContain('train.ipynb:42:11');
  });

  test('SARIF columns count the escapes of a single-string source', async () => {
    const dir = tempRepo({ ...REPO, 'odd.ipynb': fixture('odd-format.ipynb') });
    const log = JSON.parse((await cli(dir, '-f', 'sarif', 'odd.ipynb', ...NO_VERSION_RULE)).stdout);
    const lines = fixture('odd-format.ipynb').split('\n');
    const spans = log.runs[0].results.map((r: { locations: { physicalLocation: { region: Record<string, number> } }[] }) => {
      const { startLine, startColumn, endLine, endColumn } = r.locations[0].physicalLocation.region;
      expect(endLine).toBe(startLine);
      return lines[startLine - 1].slice(startColumn - 1, endColumn - 1);
    });
    expect(spans).toEqual(['torch.load(ckpt)', "torch.load('more.pt')"]);
  });
});

describe('--fix', () => {
  test('rewrites only the changed source lines; outputs, metadata and layout stay byte for byte', async () => {
    const dir = tempRepo({ ...REPO, 'train.ipynb': fixture('unsafe-load.ipynb') });
    const { code, stdout } = await cli(dir, '--fix', 'train.ipynb', ...NO_VERSION_RULE);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '\nFixed 1 problem in 1 file.\n' });
    expect(read(dir, 'train.ipynb')).toBe(
      fixture('unsafe-load.ipynb').replace('    "sd = torch.load(\\"weights.pt\\")\\n",\n', '    "sd = torch.load(\\"weights.pt\\", weights_only=True)\\n",\n'),
    );
    expect((await cli(dir, 'train.ipynb', ...NO_VERSION_RULE)).code).toBe(0);
  });

  test('unusual formatting is kept: indent 4, one-string source with escapes, key order, no final newline', async () => {
    const dir = tempRepo({ ...REPO, 'odd.ipynb': fixture('odd-format.ipynb') });
    expect((await cli(dir, '--fix', 'odd.ipynb', ...NO_VERSION_RULE)).code).toBe(0);
    expect(read(dir, 'odd.ipynb')).toBe(
      fixture('odd-format.ipynb')
        .replace('sd = torch.load(ckpt)\\n', 'sd = torch.load(ckpt, weights_only=True)\\n')
        .replace(`"sd2 = torch.load('more.pt')\\n"`, `"sd2 = torch.load('more.pt', weights_only=True)\\n"`),
    );
  });

  test('--diff shows the change to the notebook file; nothing is written', async () => {
    const dir = tempRepo({ ...REPO, 'train.ipynb': fixture('unsafe-load.ipynb') });
    const { code, stdout } = await cli(dir, '--diff', 'train.ipynb', ...NO_VERSION_RULE);
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        '--- a/train.ipynb',
        '+++ b/train.ipynb',
        '@@ -39,7 +39,7 @@',
        '    "source": [',
        '     "!ls checkpoints\\n",',
        '     "model = nn.Linear(2, 2)\\n",',
        '-    "sd = torch.load(\\"weights.pt\\")\\n",',
        '+    "sd = torch.load(\\"weights.pt\\", weights_only=True)\\n",',
        '     "model.load_state_dict(sd)\\n",',
        '     "print(\\"loaded\\")"',
        '    ]',
        '',
      ].join('\n'),
    );
    expect(read(dir, 'train.ipynb')).toBe(fixture('unsafe-load.ipynb'));
  });

  test('imports a fix adds go into the cell of the imports; IPython lines come back as they were', async () => {
    // the checkpoint pickles argparse, numpy and a project class: the unsafe fix wraps the load and imports them
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.6\n', // safe_globals is 2.5+
      'myapp/__init__.py': '',
      'myapp/models.py': 'class Config:\n    pass\n',
      'a.ipynb': notebook([
        ['%load_ext autoreload\n', 'import torch'],
        ['!nvidia-smi\n', 'ckpt = torch.load("ckpt.pt")\n', 'print(ckpt)'],
      ]),
    });
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'checkpoints', 'training_ckpt.pt'), path.join(dir, 'ckpt.pt'));
    const run = await cli(dir, '--fix', '--unsafe-fixes', 'a.ipynb', ...NO_VERSION_RULE);
    expect(run.stdout).toBe('\nFixed 1 problem in 1 file.\n');
    const cells = JSON.parse(read(dir, 'a.ipynb')).cells.map((c: { source: string[] }) => c.source);
    expect(cells).toEqual([
      [
        '%load_ext autoreload\n',
        'import torch\n',
        'from torch.serialization import safe_globals\n',
        'from argparse import Namespace\n',
        'from numpy.core.multiarray import _reconstruct, scalar\n',
        'from numpy import ndarray, dtype\n',
        'from myapp.models import Config',
      ],
      [
        '!nvidia-smi\n',
        'with safe_globals([Namespace, (_reconstruct, "numpy.core.multiarray._reconstruct"), ndarray, dtype, (scalar, "numpy.core.multiarray.scalar"), Config, type(dtype("f4")), type(dtype("f8"))]):\n',
        '    ckpt = torch.load("ckpt.pt", weights_only=True)\n',
        'print(ckpt)',
      ],
    ]);
  });
});

test('lintText takes a notebook text: findings in cells, the fixed notebook as output', async () => {
  const text = notebook([['import torch'], ['m = torch.load(p)']]);
  const result = await lintText(text, { filePath: 'a.ipynb', torchVersion: '>=2.6', fix: true });
  expect(result.output).toBe(text.replace('"m = torch.load(p)"', '"m = torch.load(p, weights_only=True)"'));
  expect(result.fixCount).toBe(1);
  expect(result.messages).toEqual([]);
  const unfixed = await lintText(text, { filePath: 'a.ipynb', torchVersion: '>=2.6' });
  expect(unfixed.messages.map((m) => [m.ruleId, m.cell, m.line, m.column])).toEqual([['torch-load-missing-weights-only', 2, 1, 5]]);
});

describe('notebooks that cannot be checked', () => {
  const cases: [string, string, number, string][] = [
    ['invalid JSON', '{"cells": [', 2, 'Cannot read the notebook: it is not valid JSON ('],
    [
      'nbformat 3',
      JSON.stringify({ nbformat: 3, worksheets: [{ cells: [] }], metadata: {} }),
      2,
      'Notebook format 3 is not supported (nbformat 4 is); nothing was checked. Convert it with `jupyter nbconvert --to notebook --nbformat 4 --inplace FILE`.',
    ],
    [
      'no cells list',
      JSON.stringify({ nbformat: 4, metadata: {} }),
      2,
      'Cannot read the notebook: it has no "cells" list (not an nbformat 4 notebook); nothing was checked.',
    ],
    [
      'a cell without source',
      JSON.stringify({ nbformat: 4, metadata: {}, cells: [{ cell_type: 'code' }] }),
      2,
      'Cannot read the notebook: cell 1 has no "cell_type" or no "source" string or list of strings; nothing was checked.',
    ],
    [
      'an R kernel',
      notebook(['x <- readRDS("m.rds")'], { kernelspec: { language: 'R', name: 'ir' }, language_info: { name: 'R' } }),
      1,
      'Not a Python notebook (its kernel language is "R"): not checked.',
    ],
  ];
  test.each(cases)('%s: one message without a rule, never a crash', async (_, text, severity, message) => {
    const dir = tempRepo({ 'n.ipynb': text });
    const { code, stdout } = await cli(dir, '-f', 'json', '.');
    const [result] = JSON.parse(stdout);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ ruleId: null, severity });
    expect(result.messages[0].message.startsWith(message)).toBe(true);
    expect(code).toBe(severity === 2 ? 1 : 0);
  });

  test('a notebook without cells is checked and clean', async () => {
    const dir = tempRepo({ 'n.ipynb': notebook([]) });
    expect(await cli(dir, '-f', 'json', 'n.ipynb')).toEqual({
      code: 0,
      stdout: expect.stringContaining('"messages":[]'),
      stderr: '',
    });
  });

  test('a notebook that is not UTF-8 is said so', async () => {
    const dir = tempRepo({ 'n.ipynb': Buffer.from([0x7b, 0xff, 0x7d]) });
    const [result] = JSON.parse((await cli(dir, '-f', 'json', 'n.ipynb')).stdout);
    expect(result.messages[0]).toMatchObject({
      ruleId: null,
      severity: 2,
      fatal: true,
      message: 'Cannot decode the notebook as UTF-8 (nbformat files are UTF-8 JSON).',
    });
  });
});

describe('the Python text of a notebook', () => {
  test('keeps one line per cell line, after a boundary comment per cell; a tag found in the code is not reused', () => {
    const nb = parseNotebook(notebook([['# @nb0 is mine\n', '%cd /tmp\n', '  !ls'], 'x = 1\n']));
    if ('kind' in nb) throw new Error(nb.message);
    expect(virtualText(nb)).toEqual({
      text: '# @nb1 cell 1\n# @nb0 is mine\n# @nb1 m0\n# @nb1 m1\n# @nb1 cell 2\nx = 1\n',
      tag: '@nb1',
      magics: ['%cd /tmp', '  !ls'],
      cellNumbers: [1, 2],
    });
  });
});

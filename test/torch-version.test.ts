import * as path from 'node:path';
import { pythonParser } from '../src/syntax/parse';
import { declarationsInFile, lowestAllowed, torchRequirementFor } from '../src/torch/version';
import { secureSpecifier, toPep440 } from '../src/torch/specifier';
import * as fs from 'node:fs';
import { cli, tempRepo } from './helpers/cli';

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('lowestAllowed', () => {
  test.each([
    ['>=2.6', [2, 6, 0]],
    ['>=1.13,<3', [1, 13, 0]],
    ['<3,>=2.6.1', [2, 7, 0]], // there is no 2.6.1: the next release is 2.7.0
    ['==2.6.*', [2, 6, 0]],
    ['==2.5.1', [2, 5, 1]],
    ['~=2.6', [2, 6, 0]],
    ['>2.5', [2, 5, 1]], // the next release, not 2.5 itself
    ['>2.5.1', [2, 6, 0]],
    ['!=2.5.*,>=2.5', [2, 6, 0]], // PEP 440 prefix exclusion
    ['>=2.5,!=2.5.0,!=2.5.1', [2, 6, 0]],
    ['>= 2.6 , < 3', [2, 6, 0]],
    ['!=2.5.0', undefined],
    ['<2.6', undefined],
    ['', undefined],
    ['>=2.6,<2.5', undefined], // allows nothing
    ['>=2.6.0rc1', [2, 6, 0]], // pre-releases are not installed unless asked for
    ['==2.6.0+cu124', [2, 6, 0]],
    ['>=2.6.0+cu124', [2, 6, 0]], // a local label never changes the release meant
    ['>=2.14', [2, 14, 0]], // a release newer than the table
    ['>2.14', [2, 14, 1]],
    ['latest', undefined], // not PEP 440
  ])('PEP 440 %j → %j', (spec, expected) => {
    expect(lowestAllowed(spec)).toEqual(expected);
  });

  test.each([
    ['^2.6', [2, 6, 0]],
    ['^0.4', [0, 4, 0]],
    ['~2.8.0', [2, 8, 0]],
    ['~2.6', [2, 6, 0]],
    ['2.6', [2, 6, 0]],
    ['2.6.*', [2, 6, 0]],
    ['*', undefined],
    ['>=2.6 <3', [2, 6, 0]],
    ['^1.13 || ^2.6', [1, 13, 0]],
  ])('Poetry %j → %j', (spec, expected) => {
    expect(lowestAllowed(spec, 'poetry')).toEqual(expected);
  });

  test.each([
    ['=2.6', [2, 6, 0]],
    ['2.5.*', [2, 5, 0]],
    ['>=2.6,<3', [2, 6, 0]],
    ['2.5|2.6', [2, 5, 0]],
  ])('conda %j → %j', (spec, expected) => {
    expect(lowestAllowed(spec, 'conda')).toEqual(expected);
  });

  test.each([
    ['^2.6', '>=2.6,<3', 2.6, 3],
    ['^0.4.1', '>=0.4.1,<0.5', 0.4, 0.5],
    ['~2.6', '>=2.6,<2.7', 2.6, 2.7],
  ])('Poetry %j means %j', (poetry, pep440) => {
    expect(toPep440(poetry, 'poetry')).toEqual([pep440]);
  });
});

describe('secureSpecifier: only the releases from 2.10.0 on, the rest of the range kept', () => {
  test.each([
    ['>=2.6', 'pep440', '>=2.10'],
    ['>2.5', 'pep440', '>=2.10'],
    ['>= 2.0, < 3', 'pep440', '>= 2.10, < 3'],
    ['!=2.5.*,>=2.5', 'pep440', '!=2.5.*,>=2.10'],
    ['>=1.13,!=2.0.0', 'pep440', '>=2.10,!=2.0.0'],
    ['>2.5,>=2.1,<3', 'pep440', '>=2.10,<3'], // the other lower bound goes with its comma
    ['<3', 'pep440', '>=2.10,<3'],
    ['', 'pep440', '>=2.10'],
    ['~=2.0', 'pep440', '~=2.10'], // still == 2.*
    ['==2.5.1', 'pep440', '==2.10.0'], // a pin moves
    ['>=2.0,<2.6', 'pep440', undefined], // the upper bound excludes every fixed release
    ['~=2.5.0', 'pep440', undefined],
    ['==2.5.*', 'pep440', undefined],
    ['===2.5.1', 'pep440', undefined],
    ['latest', 'pep440', undefined],
    ['^2.0', 'poetry', '^2.10'],
    ['>=2.0 <3', 'poetry', '>=2.10 <3'],
    ['*', 'poetry', '>=2.10'],
    ['^1.13', 'poetry', undefined],
    ['~2.0', 'poetry', undefined],
    ['^2.0 || ^3.0', 'poetry', undefined],
    ['>=2.0', 'conda', '>=2.10'],
    ['2.5.*', 'conda', undefined],
    ['=2.5', 'conda', undefined],
  ] as const)('%j (%s) → %j', (spec, dialect, expected) => {
    expect(secureSpecifier(spec, dialect, '2.10.0')).toBe(expected);
  });
});

describe('where each declaration is written', () => {
  test.each([
    ['requirements.txt', 'numpy\r\n  torch[cpu] >= 2.0 ; python_version > "3.8"  # x\r\n', 2, 3, 'torch[cpu] >= 2.0', '>= 2.0'],
    ['requirements.txt', 'torch \n', 1, 1, 'torch', ''],
    ['requirements.txt', 'torch [cpu]  # x\n', 1, 1, 'torch [cpu]', ''],
    ['pyproject.toml', '[project]\ndependencies = ["numpy", \'torch>=2.6\']\n', 2, 27, 'torch>=2.6', '>=2.6'],
    ['pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.0"\n', 3, 1, 'torch = "^2.0"', '^2.0'],
    ['setup.cfg', '[options]\ninstall_requires = torch>=2.1\n', 2, 20, 'torch>=2.1', '>=2.1'],
    ['environment.yml', 'dependencies:\n  - pytorch-cuda=12.1\n  - pytorch=2.5=py3_cuda\n', 3, 5, 'pytorch=2.5=py3_cuda', undefined],
  ])('%s %j: line %d, column %d', (file, text, line, column, requirement, specifier) => {
    const [declaration] = declarationsInFile(`/p/${file}`, text);
    const span = declaration.span!;
    expect([span.line, span.column, text.slice(...span.range)]).toEqual([line, column, requirement]);
    expect(span.specifier && text.slice(...span.specifier)).toEqual(specifier);
  });

  test('the same requirement written twice is placed twice; other files declare nothing', () => {
    const text = '[project]\ndependencies = ["torch>=2.0"]\n[project.optional-dependencies]\ngpu = ["torch>=2.0"]\n';
    expect(declarationsInFile('/p/pyproject.toml', text).map((d) => d.span?.line)).toEqual([2, 4]);
    expect(declarationsInFile('/p/README.md', 'torch>=2.0\n')).toEqual([]);
  });
});

async function requirementOf(files: Record<string, string>, sub = '.') {
  const dir = tempRepo(files);
  return torchRequirementFor(path.join(dir, sub), await pythonParser(), new Map());
}

describe('declared torch requirements', () => {
  test.each([
    [
      'requirements.txt, with a -r include and markers',
      { 'requirements.txt': '# deps\nnumpy\n-r requirements/base.txt\n', 'requirements/base.txt': 'torch >= 2.6 ; python_version >= "3.9"  # GPU\n' },
      { allowsBefore26: false, source: 'requirements/base.txt: torch>= 2.6' },
    ],
    [
      'requirements-dev.txt allowing old torch wins',
      { 'requirements.txt': 'torch>=2.6\n', 'requirements-dev.txt': 'torch[cuda]>=2.1\n' },
      { allowsBefore26: true, source: 'requirements-dev.txt: torch>=2.1' },
    ],
    [
      'pyproject PEP 621',
      { 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["numpy", "torch>=2.6,<3"]\n' },
      { allowsBefore26: false, source: 'pyproject.toml: torch>=2.6,<3' },
    ],
    [
      'pyproject optional dependencies',
      { 'pyproject.toml': '[project]\nname = "x"\n[project.optional-dependencies]\ngpu = ["torch==2.4.1"]\n' },
      { allowsBefore26: true, source: 'pyproject.toml: torch==2.4.1' },
    ],
    [
      'Poetry caret',
      { 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.6"\n' },
      { allowsBefore26: false, source: 'pyproject.toml: torch = "^2.6"' },
    ],
    [
      'Poetry table with version',
      { 'pyproject.toml': '[tool.poetry.group.ml.dependencies]\ntorch = { version = ">=2.0", source = "pytorch" }\n' },
      { allowsBefore26: true, source: 'pyproject.toml: torch = ">=2.0"' },
    ],
    [
      'setup.cfg install_requires',
      { 'setup.cfg': '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    numpy\n    torch>=2.7\n' },
      { allowsBefore26: false, source: 'setup.cfg: torch>=2.7' },
    ],
    [
      'setup.py literal list through a name',
      { 'setup.py': 'from setuptools import setup\nREQS = ["numpy", "torch>=1.13"]\nsetup(name="x", install_requires=REQS)\n' },
      { allowsBefore26: true, source: 'setup.py: torch>=1.13' },
    ],
    [
      'setup.py inline list',
      { 'setup.py': 'import setuptools\nsetuptools.setup(install_requires=["torch==2.6.0"])\n' },
      { allowsBefore26: false, source: 'setup.py: torch==2.6.0' },
    ],
    [
      'environment.yml conda and pip',
      { 'environment.yml': 'dependencies:\n  - python=3.11\n  - pytorch::pytorch=2.6=py3.11_cuda12\n  - pip:\n    - torchvision\n' },
      { allowsBefore26: false, source: 'environment.yml: pytorch::pytorch=2.6=py3.11_cuda12' },
    ],
    ['environment.yml unpinned', { 'environment.yml': 'dependencies:\n  - pytorch\n' }, { allowsBefore26: true, source: 'environment.yml: pytorch' }],
    ['unpinned torch', { 'requirements.txt': 'torch\n' }, { allowsBefore26: true, source: 'requirements.txt: torch' }],
    ['a PEP 440 exclusion of 2.5.*', { 'requirements.txt': 'torch!=2.5.*,>=2.5\n' }, { allowsBefore26: false, source: 'requirements.txt: torch!=2.5.*,>=2.5' }],
    [
      'a range that allows nothing bounds nothing',
      { 'requirements.txt': 'torch>=2.6,<2.5\n' },
      { allowsBefore26: true, source: 'requirements.txt: torch>=2.6,<2.5 (allows no torch release)' },
    ],
    [
      'a specifier that is not PEP 440 bounds nothing',
      { 'requirements.txt': 'torch>=latest\n' },
      { allowsBefore26: true, source: 'requirements.txt: torch>=latest' },
    ],
    [
      'Poetry space-separated range',
      { 'pyproject.toml': '[tool.poetry.dependencies]\ntorch = ">=2.6 <3"\n' },
      { allowsBefore26: false, source: 'pyproject.toml: torch = ">=2.6 <3"' },
    ],
    [
      'nothing declared: the nearest declaration file names no torch, and says so',
      { 'requirements.txt': 'numpy\n' },
      {
        allowsBefore26: true,
        source: expect.stringMatching(
          /^no torch requirement read from requirements\.txt \(in pylint-torch-\w+\/, the nearest folder with declaration files\)$/,
        ),
      },
    ],
    [
      'PEP 735 dependency groups',
      { 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["torch>=2.6"]\n[dependency-groups]\ndev = ["torch>=2.0", "pytest"]\n' },
      { allowsBefore26: true, source: 'pyproject.toml: torch>=2.0' },
    ],
    [
      'a requirements/ folder',
      { 'requirements/base.txt': 'torch>=2.7\n', 'setup.py': 'from setuptools import setup\nsetup(name="x")\n' },
      { allowsBefore26: false, source: 'requirements/base.txt: torch>=2.7' },
    ],
    [
      'a docs-only requirements file decides nothing (no safe fix from the docs build)',
      {
        'requirements.txt': '-r requirements/runtime.txt\n',
        'requirements/runtime.txt': 'numpy\n',
        'requirements/docs.txt': 'torch>=2.6\n',
        'requirements-doc.txt': 'torch>=2.6\n',
      },
      { allowsBefore26: true, source: expect.stringMatching(/^no torch requirement read from requirements\/, requirements-doc\.txt, requirements\.txt \(in /) },
    ],
    [
      'a docs file included with -r is read',
      { 'requirements.txt': '-r requirements/docs.txt\n', 'requirements/docs.txt': 'torch>=2.6\n' },
      { allowsBefore26: false, source: 'requirements/docs.txt: torch>=2.6' },
    ],
  ])('%s', async (_name, files, expected) => {
    const { allowsBefore26, source } = await requirementOf(files);
    expect({ allowsBefore26, source }).toEqual(expected);
  });

  test.each([
    ['one bound', { 'requirements.txt': 'torch>=2.4,<3\n' }, { lowest: [2, 4, 0], lowestSource: 'requirements.txt: torch>=2.4,<3' }],
    [
      'the lowest of several',
      { 'requirements.txt': 'torch>=2.6\n', 'requirements-dev.txt': 'torch==2.5.1\n' },
      { lowest: [2, 5, 1], lowestSource: 'requirements-dev.txt: torch==2.5.1' },
    ],
    [
      'one unbounded declaration: no lowest',
      { 'requirements.txt': 'torch>=2.6\n', 'requirements-dev.txt': 'torch\n' },
      { lowest: undefined, lowestSource: undefined },
    ],
    ['nothing declared: no lowest', { 'requirements.txt': 'numpy\n' }, { lowest: undefined, lowestSource: undefined }],
    [
      'setup.py tuple beside requirements.txt',
      { 'setup.py': 'from setuptools import setup\nsetup(install_requires=("torch>=1.12",))\n', 'requirements.txt': 'torch>=2.6\n' },
      { lowest: [1, 12, 0], lowestSource: 'setup.py: torch>=1.12' },
    ],
    [
      'setup.py requirement built from pieces: no lowest',
      { 'setup.py': 'from setuptools import setup\nMIN = "2.6"\nsetup(install_requires=["torch>=" + MIN])\n' },
      { lowest: undefined, lowestSource: undefined },
    ],
    [
      'a pinned wheel URL',
      {
        'requirements.txt': 'https://download.pytorch.org/whl/cpu/torch-1.12.1%2Bcpu-cp310-cp310-linux_x86_64.whl\n',
        'pyproject.toml': '[project]\nname = "x"\ndependencies = ["torch>=2.6"]\n',
      },
      { lowest: [1, 12, 1], lowestSource: 'requirements.txt: torch==1.12.1' },
    ],
  ])('lowest allowed release: %s', async (_name, files, expected) => {
    const { lowest, lowestSource } = await requirementOf(files);
    expect({ lowest, lowestSource }).toEqual(expected);
  });

  test('the nearest folder with declarations decides', async () => {
    expect(await requirementOf({ 'requirements.txt': 'torch>=2.6\n', 'pkg/sub/a.py': '' }, 'pkg/sub')).toMatchObject({
      allowsBefore26: false,
      source: 'requirements.txt: torch>=2.6',
    });
  });

  test('a UTF-16 requirements.txt (PowerShell pip freeze) is read', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('numpy==1.26.0\r\ntorch==1.12.1\r\n', 'utf16le')]);
    const dir = tempRepo({ 'requirements.txt': utf16 });
    expect(torchRequirementFor(dir, await pythonParser(), new Map())).toMatchObject({ lowest: [1, 12, 1], lowestSource: 'requirements.txt: torch==1.12.1' });
  });

  test('the walk stops at the repository root (.git): a declaration above it decides nothing', async () => {
    expect(await requirementOf({ 'requirements.txt': 'torch>=2.6\n', 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/a.py': '' }, 'repo')).toMatchObject({
      allowsBefore26: true,
      source: 'no torch requirement declared',
    });
  });

  test('a malformed pyproject.toml decides nothing', async () => {
    expect(await requirementOf({ 'pyproject.toml': '[project\n', 'requirements.txt': 'torch>=2.6\n' })).toMatchObject({
      allowsBefore26: false,
      source: 'requirements.txt: torch>=2.6',
    });
  });
});

describe('torch version in the lint', () => {
  const CODE = 'import torch\nmodel = torch.load("m.pt")\nmodel.eval()\n';

  test('torch >= 2.6 declared: a warning that names the declaration, and the fix is safe', async () => {
    const dir = tempRepo({ 'requirements.txt': 'torch>=2.6\n', 'a.py': CODE });
    const { code, stdout } = await cli(dir, '-f', 'json');
    const [message] = JSON.parse(stdout)[0].messages;
    expect([message.messageId, message.severity, message.fix]).toEqual(['missingModern', 1, { range: [38, 38], text: ', weights_only=True', safety: 'safe' }]);
    expect(message.message).toContain('safe by default on the declared torch (requirements.txt: torch>=2.6) but will reject pickled objects');
    expect(code).toBe(0);
  });

  test.each([
    ['a Dockerfile ENV', { Dockerfile: 'FROM python:3.11\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n' }],
    ['os.environ in Python', { 'boot.py': 'import os\nos.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"\n' }],
    ['torch.load replaced by a partial', { 'compat.py': 'import functools\nimport torch\ntorch.load = functools.partial(torch.load, weights_only=False)\n' }],
    [
      'torch.load replaced under an alias',
      { 'compat.py': 'import functools\nimport torch as th\nsetattr(th, "load", functools.partial(th.load, weights_only=False))\n' },
    ],
  ] as [string, Record<string, string>][])(
    'torch >= 2.6 but the default weakened process-wide (%s): the fix is no longer a safe no-op',
    async (_name, files) => {
      const dir = tempRepo({ 'requirements.txt': 'torch>=2.6\n', 'a.py': CODE, ...files });
      await cli(dir, '--fix');
      expect(read(dir, 'a.py')).toBe(CODE);
      const results = JSON.parse((await cli(dir, '-f', 'json', '--unsafe-fixes')).stdout);
      const message = results.find((r: { filePath: string }) => r.filePath.endsWith('a.py')).messages[0];
      expect([message.messageId, message.fix]).toEqual(['missing', undefined]); // nothing shows what the file holds
    },
  );

  test('torch < 2.6 allowed: an error that names the declaration', async () => {
    const dir = tempRepo({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["torch>=2.0"]\n', 'src/a.py': CODE });
    const { code, stdout } = await cli(dir, '-f', 'json');
    const [message] = JSON.parse(stdout).find((r: { filePath: string }) => r.filePath.endsWith('a.py')).messages;
    expect([message.messageId, message.severity, message.fix]).toEqual(['missing', 2, undefined]);
    expect(message.message).toContain('(pyproject.toml: torch>=2.0)');
    expect(code).toBe(1);
  });

  test('config torchVersion overrides the declarations; hub loaders stay errors', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=1.13\n',
      '.pylintrc-ts.json': JSON.stringify({ torchVersion: '2.7' }),
      'a.py': `${CODE}torch.hub.load_state_dict_from_url(u)\n`,
    });
    const messages = JSON.parse((await cli(dir, '-f', 'json')).stdout)[0].messages;
    expect(messages.map((m: { messageId: string; severity: number }) => [m.messageId, m.severity])).toEqual([
      ['missingModern', 1],
      ['missingRemote', 2],
    ]);
    expect(messages[0].message).toContain('(.pylintrc-ts.json: torchVersion "2.7")');
  });

  test('an invalid torchVersion is a config error', async () => {
    const dir = tempRepo({ '.pylintrc-ts.json': JSON.stringify({ torchVersion: 'latest' }), 'a.py': CODE });
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('torchVersion: expected a version like "2.6" or a PEP 440 range like ">=2.6,<3" that allows a torch release, got "latest"');
  });
});

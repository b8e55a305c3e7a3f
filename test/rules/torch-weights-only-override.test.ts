import rule from '../../rules/torch-weights-only-override';
import { lintNonPythonText, matchesTextCheck } from '../../src/engine/linter';
import type { InvalidTestCase } from '../../src/testing/rule-tester';
import { weakeningLine } from '../../src/torch/prescan';
import { includes, type PythonRunTests, ruleTester } from '../helpers/rule-tester';

type MessageId = 'env' | 'envChild' | 'envFile' | 'defaultPatch' | 'patch' | 'patchPickleModule';

const OS = 'import os\n';
const T = 'import torch\n';
const ENV = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';

// The messages, written out here so that a change to the rule's templates shows in its tests.
const REMEDY_ENV = 'Remove it and allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.';
const REMEDY_LOAD = 'Load with `weights_only=True` and `torch.serialization.safe_globals([...])` where it is needed.';
const ENV_MESSAGE = `Setting ${ENV} makes every torch.load in the process that omits weights_only unpickle with full pickle (code execution on a malicious file), library code included. ${REMEDY_ENV}`;
const envChild = (where: string) =>
  `Setting ${ENV} in ${where} makes every torch.load of the child process that omits weights_only unpickle with full pickle (code execution on a malicious file), library code included. ${REMEDY_ENV}`;
const defaultPatch = (target: string) =>
  `Replacing \`${target}\` switches the weights_only default off for every torch.load in the process (code execution on a malicious file), library code included. ${REMEDY_LOAD}`;
const patch = (target: string, how: string) =>
  `Replacing \`${target}\` with ${how} that forces \`weights_only=False\` turns off safe loading for every caller in the process (code execution on a malicious file), library code included. ${REMEDY_LOAD}`;
const patchPickleModule = (target: string, how: string) =>
  `Replacing \`${target}\` with ${how} that passes \`pickle_module\` turns off safe loading for every caller in the process that omits weights_only: torch >= 2.6 defaults to weights_only=True only when no pickle_module is passed (code execution on a malicious file), library code included. ${REMEDY_LOAD}`;
const PARTIAL = '`functools.partial(...)`';

const python: PythonRunTests<MessageId> = {
  valid: [
    `${OS}os.environ["TORCH_FORCE_WEIGHTS_ONLY_LOAD"] = "1"\n`,
    `${OS}os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "0"\n`,
    `${OS}os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "True"\n`,
    `${T}_orig = torch.serialization._default_to_weights_only\ntorch.serialization._default_to_weights_only = _orig\n`,
    `${OS}os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "false")\n`,
    `${OS}flag = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")\n`,
    `${OS}os.environ.pop("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", None)\n`,
    `env = {}\nenv["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"\n`,
    `${T}import functools\ntorch.load = functools.partial(torch.load, map_location="cpu")\n`,
    `${T}_orig = torch.load\n\ndef strict(*args, **kwargs):\n    kwargs["weights_only"] = True\n    return _orig(*args, **kwargs)\n\ntorch.load = strict\n`,
    `${T}_orig = torch.load\ntorch.load = patched\ntorch.load = _orig\n`,
    `${T}from unittest import mock\ntorch.save = mock.Mock()\n`,
    `${T}msg = "torch.load = functools.partial(torch.load, weights_only=False)"\n`,
    // restoring what was saved: by assignment, in another scope, in a `finally`, with setattr
    `${T}original_load = torch.load\n\ndef teardown():\n    torch.load = original_load\n`,
    `${T}from unittest import mock\n_orig = torch.load\ntry:\n    torch.load = mock.Mock()\n    run()\nfinally:\n    torch.load = _orig\n`,
    `${T}saved = torch.load\nsetattr(torch, "load", saved)\n`,
    // mocks in tests: no replacement (a MagicMock), or putting the original back
    `${T}from unittest import mock\n\n@mock.patch("torch.load")\ndef test_mocked(load):\n    with mock.patch.object(torch, "load", return_value={}):\n        pass\n\ndef test_restore(monkeypatch):\n    monkeypatch.setattr(torch, "load", torch.load)\n`,
    `${T}saved = dict(torch.load.__kwdefaults__)\ntorch.load.__kwdefaults__ = saved\n`,
    `${T}saved = torch.load.__kwdefaults__.copy()\nsetattr(torch.load, "__kwdefaults__", saved)\n`,
    // keyword defaults that stay safe: another key, True, None (torch decides), the original merged back
    `${T}torch.load.__kwdefaults__["mmap"] = True\n`,
    `${T}torch.load.__kwdefaults__["weights_only"] = True\n`,
    `${T}torch.load.__kwdefaults__.update(weights_only=None, mmap=True)\n`,
    `${T}setattr(torch.load, "__kwdefaults__", {**torch.load.__kwdefaults__, "mmap": True})\n`,
    // the safe direction, and values torch does not read as on ("1", "y", "yes", "true" are)
    `${OS}from unittest.mock import patch\n\n@patch.dict(os.environ, {"TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1"})\ndef test_strict():\n    pass\n`,
    `${OS}from unittest import mock\nwith mock.patch.dict(os.environ, {"${ENV}": "0"}):\n    pass\n`,
    `${OS}os.environ.update({"${ENV}": ""})\nos.environ.setdefault("${ENV}", "0")\nos.putenv("${ENV}", "false")\n`,
    `${OS}import subprocess\nsubprocess.run(["python", "t.py"], env={**os.environ, "${ENV}": "0"})\nsubprocess.run(["python", "t.py"], env={**os.environ, "TORCH_FORCE_WEIGHTS_ONLY_LOAD": "1"})\n`,
    // not the environment: a dict patched for a test, a plain dict
    `from unittest.mock import patch\nconfig = {}\nwith patch.dict(config, {"${ENV}": "1"}):\n    pass\n`,
    // replacements that do not weaken: map_location only, forcing True, handing on the caller's pickle_module
    `class Loader:\n    def setup(self):\n        import functools\n        self.torch.load = functools.partial(self.torch.load, map_location="cpu")\n`,
    `${T}import functools\ntorch.load = functools.partial(torch.load, weights_only=True, pickle_module=None)\n`,
    `${T}_orig = torch.load\n\ndef cpu(f, pickle_module=None, **kwargs):\n    return _orig(f, map_location="cpu", pickle_module=pickle_module, **kwargs)\n\ntorch.load = cpu\n`,
    `${T}_orig = torch.load\ntorch.load = lambda f, **k: _orig(f, pickle_module=k.get("pickle_module"))\n`,
  ],
  invalid: [
    {
      name: 'os.environ[...] = "1"',
      code: `${OS}os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"\n`,
      errors: [{ messageId: 'env', line: 2, column: 1, severity: 2 }],
    },
    {
      name: 'os.environ.setdefault with a value we cannot read',
      code: `${OS}os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", flag)\n`,
      errors: [{ messageId: 'env', line: 2, column: 1 }],
    },
    {
      name: 'from os import environ, update with a dict and with keywords, putenv',
      code: 'from os import environ, putenv\nenviron.update({"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "yes"})\nenviron.update(TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="true")\nputenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")\n',
      errors: [
        { messageId: 'env', line: 2, column: 1 },
        { messageId: 'env', line: 3, column: 1 },
        { messageId: 'env', line: 4, column: 1 },
      ],
    },
    {
      name: 'pytest monkeypatch.setenv',
      code: 'def test_old(monkeypatch):\n    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")\n',
      errors: [{ messageId: 'env', line: 2, column: 5 }],
    },
    {
      name: 'the variable name through a constant',
      code: `${OS}FLAG = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"\nos.environ[FLAG] = "1"\n`,
      errors: [{ messageId: 'env', line: 3, column: 1 }],
    },
    {
      name: 'torch internals that decide the default',
      code: `${T}torch.serialization._default_to_weights_only = lambda pickle_module=None: False\ntorch.load.__kwdefaults__["weights_only"] = False\n`,
      errors: [
        { messageId: 'defaultPatch', line: 2, column: 1, message: includes('`torch.serialization._default_to_weights_only`') },
        { messageId: 'defaultPatch', line: 3, column: 1, message: includes('`torch.load.__kwdefaults__`') },
      ],
    },
    {
      name: 'functools.partial with weights_only=False',
      code: `${T}from functools import partial\ntorch.load = partial(torch.load, weights_only=False)\n`,
      errors: [{ messageId: 'patch', line: 3, column: 1, message: includes('Replacing `torch.load` with `functools.partial(...)`') }],
    },
    {
      name: 'lambda into torch.serialization.load',
      code: `${T}torch.load = lambda *a, **k: torch.serialization.load(*a, **k, weights_only=False)\n`,
      errors: [{ messageId: 'patch', line: 2, column: 1, message: includes('with a lambda') }],
    },
    {
      name: 'a def that sets the keyword when it is missing',
      code: `${T}_original = torch.load\n\ndef patched(*args, **kwargs):\n    if "weights_only" not in kwargs:\n        kwargs["weights_only"] = False\n    return _original(*args, **kwargs)\n\ntorch.load = patched\n`,
      errors: [{ messageId: 'patch', line: 9, column: 1, message: includes('`patched` (line 4)') }],
    },
    {
      name: 'setdefault in a def, installed with setattr through an alias',
      code: `import torch as th\n\ndef loose(*args, **kwargs):\n    kwargs.setdefault("weights_only", False)\n    return th.serialization.load(*args, **kwargs)\n\nsetattr(th, "load", loose)\n`,
      errors: [{ messageId: 'patch', line: 7, column: 1, message: includes('Replacing `torch.load` with `loose` (line 3)') }],
    },
    {
      name: 'setattr of the keyword defaults',
      code: `${T}setattr(torch.load, "__kwdefaults__", {"weights_only": False, "mmap": None})\n`,
      errors: [{ messageId: 'defaultPatch', line: 2, column: 1, severity: 2, message: defaultPatch('torch.load.__kwdefaults__') }],
    },
    {
      name: 'the keyword defaults replaced whole, through an alias',
      code: `import torch as th\nth.load.__kwdefaults__ = {"weights_only": False, "mmap": None}\n`,
      errors: [{ messageId: 'defaultPatch', line: 2, column: 1, message: defaultPatch('torch.load.__kwdefaults__') }],
    },
    {
      name: '__setattr__ and update on the keyword defaults',
      code: `${T}torch.load.__setattr__("__kwdefaults__", {**torch.load.__kwdefaults__, "weights_only": False})\ntorch.serialization.load.__kwdefaults__.update({"weights_only": False})\n`,
      errors: [
        { messageId: 'defaultPatch', line: 2, column: 1, message: defaultPatch('torch.load.__kwdefaults__') },
        { messageId: 'defaultPatch', line: 3, column: 1, message: defaultPatch('torch.serialization.load.__kwdefaults__') },
      ],
    },
    {
      name: 'setattr(torch, "load", partial), object.__setattr__ and __setattr__',
      code: `${T}import functools\nsetattr(torch, "load", functools.partial(torch.load, weights_only=False))\nloose = functools.partial(torch.serialization.load, weights_only=False)\nobject.__setattr__(torch.serialization, "load", loose)\n_orig = torch.load\ntorch.__setattr__("load", lambda f, **k: _orig(f, **k, weights_only=False))\n`,
      errors: [
        { messageId: 'patch', line: 3, column: 1, message: patch('torch.load', PARTIAL) },
        { messageId: 'patch', line: 5, column: 1, message: patch('torch.serialization.load', '`loose` (line 4)') },
        { messageId: 'patch', line: 7, column: 1, message: patch('torch.load', 'a lambda') },
      ],
    },
    {
      name: 'unittest.mock patch.dict of os.environ, as a decorator, in a with, and pytest-mock',
      code: `${OS}from unittest import mock\nfrom unittest.mock import patch\n\n@patch.dict(os.environ, {"${ENV}": "1"})\ndef test_old():\n    with mock.patch.dict("os.environ", ${ENV}="yes"):\n        pass\n\ndef test_mocker(mocker):\n    mocker.patch.dict(os.environ, values={"${ENV}": "true"}, clear=True)\n`,
      errors: [
        { messageId: 'env', line: 5, column: 2, message: ENV_MESSAGE },
        { messageId: 'env', line: 7, column: 10, message: ENV_MESSAGE },
        { messageId: 'env', line: 11, column: 5, message: ENV_MESSAGE },
      ],
    },
    {
      name: 'os.environ.update, setdefault and os.putenv with "1"',
      code: `${OS}os.environ.update({"${ENV}": "1"})\nos.environ.setdefault("${ENV}", "1")\nos.putenv("${ENV}", "1")\n`,
      errors: [
        { messageId: 'env', line: 2, column: 1, message: ENV_MESSAGE },
        { messageId: 'env', line: 3, column: 1, message: ENV_MESSAGE },
        { messageId: 'env', line: 4, column: 1, message: ENV_MESSAGE },
      ],
    },
    {
      name: 'the environment of a child process: subprocess, os.execve, a copy of os.environ',
      code: `${OS}import subprocess\nsubprocess.run(["python", "t.py"], env={**os.environ, "${ENV}": "1"})\nsubprocess.Popen(["python", "t.py"], env=dict(os.environ, ${ENV}="true"))\nchild = {**os.environ, "${ENV}": "y"}\nsubprocess.check_call(["python", "t.py"], env=child)\nsubprocess.check_output(["python", "t.py"], env={"PATH": "/usr/bin", "${ENV}": "1"})\nos.execve("/usr/bin/python3", ["python3", "t.py"], child)\nenv = os.environ.copy()\nenv["${ENV}"] = "1"\nsubprocess.call(["python", "t.py"], env=env)\n`,
      errors: [
        { messageId: 'envChild', line: 3, column: 1, message: envChild('the environment passed to `subprocess.run`') },
        { messageId: 'envChild', line: 4, column: 1, message: envChild('the environment passed to `subprocess.Popen`') },
        { messageId: 'envChild', line: 6, column: 1, message: envChild('the environment passed to `subprocess.check_call`') },
        { messageId: 'envChild', line: 7, column: 1, message: envChild('the environment passed to `subprocess.check_output`') },
        { messageId: 'envChild', line: 8, column: 1, message: envChild('the environment passed to `os.execve`') },
        { messageId: 'envChild', line: 10, column: 1, message: envChild('a copy of `os.environ`') },
      ],
    },
    {
      name: 'torch.load replaced through another module, and through an object',
      code: `import functools\nimport lib.checkpoint\nfrom lib import checkpoint as ck\n\nlib.checkpoint.torch.load = functools.partial(lib.checkpoint.torch.load, weights_only=False)\nck.torch.load = functools.partial(ck.torch.load, weights_only=False)\n\nclass Loader:\n    def setup(self):\n        self.torch.load = lambda f: self.torch.serialization.load(f, weights_only=False)\n`,
      errors: [
        { messageId: 'patch', line: 5, column: 1, message: patch('lib.checkpoint.torch.load', PARTIAL) },
        { messageId: 'patch', line: 6, column: 1, message: patch('lib.checkpoint.torch.load', PARTIAL) },
        { messageId: 'patch', line: 10, column: 9, message: patch('self.torch.load', 'a lambda') },
      ],
    },
    {
      name: 'in tests: monkeypatch.setattr and unittest.mock.patch with a replacement',
      code: `${T}import functools\nfrom unittest import mock\n\ndef test_old(monkeypatch):\n    monkeypatch.setattr(torch, "load", functools.partial(torch.load, weights_only=False))\n    monkeypatch.setattr("torch.serialization.load", functools.partial(torch.serialization.load, weights_only=False))\n\n@mock.patch("torch.load", new=functools.partial(torch.load, weights_only=False))\ndef test_patched():\n    with mock.patch.object(torch, "load", functools.partial(torch.load, weights_only=False)):\n        pass\n`,
      errors: [
        { messageId: 'patch', line: 6, column: 5, message: patch('torch.load', PARTIAL) },
        { messageId: 'patch', line: 7, column: 5, message: patch('torch.serialization.load', PARTIAL) },
        { messageId: 'patch', line: 9, column: 2, message: patch('torch.load', PARTIAL) },
        { messageId: 'patch', line: 11, column: 10, message: patch('torch.load', PARTIAL) },
      ],
    },
    {
      name: 'a parameter named torch: the chain is judged as written',
      code: `def patch_torch(torch):\n    torch.load = lambda f: torch.serialization.load(f, weights_only=False)\n`,
      errors: [{ messageId: 'patch', line: 2, column: 5, message: patch('torch.load', 'a lambda') }],
    },
    {
      name: 'a replacement that passes its own pickle_module (partial, def, lambda)',
      code: `${T}import dill, pickle\nfrom functools import partial\ntorch.load = partial(torch.load, pickle_module=dill)\n_orig = torch.serialization.load\n\ndef with_dill(*args, **kwargs):\n    kwargs.setdefault("pickle_module", dill)\n    return _orig(*args, **kwargs)\n\ntorch.serialization.load = with_dill\nsetattr(torch, "load", lambda f, **k: _orig(f, pickle_module=pickle, **k))\n`,
      errors: [
        { messageId: 'patchPickleModule', line: 4, column: 1, message: patchPickleModule('torch.load', PARTIAL) },
        { messageId: 'patchPickleModule', line: 11, column: 1, message: patchPickleModule('torch.serialization.load', '`with_dill` (line 7)') },
        { messageId: 'patchPickleModule', line: 12, column: 1, message: patchPickleModule('torch.load', 'a lambda') },
      ],
    },
    {
      name: 'a temporary weakening: the patch is reported, the restore in finally is not',
      code: `${T}import functools\n_orig = torch.load\ntorch.load = functools.partial(_orig, weights_only=False)\ntry:\n    run()\nfinally:\n    torch.load = _orig\n`,
      errors: [{ messageId: 'patch', line: 4, column: 1, message: patch('torch.load', PARTIAL) }],
    },
  ],
};
ruleTester.run('torch-weights-only-override', rule, python);

// the rule's text check: Dockerfiles, shell/batch/PowerShell scripts, .env, CI and compose YAML, by file name
const nonPython: PythonRunTests<MessageId> = {
  valid: [
    { filename: 'Dockerfile', code: 'ENV TORCH_FORCE_WEIGHTS_ONLY_LOAD=1\n# ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n' },
    { filename: 'run.sh', code: 'export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=0\necho $TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD\n' },
    { filename: 'run.sh', code: 'export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1  # pylint-torch: disable=torch-weights-only-override\n' },
    { filename: '.gitlab-ci.yml', code: 'variables:\n  TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: 0\n' },
  ],
  invalid: [
    {
      filename: 'Dockerfile',
      code: 'FROM python:3.11\nENV PIP_NO_CACHE_DIR=1 \\\n    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
      errors: [{ messageId: 'envFile', line: 3, column: 5, endColumn: 37 }],
    },
    {
      filename: 'docker/Dockerfile.gpu',
      code: 'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD 1\n',
      errors: [{ messageId: 'envFile', line: 1, column: 5, endColumn: 37 }],
    },
    {
      filename: 'Dockerfile',
      code: 'RUN TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 python -c "import x"\n',
      errors: [{ messageId: 'envFile', line: 1, column: 5, endColumn: 37 }],
    },
    {
      filename: 'scripts/train.sh',
      code: '#!/bin/bash\nexport TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="${TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD:-1}"\n',
      errors: [{ messageId: 'envFile', line: 2, column: 8, endColumn: 40 }],
    },
    {
      filename: 'run.sh',
      code: 'CUDA_VISIBLE_DEVICES=0 TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 \\\n  python train.py\n',
      errors: [{ messageId: 'envFile', line: 1, column: 24, endColumn: 56 }],
    },
    {
      filename: 'run.bat',
      code: 'REM set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\nset TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
      errors: [{ messageId: 'envFile', line: 2, column: 5, endColumn: 37 }],
    },
    { filename: 'run.ps1', code: '$env:TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD = "1"\n', errors: [{ messageId: 'envFile', line: 1, column: 6, endColumn: 38 }] },
    { filename: '.env', code: 'A=1\nTORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=true\n', errors: [{ messageId: 'envFile', line: 2, column: 1, endColumn: 33 }] },
    {
      filename: '.github/workflows/ci.yml',
      code: 'jobs:\n  test:\n    env:\n      TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: "1"\n',
      errors: [{ messageId: 'envFile', line: 4, column: 7, endColumn: 39 }],
    },
    {
      filename: 'docker-compose.yml',
      code: 'services:\n  app:\n    environment:\n      - TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
      errors: [{ messageId: 'envFile', line: 4, column: 9, endColumn: 41 }],
    },
  ],
};
ruleTester.run('torch-weights-only-override (non-Python files)', rule, nonPython);

// src/torch/prescan.ts decides, before any file is linted, whether the "already the default on torch >= 2.6" fixes
// are safe: it must see every weakening this rule reports (it may see more), or a safe fix could turn unsafe
test.each([...python.invalid, ...nonPython.invalid].map((c) => [c.name ?? `${c.filename}: ${c.code.split('\n')[0]}`, c] as const))(
  'torch-weights-only-override: the pre-scan sees the weakening in %s',
  (_name, testCase: InvalidTestCase<MessageId>) => {
    const isPython = (testCase.filename ?? 'test.py').endsWith('.py');
    expect(weakeningLine(testCase.code, isPython)).toBeDefined();
  },
);

test('torch-weights-only-override: the pre-scan looks at the text only where it needs to', () => {
  // a restore alone, with nothing that forces weights_only or a pickle_module, is no weakening
  expect(weakeningLine(`${T}_orig = torch.load\ntorch.load = _orig\n`, true)).toBeUndefined();
  // a mock installed without a replacement neither
  expect(
    weakeningLine('from unittest import mock\n@mock.patch("lib.torch.load")\ndef test(load):\n    assert load.call_args.kwargs["weights_only"]\n', true),
  ).toBeUndefined();
  expect(
    weakeningLine(
      'from unittest import mock\n@mock.patch(\n    "lib.torch.load",  # the loader\n    new=loose,\n)\ndef test():\n    f(weights_only=False)\n',
      true,
    ),
  ).toBe(2);
  // the first weakening's line, whichever form comes first
  expect(weakeningLine(`${T}import th\nx = 1\nth.load = p  # weights_only\nos.environ["${ENV}"] = "1"\n`, true)).toBe(4);
  expect(weakeningLine(`${T}setattr(\n    torch,  # the module\n    "load",\n    loose,\n)\nf(weights_only=False)\n`, true)).toBe(2);
  expect(weakeningLine(`${T}(torch  # c\n .load) = loose  # weights_only\n`, true)).toBe(3);
  // Python forms count in Python files only; the variable counts everywhere
  expect(weakeningLine('torch.load.__kwdefaults__ = {}\n', false)).toBeUndefined();
  expect(weakeningLine(`A=1\n${ENV}=0\n`, false)).toBe(2);
});

test('torch-weights-only-override: YAML other than CI and compose files is not checked', () => {
  expect(matchesTextCheck(rule.text!, '/r/config.yml')).toBe(false);
  expect(lintNonPythonText('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: 1\n', '/r/config.yml', [{ rule, severity: 'error', options: {} }])).toEqual([]);
});

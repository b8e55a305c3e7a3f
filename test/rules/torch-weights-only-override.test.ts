import rule from '../../rules/torch-weights-only-override';
import { lintNonPythonText, matchesTextCheck } from '../../src/engine/linter';
import { includes, ruleTester } from '../helpers/rule-tester';

const OS = 'import os\n';
const T = 'import torch\n';

ruleTester.run('torch-weights-only-override', rule, {
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
  ],
});

// the rule's text check: Dockerfiles, shell/batch/PowerShell scripts, .env, CI and compose YAML, by file name
ruleTester.run('torch-weights-only-override (non-Python files)', rule, {
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
});

test('torch-weights-only-override: YAML other than CI and compose files is not checked', () => {
  expect(matchesTextCheck(rule.text!, '/r/config.yml')).toBe(false);
  expect(lintNonPythonText('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: 1\n', '/r/config.yml', [{ rule, severity: 'error', options: {} }])).toEqual([]);
});

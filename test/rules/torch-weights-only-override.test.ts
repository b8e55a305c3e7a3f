import rule from '../../rules/torch-weights-only-override';
import { lintNonPythonText } from '../../src/engine/linter';
import { runRuleTests } from '../helpers/rule-tester';

const OS = 'import os\n';
const T = 'import torch\n';

runRuleTests(rule, {
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
        { messageId: 'defaultPatch', line: 2, column: 1, messageIncludes: '`torch.serialization._default_to_weights_only`' },
        { messageId: 'defaultPatch', line: 3, column: 1, messageIncludes: '`torch.load.__kwdefaults__`' },
      ],
    },
    {
      name: 'functools.partial with weights_only=False',
      code: `${T}from functools import partial\ntorch.load = partial(torch.load, weights_only=False)\n`,
      errors: [{ messageId: 'patch', line: 3, column: 1, messageIncludes: 'Replacing `torch.load` with `functools.partial(...)`' }],
    },
    {
      name: 'lambda into torch.serialization.load',
      code: `${T}torch.load = lambda *a, **k: torch.serialization.load(*a, **k, weights_only=False)\n`,
      errors: [{ messageId: 'patch', line: 2, column: 1, messageIncludes: 'with a lambda' }],
    },
    {
      name: 'a def that sets the keyword when it is missing',
      code: `${T}_original = torch.load\n\ndef patched(*args, **kwargs):\n    if "weights_only" not in kwargs:\n        kwargs["weights_only"] = False\n    return _original(*args, **kwargs)\n\ntorch.load = patched\n`,
      errors: [{ messageId: 'patch', line: 9, column: 1, messageIncludes: '`patched` (line 4)' }],
    },
    {
      name: 'setdefault in a def, installed with setattr through an alias',
      code: `import torch as th\n\ndef loose(*args, **kwargs):\n    kwargs.setdefault("weights_only", False)\n    return th.serialization.load(*args, **kwargs)\n\nsetattr(th, "load", loose)\n`,
      errors: [{ messageId: 'patch', line: 7, column: 1, messageIncludes: 'Replacing `torch.load` with `loose` (line 3)' }],
    },
  ],
});

describe('torch-weights-only-override in non-Python files', () => {
  const setting = [{ rule, severity: 'error' as const, options: {} }];
  const found = (file: string, text: string) => lintNonPythonText(text, file, setting).map((p) => [p.ruleId, p.line, p.column, p.endColumn]);
  const ID = 'torch-weights-only-override';

  test.each([
    ['/r/Dockerfile', 'FROM python:3.11\nENV PIP_NO_CACHE_DIR=1 \\\n    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n', [[ID, 3, 5, 37]]],
    ['/r/docker/Dockerfile.gpu', 'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD 1\n', [[ID, 1, 5, 37]]],
    ['/r/Dockerfile', 'RUN TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 python -c "import x"\n', [[ID, 1, 5, 37]]],
    ['/r/Dockerfile', 'ENV TORCH_FORCE_WEIGHTS_ONLY_LOAD=1\n# ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n', []],
    ['/r/scripts/train.sh', '#!/bin/bash\nexport TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="${TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD:-1}"\n', [[ID, 2, 8, 40]]],
    ['/r/run.sh', 'CUDA_VISIBLE_DEVICES=0 TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 \\\n  python train.py\n', [[ID, 1, 24, 56]]],
    ['/r/run.sh', 'export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=0\necho $TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD\n', []],
    ['/r/run.sh', 'export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1  # pylint-torch: disable=torch-weights-only-override\n', []],
    ['/r/run.bat', 'REM set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\nset TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n', [[ID, 2, 5, 37]]],
    ['/r/run.ps1', '$env:TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD = "1"\n', [[ID, 1, 6, 38]]],
    ['/r/.env', 'A=1\nTORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=true\n', [[ID, 2, 1, 33]]],
    ['/r/.github/workflows/ci.yml', 'jobs:\n  test:\n    env:\n      TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: "1"\n', [[ID, 4, 7, 39]]],
    ['/r/.gitlab-ci.yml', 'variables:\n  TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: 0\n', []],
    ['/r/docker-compose.yml', 'services:\n  app:\n    environment:\n      - TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n', [[ID, 4, 9, 41]]],
    ['/r/config.yml', 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: 1\n', []],
  ])('%s: %j', (file, text, expected) => {
    expect(found(file, text)).toEqual(expected);
  });
});

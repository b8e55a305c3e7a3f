import rule from '../../rules/torch-unsafe-safe-globals';
import { includes, ruleTester } from '../helpers/rule-tester';
import { ISSUE_13_CODE_RUNNERS } from '../helpers/checkpoints';

const T = 'import torch\n';

ruleTester.run('torch-unsafe-safe-globals', rule, {
  valid: [
    `${T}import argparse\ntorch.serialization.add_safe_globals([argparse.Namespace])\n`,
    `${T}from omegaconf import DictConfig\nwith torch.serialization.safe_globals([DictConfig]):\n    ckpt = torch.load(p, weights_only=True)\n`,
    `${T}import numpy as np\ntorch.serialization.add_safe_globals([(np.core.multiarray.scalar, "numpy.core.multiarray.scalar"), np.dtype])\n`,
    `${T}bad = torch.serialization.get_unsafe_globals_in_checkpoint(p)\nif bad:\n    raise ValueError(f"untrusted globals: {bad}")\n`,
    `${T}allowed = [eval]\n`,
    `${T}TRUSTED = {"argparse.Namespace": argparse.Namespace}\nneeded = torch.serialization.get_unsafe_globals_in_checkpoint(p)\nallowed = [TRUSTED[n] for n in needed if n in TRUSTED]\nwith torch.serialization.safe_globals(allowed):\n    obj = torch.load(p, weights_only=True)\n`,
  ],
  invalid: [
    {
      name: 'builtins and os in add_safe_globals',
      code: `${T}import os\ntorch.serialization.add_safe_globals([eval, os.system, getattr])\n`,
      errors: [
        { messageId: 'dangerous', line: 3, column: 39, severity: 2, message: includes('`builtins.eval`') },
        { messageId: 'dangerous', line: 3, column: 45, message: includes('module `os`') },
        { messageId: 'dangerous', line: 3, column: 56, message: includes('`builtins.getattr`') },
      ],
    },
    {
      name: 'functools.partial and torch.load in a safe_globals block, via from-imports',
      code: `${T}from functools import partial\nfrom torch.serialization import safe_globals\nwith safe_globals([partial, torch.load]):\n    x = torch.load(p, weights_only=True)\n`,
      errors: [
        { messageId: 'dangerous', line: 4, column: 20, message: includes('`functools.partial`') },
        { messageId: 'dangerous', line: 4, column: 29, message: includes('unpickles again with full pickle') },
      ],
    },
    {
      name: 'gadgets beyond the FACTS list: a browser, a debugger, another unpickler',
      code: `${T}import webbrowser, pdb\nimport pandas as pd\ntorch.serialization.add_safe_globals([webbrowser.open, pdb.run, pd.read_pickle])\n`,
      errors: [
        { messageId: 'dangerous', line: 4, column: 39, message: includes('module `webbrowser`') },
        { messageId: 'dangerous', line: 4, column: 56, message: includes('module `pdb`') },
        { messageId: 'dangerous', line: 4, column: 65, message: includes('`pandas.read_pickle`') },
      ],
    },
    {
      name: 'a list bound to a name, and __import__',
      code: `${T}ALLOW = [MyConfig, __import__]\ntorch.serialization.add_safe_globals(ALLOW)\n`,
      errors: [{ messageId: 'dangerous', line: 2, column: 20, message: includes('`builtins.__import__`') }],
    },
    {
      name: 'the recorded name of a tuple entry',
      code: `${T}torch.serialization.add_safe_globals([(MyClass, "subprocess.Popen")])\n`,
      errors: [{ messageId: 'dangerous', line: 2, column: 49, message: includes('module `subprocess`') }],
    },
    {
      name: 'allowlist computed with get_unsafe_globals_in_checkpoint',
      code: `${T}import importlib\nnames = torch.serialization.get_unsafe_globals_in_checkpoint(path)\nclasses = [getattr(importlib.import_module(m), c) for m, c in (n.rsplit(".", 1) for n in names)]\ntorch.serialization.add_safe_globals(classes)\nobj = torch.load(path, weights_only=True)\n`,
      errors: [{ messageId: 'fromCheckpoint', line: 5, column: 38, severity: 2, message: includes('get_unsafe_globals_in_checkpoint`, line 3') }],
    },
    {
      name: 'allowlist parsed from the error of a failed load',
      code: `${T}import importlib, re\ntry:\n    obj = torch.load(path, weights_only=True)\nexcept Exception as err:\n    name = re.search(r"GLOBAL (\\S+) was not", str(err)).group(1)\n    mod, cls = name.rsplit(".", 1)\n    with torch.serialization.safe_globals([getattr(importlib.import_module(mod), cls)]):\n        obj = torch.load(path, weights_only=True)\n`,
      errors: [{ messageId: 'fromCheckpoint', line: 8, column: 43, message: includes('the error message of the failed load, line 5') }],
    },
    {
      name: "issue 13's code-running callables, by their recorded names: each one reported (the checkpoint rule's list)",
      code: `${T}torch.serialization.add_safe_globals([${ISSUE_13_CODE_RUNNERS.map((name) => `(Stand, "${name}")`).join(', ')}])\n`,
      errors: ISSUE_13_CODE_RUNNERS.map((name) => ({ messageId: 'dangerous', line: 2, message: includes(`\`${name}\``) })),
    },
    {
      name: 'imaplib.IMAP4_stream allowlisted by hand (issue 13: its constructor runs a shell command)',
      code: `${T}import imaplib\nwith torch.serialization.safe_globals([imaplib.IMAP4_stream]):\n    cfg = torch.load(p, weights_only=True)\n`,
      errors: [
        {
          messageId: 'dangerous',
          line: 3,
          column: 40,
          severity: 2,
          message: includes('`imaplib.IMAP4_stream`'),
        },
      ],
    },
  ],
});

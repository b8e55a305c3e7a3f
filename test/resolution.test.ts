/**
 * Loads reached through something other than a plain call of an imported name: literal lookups, functools.partial,
 * parameter defaults, Lightning's loading APIs, and option dicts written just before the call.
 */
import missing from '../rules/torch-load-missing-weights-only';
import explicitFalse from '../rules/torch-load-weights-only-false';
import { includes, ruleTester } from './helpers/rule-tester';

const T = 'import torch\n';

ruleTester.run('torch-load-missing-weights-only: resolution', missing, {
  valid: [
    // a partial that already passes weights_only, and calls of it
    `${T}import functools\nload = functools.partial(torch.load, weights_only=True)\nsd = load("a.pt")\n`,
    // a call of a partial without weights_only is covered by the finding at the partial
    `${T}from functools import partial\nload = partial(torch.load, weights_only=True, map_location="cpu")\nload("a.pt")\n`,
    // Lightning: only an explicit weights_only is judged (its default is not torch's own call)
    'model = Net.load_from_checkpoint("last.ckpt")\n',
    'trainer.fit(model, ckpt_path="last.ckpt")\n',
    // getattr with a computed name, import_module of a variable: nothing is known
    `${T}getattr(torch, name)("a.pt")\n`,
    'import importlib\nimportlib.import_module(mod).load("a.pt")\n',
    // a parameter without a default, or defaulting to something else
    'def f(p, loader):\n    return loader(p)\n',
    'import pickle\ndef f(p, loader=pickle.loads):\n    return loader(p)\n',
  ],
  invalid: [
    {
      name: 'getattr(torch, "load") with a literal name',
      code: `${T}sd = getattr(torch, "load")("a.pt")\n`,
      torch: '>=2.6',
      errors: [{ messageId: 'missingModern', line: 2, severity: 1, fixSafety: 'safe' }],
      output: `${T}sd = getattr(torch, "load")("a.pt", weights_only=True)\n`,
    },
    {
      name: 'importlib.import_module("torch").load and __import__("torch").load, also through a name',
      code: 'import importlib\nt = importlib.import_module("torch")\nt.load("a.pt")\n__import__("torch").load("b.pt")\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          severity: 2,
          suggestions: [
            { output: 'import importlib\nt = importlib.import_module("torch")\nt.load("a.pt", weights_only=True)\n__import__("torch").load("b.pt")\n' },
          ],
        },
        {
          messageId: 'missing',
          line: 4,
          severity: 2,
          suggestions: [
            { output: 'import importlib\nt = importlib.import_module("torch")\nt.load("a.pt")\n__import__("torch").load("b.pt", weights_only=True)\n' },
          ],
        },
      ],
    },
    {
      name: 'import_module of a torch submodule',
      code: 'import importlib\nhub = importlib.import_module("torch.hub")\nhub.load_state_dict_from_url(url)\n',
      errors: [
        {
          messageId: 'missingRemote',
          line: 3,
          severity: 2,
          suggestions: [{ output: 'import importlib\nhub = importlib.import_module("torch.hub")\nhub.load_state_dict_from_url(url, weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'functools.partial(torch.load, ...) without weights_only: reported at the partial, the fix never safe',
      code: `${T}import functools\nload_cpu = functools.partial(torch.load, map_location="cpu")\nsd = load_cpu("a.pt")\n`,
      torch: '>=2.6',
      // on torch >= 2.6 a plain torch.load gets a safe no-op fix; a partial's callers may pass pickle_module
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 12,
          severity: 2,
          message: includes('`torch.load()` without `weights_only`'),
          suggestions: [
            { output: `${T}import functools\nload_cpu = functools.partial(torch.load, map_location="cpu", weights_only=True)\nsd = load_cpu("a.pt")\n` },
          ],
        },
      ],
    },
    {
      name: 'a partial of the hub loader: an error, as the loader defaults to False',
      code: `${T}from functools import partial\nfetch = partial(torch.hub.load_state_dict_from_url, progress=False)\n`,
      torch: '>=2.6',
      errors: [
        {
          messageId: 'missingRemote',
          line: 3,
          severity: 2,
          suggestions: [
            { output: `${T}from functools import partial\nfetch = partial(torch.hub.load_state_dict_from_url, progress=False, weights_only=True)\n` },
          ],
        },
      ],
    },
    {
      name: 'a parameter defaulting to torch.load, called without weights_only',
      code: `${T}def restore(path, load_fn=torch.load):\n    return load_fn(path)\n`,
      torch: '>=2.6',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          severity: 2,
          message: includes('`load_fn()` (which wraps torch.load, the default of parameter `load_fn`, line 2) without `weights_only`'),
          suggestions: [{ output: `${T}def restore(path, load_fn=torch.load):\n    return load_fn(path, weights_only=True)\n` }],
        },
      ],
    },
  ],
});

ruleTester.run('torch-load-weights-only-false: resolution', explicitFalse, {
  valid: [
    // Trainer methods load only from ckpt_path; save_checkpoint's weights_only means something else
    'trainer.fit(model, weights_only=False)\n',
    'trainer.save_checkpoint("a.ckpt", weights_only=False)\n',
    // `.load(..., weights_only=False)` on something that is not a Fabric
    'cache.load("a.ckpt", weights_only=False)\n',
    // a conditional write before the call leaves the value unknown
    `${T}opts = {"weights_only": False}\nif safe:\n    opts["weights_only"] = True\ntorch.load("a.pt", **opts)\n`,
    // the last sure write says True
    `${T}opts = {}\nopts["weights_only"] = False\nopts["weights_only"] = True\ntorch.load("a.pt", **opts)\n`,
    // a write inside a nested function may never run
    `${T}opts = {"weights_only": True}\ndef weaken():\n    opts["weights_only"] = False\ntorch.load("a.pt", **opts)\n`,
  ],
  invalid: [
    {
      name: 'a partial that passes weights_only=False',
      code: `${T}from functools import partial\nunsafe_load = partial(torch.load, weights_only=False)\nobj = unsafe_load("a.pt")\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 3,
          column: 35,
          severity: 1,
          suggestions: [{ output: `${T}from functools import partial\nunsafe_load = partial(torch.load, weights_only=True)\nobj = unsafe_load("a.pt")\n` }],
        },
      ],
    },
    {
      name: 'a call of a partial that passes weights_only=False itself',
      code: `${T}import functools\nload = functools.partial(torch.load, map_location="cpu")\nobj = load("a.pt", weights_only=False)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 4,
          column: 20,
          severity: 1,
          message: includes('`load(..., weights_only=False)` (which wraps torch.load, functools.partial, line 3)'),
          suggestions: [{ output: `${T}import functools\nload = functools.partial(torch.load, map_location="cpu")\nobj = load("a.pt", weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'a parameter defaulting to torch.load, called with weights_only=False on a command-line path',
      code: `${T}import sys\ndef restore(path, load_fn=torch.load):\n    return load_fn(path, weights_only=False)\nrestore(sys.argv[1])\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          severity: 2,
          suggestions: [
            { output: `${T}import sys\ndef restore(path, load_fn=torch.load):\n    return load_fn(path, weights_only=True)\nrestore(sys.argv[1])\n` },
          ],
        },
      ],
    },
    {
      name: 'Lightning load_from_checkpoint with weights_only=False on a command-line path: an error',
      code: 'import sys\nmodel = Net.load_from_checkpoint(sys.argv[1], weights_only=False)\n',
      errors: [
        {
          messageId: 'untrusted',
          line: 2,
          column: 47,
          severity: 2,
          message: includes('`Net.load_from_checkpoint(..., weights_only=False)` (which wraps torch.load, Lightning) on a path from'),
          suggestions: [{ output: 'import sys\nmodel = Net.load_from_checkpoint(sys.argv[1], weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'Lightning Trainer.fit with ckpt_path and weights_only=False',
      code: 'trainer.fit(model, datamodule=dm, ckpt_path="last.ckpt", weights_only=False)\n',
      errors: [
        {
          messageId: 'unsafe',
          line: 1,
          column: 58,
          severity: 1,
          message: includes('`trainer.fit(..., weights_only=False)`'),
          suggestions: [{ output: 'trainer.fit(model, datamodule=dm, ckpt_path="last.ckpt", weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'Fabric.load by receiver name and by construction',
      code: 'from lightning.fabric import Fabric\nf = Fabric()\nf.load("a.ckpt", weights_only=False)\nself.fabric.load_raw("b.ckpt", model, weights_only=False)\n',
      errors: [
        {
          messageId: 'unsafe',
          line: 3,
          severity: 1,
          suggestions: [
            {
              output:
                'from lightning.fabric import Fabric\nf = Fabric()\nf.load("a.ckpt", weights_only=True)\nself.fabric.load_raw("b.ckpt", model, weights_only=False)\n',
            },
          ],
        },
        {
          messageId: 'unsafe',
          line: 4,
          severity: 1,
          suggestions: [
            {
              output:
                'from lightning.fabric import Fabric\nf = Fabric()\nf.load("a.ckpt", weights_only=False)\nself.fabric.load_raw("b.ckpt", model, weights_only=True)\n',
            },
          ],
        },
      ],
    },
    {
      name: 'False written into the options dict on the line before the call decides, whatever came before',
      code: `${T}opts = {"weights_only": True}\nif legacy:\n    opts["weights_only"] = True\nopts["weights_only"] = False\nobj = torch.load("a.pt", **opts)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 6,
          column: 7,
          severity: 1,
          suggestions: [
            {
              output: `${T}opts = {"weights_only": True}\nif legacy:\n    opts["weights_only"] = True\nopts["weights_only"] = True\nobj = torch.load("a.pt", **opts)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'a dict passed elsewhere, then False set in the same block before the call',
      code: `${T}def f(p):\n    opts = {}\n    configure(opts)\n    opts["weights_only"] = False\n    return torch.load(p, **opts)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 6,
          severity: 1,
          suggestions: [{ output: `${T}def f(p):\n    opts = {}\n    configure(opts)\n    opts["weights_only"] = True\n    return torch.load(p, **opts)\n` }],
        },
      ],
    },
  ],
});

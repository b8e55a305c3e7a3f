import rule from '../../rules/torch-load-missing-weights-only';
import { includes, ruleTester } from '../helpers/rule-tester';

ruleTester.run('torch-load-missing-weights-only', rule, {
  valid: [
    'import torch\ntorch.load("a.pt", weights_only=True)\n',
    'import torch\ntorch.load("a.pt", weights_only=False)\n',
    'import torch\nkw = {"weights_only": True}\ntorch.load("a.pt", **kw)\n',
    'import torch\ndef f(**kw):\n    return torch.load("a.pt", **kw)\n',
    'import torch\nkw = {} if old else {"weights_only": True}\ntorch.load("a.pt", **kw)\n',
    'import torch\nkw = {}\nif new:\n    kw["weights_only"] = True\ntorch.load("a.pt", **kw)\n',
    'import torch, pickle\ntorch.load("a.pt", pickle_module=pickle)\n',
    'import torch, pickle\ntorch.load("a.pt", None, pickle)\n',
    'import json\njson.load(f)\n',
    'import numpy as np\nnp.load("a.npy")\n',
    'import yaml\nyaml.load(s)\n',
    'import torch\ntorch.jit.load("m.pt")\n',
    'import torch\nf = torch.load\n',
    'load("x.pt")\n',
    'class Store:\n    def load(self, p):\n        pass\n\n    def run(self):\n        self.load("x.pt")\n',
    'import torch\n\ndef f(torch):\n    return torch.load("x.pt")\n',
    'import torch\nfrom unittest import mock\ntorch = mock.Mock()\ntorch.load("x.pt")\n',
    'from torch import load\n\ndef load(p):\n    return p\n\nload("x.pt")\n',
    'import torch\n\ndef f():\n    torch = get_backend()\n    torch.load("x.pt")\n',
    'import torch\ns = "torch.load(\'x.pt\')"\n# torch.load("x.pt")\n',
    'import torch\n\ndef f():\n    """Call torch.load("x.pt") yourself."""\n',
    'import torch\ntorch.hub.load_state_dict_from_url(u, None, None, True, False, None, True)\n',
    'import torch\ntorch.hub.load_state_dict_from_url(*args)\n',
    'import torch\ntorch.hub.load("repo", "model")\n',
    'from foo import *\nfrom torch import *\nload("x.pt")\n',
    // a **dict that may carry weights_only is not known to lack it: not reported
    'import torch\n\ndef restore(p, opts):\n    return torch.load(p, **opts)\n',
  ],
  invalid: [
    {
      name: 'state dict loaded into a model: safe fix',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, endLine: 3, endColumn: 24, severity: 2, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'state dict, no torch requirement declared: unsafe (torch before 1.13 has no weights_only)',
      code: 'import torch\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'state dict, `torch` declared without a lower bound: unsafe',
      torch: '<3',
      code: 'import torch\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'state dict on torch>=1.13: unsafe (its weights_only unpickler has no BINFLOAT; an optimizer state holds floats)',
      torch: '>=1.13',
      code: 'import torch\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'torch>=1.7 declared: no fix, the message says to raise the requirement',
      torch: '>=1.7',
      code: 'import torch\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [
        {
          messageId: 'raiseRequirement',
          line: 2,
          column: 6,
          fixSafety: null,
          message: includes(
            'requirements.txt: torch>=1.7 allows torch older than 1.13, whose `torch.load` has no `weights_only` keyword: require torch>=1.13, then pass `weights_only=True`.',
          ),
          suggestions: [{ output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n' }],
        },
      ],
    },
    {
      name: 'hub loader on torch==2.0.0: no fix (its weights_only came in 2.1)',
      torch: '==2.0.0',
      code: 'import torch\nsd = torch.hub.load_state_dict_from_url(url)\nnet.load_state_dict(sd)\n',
      errors: [
        {
          messageId: 'raiseRequirement',
          line: 2,
          column: 6,
          severity: 2,
          fixSafety: null,
          message: includes('allows torch older than 2.1, whose `torch.hub.load_state_dict_from_url` has no `weights_only` keyword: require torch>=2.1'),
          suggestions: [{ output: 'import torch\nsd = torch.hub.load_state_dict_from_url(url, weights_only=True)\nnet.load_state_dict(sd)\n' }],
        },
      ],
    },
    {
      name: 'torch.load on torch==2.0.0: a fix (the keyword came in 1.13), unsafe (2.0 is judged by the 1.13 unpickler)',
      torch: '==2.0.0',
      code: 'import torch\nsd = torch.load("a.pt")\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'weights_only=None on torch>=1.7: the keyword is already there, so a fix (unsafe: 1.13 unpickler)',
      torch: '>=1.7',
      code: 'import torch\nsd = torch.load("a.pt", weights_only=None)\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'none', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load("a.pt", weights_only=True)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'a Lightning checkpoint of which only state_dict and global_step are read: unsafe',
      torch: '>=2.4',
      code: 'import torch\n\ndef load_model(ckpt, model):\n    pl_sd = torch.load(ckpt, map_location="cpu")\n    step = pl_sd["global_step"]\n    sd = pl_sd["state_dict"]\n    model.load_state_dict(sd, strict=False)\n    return model\n',
      errors: [{ messageId: 'missing', line: 4, column: 13, fixSafety: 'unsafe' }],
      output:
        'import torch\n\ndef load_model(ckpt, model):\n    pl_sd = torch.load(ckpt, map_location="cpu", weights_only=True)\n    step = pl_sd["global_step"]\n    sd = pl_sd["state_dict"]\n    model.load_state_dict(sd, strict=False)\n    return model\n',
    },
    {
      name: 'one key of the loaded dict straight into load_state_dict: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel.load_state_dict(torch.load(p)["model"])\n',
      errors: [{ messageId: 'missing', line: 2, column: 23, fixSafety: 'unsafe' }],
      output: 'import torch\nmodel.load_state_dict(torch.load(p, weights_only=True)["model"])\n',
    },
    {
      name: 'the whole dict with strict=False: unsafe (unexpected keys are ignored, so they may hold anything)',
      torch: '>=2.4',
      code: 'import torch\nsd = torch.load(p)\nmodel.load_state_dict(sd, strict=False)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict(sd, strict=False)\n',
    },
    {
      name: 'the whole dict with strict=True written out: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nmodel.load_state_dict(sd, strict=True)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict(sd, strict=True)\n',
    },
    {
      name: 'a filtered comprehension leaves entries out: unsafe',
      torch: '>=2.4',
      code: 'import torch\nsd = torch.load(p)\nmodel.load_state_dict({k[6:]: v for k, v in sd.items() if k.startswith("model.")})\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict({k[6:]: v for k, v in sd.items() if k.startswith("model.")})\n',
    },
    {
      name: 'torch>=2.6 declared: safe whatever the result is (weights_only=True is already the default)',
      torch: '>=2.6',
      code: 'import torch\nmodel = torch.load(p)\nmodel.eval()\n',
      errors: [{ messageId: 'missingModern', line: 2, column: 9, severity: 1, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.load(p, weights_only=True)\nmodel.eval()\n',
    },
    {
      name: 'the whole file into an optimizer: unsafe (an optimizer, scheduler or custom load_state_dict takes any object)',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\nopt.load_state_dict(torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 4, column: 21, fixSafety: 'unsafe' }],
      output:
        'import torch\nnet = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\nopt.load_state_dict(torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a custom object with its own load_state_dict: unsafe',
      torch: '>=2.4',
      code: 'import torch\n\nclass RunState:\n    def load_state_dict(self, d):\n        self.__dict__.update(d)\n\nstate = RunState()\nstate.load_state_dict(torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 8, column: 23, fixSafety: 'unsafe' }],
      output:
        'import torch\n\nclass RunState:\n    def load_state_dict(self, d):\n        self.__dict__.update(d)\n\nstate = RunState()\nstate.load_state_dict(torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a module with extra state in the file: unsafe (get_extra_state may return any object)',
      torch: '>=2.4',
      code: 'import torch\n\nclass Net(torch.nn.Module):\n    def get_extra_state(self):\n        return self.cfg\n\n    def set_extra_state(self, state):\n        self.cfg = state\n\nnet = Net()\nnet.load_state_dict(torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 11, column: 21, fixSafety: 'unsafe' }],
      output:
        'import torch\n\nclass Net(torch.nn.Module):\n    def get_extra_state(self):\n        return self.cfg\n\n    def set_extra_state(self, state):\n        self.cfg = state\n\nnet = Net()\nnet.load_state_dict(torch.load(p, weights_only=True))\n',
    },
    {
      name: 'pickle arguments the weights_only unpickler does not take: no fix (it would raise TypeError)',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nnet.load_state_dict(torch.load(p, encoding="latin1", fix_imports=True))\n',
      errors: [{ messageId: 'missing', line: 3, column: 21, fixSafety: null }],
    },
    {
      name: 'pickle_module in a **dict: no fix (weights_only=True with it raises RuntimeError)',
      torch: '>=2.6',
      code: 'import pickle\nimport torch\nopts = {"map_location": "cpu", "pickle_module": pickle}\nmodel = torch.load(p, **opts)\n',
      errors: [{ messageId: 'missingModern', line: 4, column: 9, fixSafety: null }],
    },
    {
      name: 'whole model used as an object: a suggestion only',
      code: 'import torch as th\nmodel = th.load("m.pt")\nmodel.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 9,
          suggestions: [{ output: 'import torch as th\nmodel = th.load("m.pt", weights_only=True)\nmodel.eval()\n' }],
        },
      ],
    },
    {
      name: 'from torch import load as L',
      code: 'from torch import load as L\nL("x.pt")\n',
      errors: [{ messageId: 'missing', line: 2, column: 1, suggestions: [{ output: 'from torch import load as L\nL("x.pt", weights_only=True)\n' }] }],
    },
    {
      name: 'from torch.serialization import load',
      code: 'from torch.serialization import load\nobj = load(f)\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 7,
          message: includes('`torch.serialization.load()`'),
          suggestions: [{ output: 'from torch.serialization import load\nobj = load(f, weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'torch.serialization.load through import torch.serialization',
      code: 'import torch.serialization\ntorch.serialization.load("x.pt")\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 1,
          suggestions: [{ output: 'import torch.serialization\ntorch.serialization.load("x.pt", weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'import inside a function',
      code: 'def restore(p):\n    import torch\n    return torch.load(p)\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 12,
          suggestions: [{ output: 'def restore(p):\n    import torch\n    return torch.load(p, weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'simple alias',
      code: 'import torch\nloader = torch.load\nloader("x.pt")\n',
      errors: [
        { messageId: 'missing', line: 3, column: 1, suggestions: [{ output: 'import torch\nloader = torch.load\nloader("x.pt", weights_only=True)\n' }] },
      ],
    },
    {
      name: 'star import from torch',
      code: 'from torch import *\nload("x.pt")\n',
      errors: [{ messageId: 'missing', line: 2, column: 1, suggestions: [{ output: 'from torch import *\nload("x.pt", weights_only=True)\n' }] }],
    },
    {
      name: 'optional import with a None fallback still resolves',
      code: 'try:\n    import torch\nexcept ImportError:\n    torch = None\ntorch.load("x.pt")\n',
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 1,
          suggestions: [{ output: 'try:\n    import torch\nexcept ImportError:\n    torch = None\ntorch.load("x.pt", weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'multi-line call with a trailing comma gets its own line',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = torch.load(\n    "a.pt",\n    map_location="cpu",  # keep on CPU\n)\nmodel.load_state_dict(state)\n',
      errors: [{ messageId: 'missing', line: 3, column: 9, endLine: 6, endColumn: 2, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = torch.load(\n    "a.pt",\n    map_location="cpu",  # keep on CPU\n    weights_only=True,\n)\nmodel.load_state_dict(state)\n',
    },
    {
      name: 'multi-line call without a trailing comma',
      code: 'import torch\nstate = torch.load(\n    "a.pt",\n    map_location="cpu"\n)\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 9,
          suggestions: [{ output: 'import torch\nstate = torch.load(\n    "a.pt",\n    map_location="cpu", weights_only=True\n)\n' }],
        },
      ],
    },
    {
      name: 'single-line trailing comma',
      code: 'import torch\ntorch.load("a.pt",)\n',
      errors: [{ messageId: 'missing', line: 2, column: 1, suggestions: [{ output: 'import torch\ntorch.load("a.pt", weights_only=True)\n' }] }],
    },
    {
      name: 'empty call',
      code: 'import torch\ntorch.load()\n',
      errors: [{ messageId: 'missing', line: 2, column: 1, suggestions: [{ output: 'import torch\ntorch.load(weights_only=True)\n' }] }],
    },
    {
      name: 'CRLF file keeps CRLF',
      torch: '>=2.4',
      code: 'import torch\r\nm = torch.nn.Linear(2, 2)\r\nsd = torch.load(\r\n    "a.pt",\r\n)\r\nm.load_state_dict(sd)\r\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output: 'import torch\r\nm = torch.nn.Linear(2, 2)\r\nsd = torch.load(\r\n    "a.pt",\r\n    weights_only=True,\r\n)\r\nm.load_state_dict(sd)\r\n',
    },
    {
      name: 'columns count UTF-16 code units',
      code: 'import torch\nx = "h\u00e9llo\u{1F600}"; y = torch.load("a.pt")\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 20,
          endColumn: 38,
          suggestions: [{ output: 'import torch\nx = "h\u00e9llo\u{1F600}"; y = torch.load("a.pt", weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'load_state_dict(torch.load(...)) is safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nmodel.load_state_dict(torch.load(p, map_location="cpu"))\n',
      errors: [{ messageId: 'missing', line: 3, column: 23, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nmodel.load_state_dict(torch.load(p, map_location="cpu", weights_only=True))\n',
    },
    {
      name: 'checkpoint dict whose entries go to load_state_dict or are plain data: unsafe (the rest of the file is unpickled too)',
      torch: '>=2.4',
      code: 'import torch\nckpt = torch.load(p)\nmodel.load_state_dict(ckpt["model"])\nopt.load_state_dict(ckpt["optimizer"])\nepoch = ckpt["epoch"] + 1\nprint(int(ckpt.get("step", 0)))\n',
      errors: [{ messageId: 'missing', line: 2, column: 8, fixSafety: 'unsafe' }],
      output:
        'import torch\nckpt = torch.load(p, weights_only=True)\nmodel.load_state_dict(ckpt["model"])\nopt.load_state_dict(ckpt["optimizer"])\nepoch = ckpt["epoch"] + 1\nprint(int(ckpt.get("step", 0)))\n',
    },
    {
      name: 'an entry used as an object: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet = ckpt["model"].float()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [{ output: 'import torch\nckpt = torch.load(p, weights_only=True)\nnet = ckpt["model"].float()\n' }],
        },
      ],
    },
    {
      name: 'iterating items without any load_state_dict is no evidence: a suggestion only',
      code: 'import torch\nfor k, v in torch.load(p).items():\n    print(k)\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 13,
          suggestions: [{ output: 'import torch\nfor k, v in torch.load(p, weights_only=True).items():\n    print(k)\n' }],
        },
      ],
    },
    {
      name: 'inside a safe_globals block: unsafe (torch 2.5 still loads it with full pickle there)',
      torch: '>=2.4',
      code: 'import torch\nwith torch.serialization.safe_globals([Net]):\n    model = torch.load(f)\nmodel.eval()\n',
      errors: [{ messageId: 'missing', line: 3, column: 13, fixSafety: 'unsafe' }],
      output: 'import torch\nwith torch.serialization.safe_globals([Net]):\n    model = torch.load(f, weights_only=True)\nmodel.eval()\n',
    },
    {
      name: 'a safe_globals block nested in a sibling statement does not count',
      code: 'import torch\nwith open(p, "rb") as fh:\n    with torch.serialization.safe_globals([Net]):\n        pass\n    model = torch.load(fh)\nmodel.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 13,
          suggestions: [
            {
              output:
                'import torch\nwith open(p, "rb") as fh:\n    with torch.serialization.safe_globals([Net]):\n        pass\n    model = torch.load(fh, weights_only=True)\nmodel.eval()\n',
            },
          ],
        },
      ],
    },
    {
      name: 'keys renamed in place, then the whole dict to load_state_dict: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nfor k in list(sd.keys()):\n    sd[k[7:]] = sd.pop(k)\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nfor k in list(sd.keys()):\n    sd[k[7:]] = sd.pop(k)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'a deleted entry: unsafe (it may hold any object)',
      torch: '>=2.4',
      code: 'import torch\nsd = torch.load(p)\nfor k in list(sd.keys()):\n    sd[k[7:]] = sd.pop(k)\ndel sd["extra"]\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output:
        'import torch\nsd = torch.load(p, weights_only=True)\nfor k in list(sd.keys()):\n    sd[k[7:]] = sd.pop(k)\ndel sd["extra"]\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'renaming keys in a comprehension passed to load_state_dict is safe',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nnet.load_state_dict({k.replace("module.", ""): v for k, v in sd.items()})\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nnet.load_state_dict({k.replace("module.", ""): v for k, v in sd.items()})\n',
    },
    {
      name: 'iterating a list of modules is not a state-dict use',
      code: 'import torch\nmodels = torch.load(p)\nfor m in models:\n    m.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 10,
          suggestions: [{ output: 'import torch\nmodels = torch.load(p, weights_only=True)\nfor m in models:\n    m.eval()\n' }],
        },
      ],
    },
    {
      name: 'items() whose values are used as objects',
      code: 'import torch\nfor name, module in torch.load(p).items():\n    parent.add_module(name, module)\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 21,
          suggestions: [{ output: 'import torch\nfor name, module in torch.load(p, weights_only=True).items():\n    parent.add_module(name, module)\n' }],
        },
      ],
    },
    {
      name: '** hands the entries to a callee: a suggestion only',
      code: 'import torch\nsnapshot = Snapshot(**torch.load(p))\n',
      errors: [
        { messageId: 'missing', line: 2, column: 23, suggestions: [{ output: 'import torch\nsnapshot = Snapshot(**torch.load(p, weights_only=True))\n' }] },
      ],
    },
    {
      name: 'a name bound in both branches: every read is judged',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nif local:\n    sd = torch.load(p)\nelse:\n    sd = fetch(u)\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 4, column: 10, fixSafety: 'safe' }],
      output:
        'import torch\nnet = torch.nn.Linear(2, 2)\nif local:\n    sd = torch.load(p, weights_only=True)\nelse:\n    sd = fetch(u)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'rebinding a name to one of its entries: unsafe (a Lightning checkpoint holds more than its state_dict)',
      torch: '>=2.4',
      code: 'import torch\nsd = torch.load(p)\nif "state_dict" in sd:\n    sd = sd["state_dict"]\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 2, column: 6, fixSafety: 'unsafe' }],
      output: 'import torch\nsd = torch.load(p, weights_only=True)\nif "state_dict" in sd:\n    sd = sd["state_dict"]\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'training-state entries compared, counted and copied into a new dict: unsafe',
      torch: '>=2.4',
      code: 'import torch\nstep = 0\nstate = torch.load(p)\nstep = state["step"]\nnet.load_state_dict(state["net"])\nwhile step < 100:\n    step += 1\ntorch.save({"net": net.state_dict(), "step": step}, p)\n',
      errors: [{ messageId: 'missing', line: 3, column: 9, fixSafety: 'unsafe' }],
      output:
        'import torch\nstep = 0\nstate = torch.load(p, weights_only=True)\nstep = state["step"]\nnet.load_state_dict(state["net"])\nwhile step < 100:\n    step += 1\ntorch.save({"net": net.state_dict(), "step": step}, p)\n',
    },
    {
      name: 'an entry picked with or, then used as a model: a suggestion only',
      code: 'import torch\nckpt = torch.load(w)\nmodel = (ckpt.get("ema") or ckpt["model"]).to(dev)\nnet.load_state_dict(ckpt["sd"])\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [
            {
              output:
                'import torch\nckpt = torch.load(w, weights_only=True)\nmodel = (ckpt.get("ema") or ckpt["model"]).to(dev)\nnet.load_state_dict(ckpt["sd"])\n',
            },
          ],
        },
      ],
    },
    {
      name: 'entries unpacked into names used as objects: a suggestion only',
      code: 'import torch\ngen, disc = torch.load(p)["pair"]\ngen.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 13,
          suggestions: [{ output: 'import torch\ngen, disc = torch.load(p, weights_only=True)["pair"]\ngen.eval()\n' }],
        },
      ],
    },
    {
      name: 'an entry stored into another container: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet.load_state_dict(ckpt["sd"])\nregistry["g"] = ckpt["g"]\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [{ output: 'import torch\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt["sd"])\nregistry["g"] = ckpt["g"]\n' }],
        },
      ],
    },
    {
      name: 'entries copied into a dict literal used as objects: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet.load_state_dict(ckpt["sd"])\nparts = {"net": ckpt["net"]}\nparts["net"].eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [
            {
              output:
                'import torch\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt["sd"])\nparts = {"net": ckpt["net"]}\nparts["net"].eval()\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a list of entries iterated as modules: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet.load_state_dict(ckpt["sd"])\nnets = [ckpt["g"], ckpt["d"]]\nfor m in nets:\n    m.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [
            {
              output:
                'import torch\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt["sd"])\nnets = [ckpt["g"], ckpt["d"]]\nfor m in nets:\n    m.eval()\n',
            },
          ],
        },
      ],
    },
    {
      name: 'elements printed and type-tested are no evidence: a suggestion only',
      code: 'import torch\nfrom torch import nn\nfor m in torch.load(p):\n    if isinstance(m, nn.Module):\n        print(m)\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 10,
          suggestions: [
            { output: 'import torch\nfrom torch import nn\nfor m in torch.load(p, weights_only=True):\n    if isinstance(m, nn.Module):\n        print(m)\n' },
          ],
        },
      ],
    },
    {
      name: 'a name read through nonlocal: a suggestion only',
      code: 'import torch\n\ndef outer(p):\n    sd = torch.load(p)\n    net.load_state_dict(sd)\n\n    def inner():\n        nonlocal sd\n        sd.eval()\n    return inner\n',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 10,
          suggestions: [
            {
              output:
                'import torch\n\ndef outer(p):\n    sd = torch.load(p, weights_only=True)\n    net.load_state_dict(sd)\n\n    def inner():\n        nonlocal sd\n        sd.eval()\n    return inner\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a class attribute may be read anywhere: a suggestion only',
      code: 'import torch\n\nclass Weights:\n    sd = torch.load("w.pt")\n    net.load_state_dict(sd)\n',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 10,
          suggestions: [{ output: 'import torch\n\nclass Weights:\n    sd = torch.load("w.pt", weights_only=True)\n    net.load_state_dict(sd)\n' }],
        },
      ],
    },
    {
      name: 'a comprehension whose variables are used as objects: a suggestion only',
      code: 'import torch\nsd = torch.load(p)\nnet.load_state_dict(sd["net"])\nn = len([m for m in sd.values() if m.training])\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 6,
          suggestions: [
            {
              output: 'import torch\nsd = torch.load(p, weights_only=True)\nnet.load_state_dict(sd["net"])\nn = len([m for m in sd.values() if m.training])\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a comprehension over values used as modules: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet.load_state_dict(ckpt["model"])\nnets = [v for v in ckpt.values()]\nfor n in nets:\n    n.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [
            {
              output:
                'import torch\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt["model"])\nnets = [v for v in ckpt.values()]\nfor n in nets:\n    n.eval()\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a loop over the loaded value uses its elements as objects: a suggestion only',
      code: 'import torch\nckpt = torch.load(p)\nnet.load_state_dict(ckpt[0])\nfor m in ckpt:\n    m.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [{ output: 'import torch\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt[0])\nfor m in ckpt:\n    m.eval()\n' }],
        },
      ],
    },
    {
      name: 'an entry added to a list with +=: a suggestion only',
      code: 'import torch\nmodels = []\nckpt = torch.load(p)\nnet.load_state_dict(ckpt["model"])\nmodels += ckpt["extra"]\nfor m in models:\n    m.eval()\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 8,
          suggestions: [
            {
              output:
                'import torch\nmodels = []\nckpt = torch.load(p, weights_only=True)\nnet.load_state_dict(ckpt["model"])\nmodels += ckpt["extra"]\nfor m in models:\n    m.eval()\n',
            },
          ],
        },
      ],
    },
    {
      name: 'keys renamed with string methods and printed: still safe',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nfor k in list(sd.keys()):\n    if k.startswith("module."):\n        print(f"renaming {k}")\n        sd[k.replace("module.", "")] = sd.pop(k)\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nfor k in list(sd.keys()):\n    if k.startswith("module."):\n        print(f"renaming {k}")\n        sd[k.replace("module.", "")] = sd.pop(k)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'an entry stored on an object is not judged safe',
      code: 'import torch\nckpt = torch.load(p)\nself.model = ckpt["model"]\n',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 8,
          suggestions: [{ output: 'import torch\nckpt = torch.load(p, weights_only=True)\nself.model = ckpt["model"]\n' }],
        },
      ],
    },
    {
      name: 'a returned result: a suggestion only',
      code: 'import torch\n\ndef get(p):\n    return torch.load(p)\n',
      errors: [
        { messageId: 'missing', line: 4, column: 12, suggestions: [{ output: 'import torch\n\ndef get(p):\n    return torch.load(p, weights_only=True)\n' }] },
      ],
    },
    {
      name: 'hub loader is an error even when the rule is set to warn',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.hub.load_state_dict_from_url(url)\nnet.load_state_dict(sd)\n',
      severity: 'warn',
      errors: [{ messageId: 'missingRemote', line: 3, column: 6, severity: 2, fixSafety: 'safe' }],
      output: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.hub.load_state_dict_from_url(url, weights_only=True)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'model_zoo.load_url',
      code: 'from torch.utils import model_zoo\nmodel_zoo.load_url(url, progress=False)\n',
      errors: [
        {
          messageId: 'missingRemote',
          line: 2,
          column: 1,
          severity: 2,
          suggestions: [{ output: 'from torch.utils import model_zoo\nmodel_zoo.load_url(url, progress=False, weights_only=True)\n' }],
        },
      ],
    },
    {
      name: 'weights_only=None is the same as leaving it out',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=None)\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'none', line: 3, column: 6, fixSafety: 'safe' }],
      output: 'import torch\nnet = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'a **kwargs dict that certainly lacks weights_only',
      torch: '>=2.4',
      code: 'import torch\nnet = torch.nn.Linear(2, 2)\nopts = {"map_location": "cpu"}\nsd = torch.load("a.pt", **opts)\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 4, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nnet = torch.nn.Linear(2, 2)\nopts = {"map_location": "cpu"}\nsd = torch.load("a.pt", **opts, weights_only=True)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'a hub loader imported from either module in a try/except',
      torch: '>=2.4',
      code: 'from torch import nn\nnet = nn.Linear(2, 2)\ntry:\n    from torch.hub import load_state_dict_from_url\nexcept ImportError:\n    from torch.utils.model_zoo import load_url as load_state_dict_from_url\nsd = load_state_dict_from_url("https://example.com/m.pth")\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missingRemote', line: 7, column: 6, severity: 2, fixSafety: 'safe' }],
      output:
        'from torch import nn\nnet = nn.Linear(2, 2)\ntry:\n    from torch.hub import load_state_dict_from_url\nexcept ImportError:\n    from torch.utils.model_zoo import load_url as load_state_dict_from_url\nsd = load_state_dict_from_url("https://example.com/m.pth", weights_only=True)\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'plain torch.load follows the configured severity',
      code: 'import torch\ntorch.load(p)\n',
      severity: 'warn',
      errors: [{ messageId: 'missing', line: 2, column: 1, severity: 1, suggestions: [{ output: 'import torch\ntorch.load(p, weights_only=True)\n' }] }],
    },
    {
      name: '*args may hold pickle_module: reported without a fix',
      code: 'import torch\ntorch.load(*args)\n',
      errors: [{ messageId: 'missing', line: 2, column: 1, fixSafety: null }],
    },
    {
      name: 'a fallback for torch builds without weights_only is reported without a fix',
      code: 'import torch\ntry:\n    sd = torch.load(p, weights_only=True)\nexcept (TypeError, ValueError):\n    sd = torch.load(p)\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 5, column: 10, fixSafety: null }],
    },
    {
      // the engine withholds every fix in a file that does not parse (README, "Syntax errors")
      name: 'a syntax error elsewhere does not hide the finding; its safe fix becomes a suggestion',
      torch: '>=2.4',
      code: 'import torch\nm = torch.nn.Linear(2, 2)\nsd = torch.load("a.pt")\nm.load_state_dict(sd)\ndef broken(:\n    pass\n',
      compiles: false,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 6,
          fixSafety: null,
          suggestions: [
            {
              desc: 'Fix not applied: the file has a syntax error (line 5); this safe fix can be applied by hand once it parses',
              output: 'import torch\nm = torch.nn.Linear(2, 2)\nsd = torch.load("a.pt", weights_only=True)\nm.load_state_dict(sd)\ndef broken(:\n    pass\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a fallback for a None result, then the whole dict to load_state_dict: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nif sd is None:\n    sd = {}\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nif sd is None:\n    sd = {}\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'a fallback binding to another value does not carry the loaded one (every read is judged): safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nif sd is None:\n    sd = fetch(u)\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nif sd is None:\n    sd = fetch(u)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: 'a name rebound to what an unknown call makes of the loaded value: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nsd = convert(sd)\nmodel.load_state_dict(sd)\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 6,
          suggestions: [
            { output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nsd = convert(sd)\nmodel.load_state_dict(sd)\n' },
          ],
        },
      ],
    },
    {
      name: 'a truth test is not a None test (a falsy object would be dropped): a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nif not sd:\n    sd = {}\nmodel.load_state_dict(sd)\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 6,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nif not sd:\n    sd = {}\nmodel.load_state_dict(sd)\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a None fallback before load_state_dict of a module with extra state: unsafe',
      torch: '>=2.4',
      code: 'import torch\n\nclass Net(torch.nn.Module):\n    def set_extra_state(self, state):\n        self.cfg = state\n\nnet = Net()\nsd = torch.load(p)\nif sd is None:\n    sd = {}\nnet.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 8, column: 6, fixSafety: 'unsafe' }],
      output:
        'import torch\n\nclass Net(torch.nn.Module):\n    def set_extra_state(self, state):\n        self.cfg = state\n\nnet = Net()\nsd = torch.load(p, weights_only=True)\nif sd is None:\n    sd = {}\nnet.load_state_dict(sd)\n',
    },
    {
      name: 'an entry stored over another drops what the file held there: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nsd["weight"] = torch.zeros(2, 2)\nmodel.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nsd["weight"] = torch.zeros(2, 2)\nmodel.load_state_dict(sd)\n',
    },
    {
      name: "update() of a module's own state dict, then load_state_dict: safe",
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nstate.update(torch.load(p))\nmodel.load_state_dict(state)\n',
      errors: [{ messageId: 'missing', line: 4, column: 14, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nstate.update(torch.load(p, weights_only=True))\nmodel.load_state_dict(state)\n',
    },
    {
      name: 'update() of a new OrderedDict passed whole: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nfrom collections import OrderedDict\nloaded = torch.load(p)\nnew_sd = OrderedDict()\nnew_sd.update(loaded)\nmodel.load_state_dict(new_sd)\n',
      errors: [{ messageId: 'missing', line: 4, column: 10, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nfrom collections import OrderedDict\nloaded = torch.load(p, weights_only=True)\nnew_sd = OrderedDict()\nnew_sd.update(loaded)\nmodel.load_state_dict(new_sd)\n',
    },
    {
      name: 'update() of a new dict on torch>=1.13: unsafe (its weights_only unpickler has no BINFLOAT)',
      torch: '>=1.13',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nnew_sd = {}\nnew_sd.update(torch.load(p))\nmodel.load_state_dict(new_sd)\n',
      errors: [{ messageId: 'missing', line: 4, column: 15, fixSafety: 'unsafe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nnew_sd = {}\nnew_sd.update(torch.load(p, weights_only=True))\nmodel.load_state_dict(new_sd)\n',
    },
    {
      name: 'update() of an object that is not a new dict: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\ncfg = Config()\ncfg.update(torch.load(p))\nmodel.load_state_dict(cfg)\n',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 12,
          suggestions: [
            {
              output: 'import torch\nmodel = torch.nn.Linear(2, 2)\ncfg = Config()\ncfg.update(torch.load(p, weights_only=True))\nmodel.load_state_dict(cfg)\n',
            },
          ],
        },
      ],
    },
    {
      name: "update() of an optimizer's state dict: a suggestion only",
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\nstate = opt.state_dict()\nstate.update(torch.load(p))\nopt.load_state_dict(state)\n',
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 14,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\nstate = opt.state_dict()\nstate.update(torch.load(p, weights_only=True))\nopt.load_state_dict(state)\n',
            },
          ],
        },
      ],
    },
    {
      name: 'another update() of the dict may overwrite the loaded entries: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nstate.update(torch.load(p))\nstate.update(overrides)\nmodel.load_state_dict(state)\n',
      errors: [{ messageId: 'missing', line: 4, column: 14, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nstate.update(torch.load(p, weights_only=True))\nstate.update(overrides)\nmodel.load_state_dict(state)\n',
    },
    {
      name: 'update() with one entry of the file: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nckpt = torch.load(p)\nstate.update(ckpt["model"])\nmodel.load_state_dict(state)\n',
      errors: [{ messageId: 'missing', line: 4, column: 8, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nstate = model.state_dict()\nckpt = torch.load(p, weights_only=True)\nstate.update(ckpt["model"])\nmodel.load_state_dict(state)\n',
    },
    {
      name: 'update() of a new dict passed to load_state_dict with strict=False: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nnew_sd = {}\nnew_sd.update(torch.load(p))\nmodel.load_state_dict(new_sd, strict=False)\n',
      errors: [{ messageId: 'missing', line: 4, column: 15, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nnew_sd = {}\nnew_sd.update(torch.load(p, weights_only=True))\nmodel.load_state_dict(new_sd, strict=False)\n',
    },
    {
      name: 'keys renamed with re.sub in a named comprehension, then load_state_dict: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nimport re\nsd = torch.load(p)\nnew_sd = {re.sub(r"^module\\.", "", k): v for k, v in sd.items()}\nmodel.load_state_dict(new_sd)\n',
      errors: [{ messageId: 'missing', line: 4, column: 6, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nimport re\nsd = torch.load(p, weights_only=True)\nnew_sd = {re.sub(r"^module\\.", "", k): v for k, v in sd.items()}\nmodel.load_state_dict(new_sd)\n',
    },
    {
      name: 'a comprehension whose new key is not made from the old one keeps one entry: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nmodel.load_state_dict({"weight": v for k, v in sd.items()})\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict({"weight": v for k, v in sd.items()})\n',
    },
    {
      name: 'a comprehension that calls a method of each value: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nmodel.load_state_dict({k: v.float() for k, v in sd.items()})\n',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 6,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict({k: v.float() for k, v in sd.items()})\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a comprehension that filters out keys by value: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nmodel.load_state_dict({k: v for k, v in sd.items() if "num_batches_tracked" not in k})\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nmodel.load_state_dict({k: v for k, v in sd.items() if "num_batches_tracked" not in k})\n',
    },
    {
      name: 'a helper of the file that passes its parameter to the module it is given: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 7, column: 14, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a helper called with keyword arguments: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(sd=torch.load(p), m=model)\n',
      errors: [{ messageId: 'missing', line: 7, column: 10, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(sd=torch.load(p, weights_only=True), m=model)\n',
    },
    {
      name: 'a helper that reads one entry: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd["model"])\n\napply(model, torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 7, column: 14, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd["model"])\n\napply(model, torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a helper given an optimizer: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\napply(opt, torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 8, column: 12, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\napply(opt, torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a helper with strict=False: unsafe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd, strict=False)\n\napply(model, torch.load(p))\n',
      errors: [{ messageId: 'missing', line: 7, column: 14, fixSafety: 'unsafe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd, strict=False)\n\napply(model, torch.load(p, weights_only=True))\n',
    },
    {
      name: 'a decorated helper (the decorator may do anything with the arguments): a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\n@trace\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p))\n',
      errors: [
        {
          messageId: 'missing',
          line: 8,
          column: 14,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\n\n@trace\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True))\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a helper given **kwargs: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p), **extra)\n',
      errors: [
        {
          messageId: 'missing',
          line: 7,
          column: 14,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True), **extra)\n',
            },
          ],
        },
      ],
    },
    {
      name: 'a helper that rebinds its parameter: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    sd = sd or {}\n    m.load_state_dict(sd)\n\napply(model, torch.load(p))\n',
      errors: [
        {
          messageId: 'missing',
          line: 8,
          column: 14,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    sd = sd or {}\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True))\n',
            },
          ],
        },
      ],
    },
    {
      name: 'returned from a nested function whose every call goes to load_state_dict: safe',
      torch: '>=2.4',
      code: 'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q, map_location="cpu")\n\n    model.load_state_dict(read(p))\n',
      errors: [{ messageId: 'missing', line: 7, column: 16, fixSafety: 'safe' }],
      output:
        'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q, map_location="cpu", weights_only=True)\n\n    model.load_state_dict(read(p))\n',
    },
    {
      name: 'returned from a module-level function: unsafe (another module may import it and use the result otherwise)',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef read(p):\n    return torch.load(p)\n\nmodel.load_state_dict(read(p))\n',
      errors: [{ messageId: 'missing', line: 5, column: 12, fixSafety: 'unsafe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef read(p):\n    return torch.load(p, weights_only=True)\n\nmodel.load_state_dict(read(p))\n',
    },
    {
      name: 'returned from a nested function, one call of which uses an entry as an object: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q)\n\n    model.load_state_dict(read(p))\n    return read(p)["cfg"].name\n',
      errors: [
        {
          messageId: 'missing',
          line: 7,
          column: 16,
          suggestions: [
            {
              output:
                'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q, weights_only=True)\n\n    model.load_state_dict(read(p))\n    return read(p)["cfg"].name\n',
            },
          ],
        },
      ],
    },
    {
      name: 'returned from a nested function that is passed on, not called: a suggestion only',
      torch: '>=2.4',
      code: 'import torch\n\ndef main(paths):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q)\n\n    model.load_state_dict(read(paths[0]))\n    return list(map(read, paths))\n',
      errors: [
        {
          messageId: 'missing',
          line: 7,
          column: 16,
          suggestions: [
            {
              output:
                'import torch\n\ndef main(paths):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        return torch.load(q, weights_only=True)\n\n    model.load_state_dict(read(paths[0]))\n    return list(map(read, paths))\n',
            },
          ],
        },
      ],
    },
    {
      name: 'returned twice from a nested function: every return goes to the same calls: safe',
      torch: '>=2.4',
      code: 'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        sd = torch.load(q)\n        if sd is None:\n            return {}\n        return sd\n\n    model.load_state_dict(read(p))\n',
      errors: [{ messageId: 'missing', line: 7, column: 14, fixSafety: 'safe' }],
      output:
        'import torch\n\ndef main(p):\n    model = torch.nn.Linear(2, 2)\n\n    def read(q):\n        sd = torch.load(q, weights_only=True)\n        if sd is None:\n            return {}\n        return sd\n\n    model.load_state_dict(read(p))\n',
    },
    {
      name: 'a same-file wrapper that forwards weights_only: its call site is the finding, its own call is not',
      torch: '>=2.4',
      files: {},
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef read(path, weights_only=None):\n    return torch.load(path, weights_only=weights_only)\n\nmodel.load_state_dict(read("w.pt"))\n',
      errors: [{ messageId: 'missing', line: 7, column: 23, fixSafety: 'safe' }],
      output:
        'import torch\nmodel = torch.nn.Linear(2, 2)\n\ndef read(path, weights_only=None):\n    return torch.load(path, weights_only=weights_only)\n\nmodel.load_state_dict(read("w.pt", weights_only=True))\n',
    },
    {
      name: 'a None test guarding load_state_dict: safe',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p)\nif sd is not None:\n    model.load_state_dict(sd)\n',
      errors: [{ messageId: 'missing', line: 3, column: 6, fixSafety: 'safe' }],
      output: 'import torch\nmodel = torch.nn.Linear(2, 2)\nsd = torch.load(p, weights_only=True)\nif sd is not None:\n    model.load_state_dict(sd)\n',
    },
    {
      name: 'an async helper (its body runs only when awaited): a suggestion only',
      torch: '>=2.4',
      code: 'import torch\nmodel = torch.nn.Linear(2, 2)\n\nasync def apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p))\n',
      errors: [
        {
          messageId: 'missing',
          line: 7,
          column: 14,
          suggestions: [
            {
              output:
                'import torch\nmodel = torch.nn.Linear(2, 2)\n\nasync def apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True))\n',
            },
          ],
        },
      ],
    },
  ],
});

// A same-process round trip (src/torch/round-trip.ts): no vulnerability, only behaviour that differs across the
// declared torch range, so a warning that says so; the repair is the one the evidence gives, as for any load.
const TRIP = 'import io\nimport tempfile\nimport torch\n\n';
ruleTester.run('torch-load-missing-weights-only: same-function round trips', rule, {
  valid: [],
  invalid: [
    {
      name: 'read back from a BytesIO made here: a warning naming the save, a suggestion as without evidence',
      code: `${TRIP}def copy(obj):\n    buf = io.BytesIO()\n    torch.save(obj, buf)\n    buf.seek(0)\n    return torch.load(buf)\n`,
      errors: [
        {
          messageId: 'roundTrip',
          line: 9,
          column: 12,
          severity: 1,
          message:
            '`torch.load()` leaves `weights_only` to torch and reads back what this function saved at line 7 to an in-memory buffer it made: nothing untrusted can be in it, but torch before 2.6 loads it with full pickle and torch 2.6+ with `weights_only=True`, which rejects pickled objects (no torch requirement declared). Pass `weights_only=True` when it holds only tensors and plain containers, else `weights_only=False` (safe for this round trip).',
          suggestions: [
            {
              output: `${TRIP}def copy(obj):\n    buf = io.BytesIO()\n    torch.save(obj, buf)\n    buf.seek(0)\n    return torch.load(buf, weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'a state dict through a temporary file, torch>=2.4 declared: the warning, with the safe fix',
      torch: '>=2.4',
      code: `${TRIP}def check():\n    net = torch.nn.Linear(2, 2)\n    with tempfile.NamedTemporaryFile() as f:\n        torch.save(net.state_dict(), f.name)\n        net.load_state_dict(torch.load(f.name))\n`,
      errors: [
        { messageId: 'roundTrip', line: 9, column: 29, severity: 1, fixSafety: 'safe', message: includes('saved at line 8 to a temporary file it made') },
      ],
      output: `${TRIP}def check():\n    net = torch.nn.Linear(2, 2)\n    with tempfile.NamedTemporaryFile() as f:\n        torch.save(net.state_dict(), f.name)\n        net.load_state_dict(torch.load(f.name, weights_only=True))\n`,
    },
    {
      name: 'the conversion-script helper: a named temporary file, the load in one branch, removed afterwards',
      torch: '>=1.13',
      code: `${TRIP}import os\n\ndef load_checkpoint_to_model(checkpoint, model, strict=False):\n    with tempfile.NamedTemporaryFile(delete=False) as file:\n        torch.save(checkpoint, file.name)\n        del checkpoint\n        if strict:\n            model.load_state_dict(torch.load(file.name), strict=True)\n        else:\n            load_checkpoint_and_dispatch(model, file.name, device_map="auto")\n    os.remove(file.name)\n`,
      errors: [
        {
          messageId: 'roundTrip',
          line: 12,
          column: 35,
          severity: 1,
          message: includes('saved at line 9 to a temporary file it made'),
          fixSafety: 'unsafe',
        },
      ],
      output: `${TRIP}import os\n\ndef load_checkpoint_to_model(checkpoint, model, strict=False):\n    with tempfile.NamedTemporaryFile(delete=False) as file:\n        torch.save(checkpoint, file.name)\n        del checkpoint\n        if strict:\n            model.load_state_dict(torch.load(file.name, weights_only=True), strict=True)\n        else:\n            load_checkpoint_and_dispatch(model, file.name, device_map="auto")\n    os.remove(file.name)\n`,
    },
    {
      name: 'torch>=2.6 declared: the default is the same everywhere, the usual warning',
      torch: '>=2.6',
      code: `${TRIP}def copy(obj):\n    buf = io.BytesIO()\n    torch.save(obj, buf)\n    return torch.load(buf)\n`,
      errors: [{ messageId: 'missingModern', line: 8, column: 12, severity: 1, fixSafety: 'safe' }],
      output: `${TRIP}def copy(obj):\n    buf = io.BytesIO()\n    torch.save(obj, buf)\n    return torch.load(buf, weights_only=True)\n`,
    },
    {
      name: 'a temporary folder written by someone else too: still an error',
      code: `${TRIP}import os\n\ndef check(obj, url):\n    with tempfile.TemporaryDirectory() as d:\n        torch.save(obj, os.path.join(d, "m.pt"))\n        fetch(url, d)\n        return torch.load(os.path.join(d, "m.pt"))\n`,
      errors: [
        {
          messageId: 'missing',
          line: 11,
          column: 16,
          severity: 2,
          suggestions: [
            {
              output: `${TRIP}import os\n\ndef check(obj, url):\n    with tempfile.TemporaryDirectory() as d:\n        torch.save(obj, os.path.join(d, "m.pt"))\n        fetch(url, d)\n        return torch.load(os.path.join(d, "m.pt"), weights_only=True)\n`,
            },
          ],
        },
      ],
    },
  ],
});

import rule from '../../rules/torch-save-full-model';
import { includes, ruleTester } from '../helpers/rule-tester';

const NET = 'import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    pass\n\n';

ruleTester.run('torch-save-full-model', rule, {
  valid: [
    `${NET}model = Net()\ntorch.save(model.state_dict(), "m.pt")\n`,
    `${NET}model = Net()\ntorch.save({"model": model.state_dict(), "epoch": 3}, "c.pt")\n`,
    `${NET}torch.save(optimizer.state_dict(), "o.pt")\n`,
    'import torch\ntorch.save(torch.randn(3), "t.pt")\n',
    'import torch\ntorch.save((images, labels), "data.pt")\n',
    'import torch\ntorch.save(predictions, "p.pt")\n',
    'import torch\n\nclass Config:\n    pass\n\ntorch.save(Config(), "c.pt")\n',
    'import torch\ntorch.save(torch.nn.Parameter(torch.ones(2)), "p.pt")\n',
    `${NET}def save(model, path):\n    torch.save(model, path)\n`,
    `${NET}model = Net()\nmodel = load_something()\ntorch.save(model, "m.pt")\n`,
    'import torch\nfrom torchvision.models import get_weight\ntorch.save(get_weight("ResNet18_Weights.DEFAULT"), "w.pt")\n',
  ],
  invalid: [
    {
      name: 'instance of an nn.Module subclass',
      code: `${NET}model = Net()\ntorch.save(model, "m.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 8,
          column: 12,
          endColumn: 17,
          severity: 1,
          message: includes('`Net` subclasses nn.Module (line 4)'),
          suggestions: [{ output: `${NET}model = Net()\ntorch.save(model.state_dict(), "m.pt")\n` }],
        },
      ],
    },
    {
      name: 'subclass through another class of the file',
      code: 'import torch\nimport torch.nn as nn\n\nclass Base(nn.Module):\n    pass\n\nclass Net(Base):\n    pass\n\nnet = Net()\ntorch.save(net, "n.pt")\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 11,
          column: 12,
          suggestions: [
            {
              output:
                'import torch\nimport torch.nn as nn\n\nclass Base(nn.Module):\n    pass\n\nclass Net(Base):\n    pass\n\nnet = Net()\ntorch.save(net.state_dict(), "n.pt")\n',
            },
          ],
        },
      ],
    },
    {
      name: 'torch.nn container built inline',
      code: 'import torch\ntorch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), "s.pt")\n',
      errors: [{ messageId: 'fullModel', line: 2, column: 12, message: includes('`torch.nn.Sequential` is an nn.Module') }],
    },
    {
      name: 'torchvision builder, then .to(device) and reassignment',
      code: 'import torch\nimport torchvision\nm = torchvision.models.resnet18(weights=None)\nm = m.to("cpu")\ntorch.save(m, "r.pt")\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 5,
          column: 12,
          message: includes('torchvision.models.resnet18'),
          suggestions: [
            {
              output: 'import torch\nimport torchvision\nm = torchvision.models.resnet18(weights=None)\nm = m.to("cpu")\ntorch.save(m.state_dict(), "r.pt")\n',
            },
          ],
        },
      ],
    },
    {
      name: 'self inside a module method',
      code: `import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def snapshot(self, path):\n        torch.save(self, path)\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 6,
          column: 20,
          suggestions: [
            {
              output: `import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def snapshot(self, path):\n        torch.save(self.state_dict(), path)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'self.attr assigned a module in __init__',
      code: `${NET}class Trainer:\n    def __init__(self):\n        self.net = Net()\n\n    def save(self):\n        torch.save(self.net, "n.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 12,
          column: 20,
          message: includes('`self.net`'),
          suggestions: [
            {
              output: `${NET}class Trainer:\n    def __init__(self):\n        self.net = Net()\n\n    def save(self):\n        torch.save(self.net.state_dict(), "n.pt")\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'parameter annotated with a torch.nn layer (one definition of a module base)',
      code: 'import torch\nfrom torch import nn\n\ndef export(head: nn.Linear, path):\n    torch.save(head, path)\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 5,
          column: 16,
          message: includes('annotated `nn.Linear`'),
          suggestions: [{ output: 'import torch\nfrom torch import nn\n\ndef export(head: nn.Linear, path):\n    torch.save(head.state_dict(), path)\n' }],
        },
      ],
    },
    {
      name: 'parameter annotated nn.Module',
      code: 'import torch\nfrom torch import nn\n\ndef export(model: nn.Module, path):\n    torch.save(model, path)\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 5,
          column: 16,
          message: includes('annotated `nn.Module`'),
          suggestions: [{ output: 'import torch\nfrom torch import nn\n\ndef export(model: nn.Module, path):\n    torch.save(model.state_dict(), path)\n' }],
        },
      ],
    },
    {
      name: 'a dict literal holding a module is reported at the module',
      code: `${NET}model = Net()\ntorch.save({"model": model, "epoch": 3}, "c.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 8,
          column: 22,
          suggestions: [{ output: `${NET}model = Net()\ntorch.save({"model": model.state_dict(), "epoch": 3}, "c.pt")\n` }],
        },
      ],
    },
    {
      name: 'a name bound to a dict holding a module: reported at the save, fixed at the element',
      code: `${NET}net = Net()\nckpt = {\n    "net": net,\n    "step": 3,\n}\ntorch.save(ckpt, "c.pt")\n`,
      errors: [
        {
          messageId: 'inContainer',
          line: 12,
          column: 12,
          message: includes('pickles `ckpt`, which holds the whole nn.Module `net` (line 9)'),
          suggestions: [{ output: `${NET}net = Net()\nckpt = {\n    "net": net.state_dict(),\n    "step": 3,\n}\ntorch.save(ckpt, "c.pt")\n` }],
        },
      ],
    },
    {
      name: 'copy.deepcopy of a module, passed as obj=',
      code: `import copy\n${NET}ema = copy.deepcopy(Net())\ntorch.save(obj=ema, f="e.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 9,
          column: 16,
          suggestions: [{ output: `import copy\n${NET}ema = copy.deepcopy(Net())\ntorch.save(obj=ema.state_dict(), f="e.pt")\n` }],
        },
      ],
    },
    {
      name: 'the module inside DataParallel',
      code: `${NET}dp = nn.DataParallel(Net())\ntorch.save(dp.module, "m.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 8,
          column: 12,
          suggestions: [{ output: `${NET}dp = nn.DataParallel(Net())\ntorch.save(dp.module.state_dict(), "m.pt")\n` }],
        },
      ],
    },
    {
      name: 'annotated local variable',
      code: 'import torch\nfrom torch import nn\nnet: nn.Module = build()\ntorch.save(net, "n.pt")\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 4,
          column: 12,
          message: includes('variable `net` is annotated `nn.Module`'),
          suggestions: [{ output: 'import torch\nfrom torch import nn\nnet: nn.Module = build()\ntorch.save(net.state_dict(), "n.pt")\n' }],
        },
      ],
    },
    {
      name: 'a name bound to a module or to a loaded snapshot',
      code: `${NET}if resume:\n    model = torch.load(resume, weights_only=False)\nelse:\n    model = Net()\ntorch.save(model, "snap.pt")\n`,
      errors: [
        {
          messageId: 'fullModel',
          line: 11,
          column: 12,
          suggestions: [
            {
              output: `${NET}if resume:\n    model = torch.load(resume, weights_only=False)\nelse:\n    model = Net()\ntorch.save(model.state_dict(), "snap.pt")\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'timm.create_model',
      code: 'import timm\nimport torch\nnet = timm.create_model("resnet50", pretrained=False)\ntorch.save(net, "r.pt")\n',
      errors: [
        {
          messageId: 'fullModel',
          line: 4,
          column: 12,
          message: includes('builds a timm model'),
          suggestions: [{ output: 'import timm\nimport torch\nnet = timm.create_model("resnet50", pretrained=False)\ntorch.save(net.state_dict(), "r.pt")\n' }],
        },
      ],
    },
    {
      name: 'LightningModule subclass',
      code: 'import torch\nimport lightning as L\n\nclass Lit(L.LightningModule):\n    pass\n\ntorch.save(Lit(), "l.pt")\n',
      errors: [{ messageId: 'fullModel', line: 7, column: 12 }],
    },
    {
      name: 'extraModuleBases option',
      code: 'import torch\nfrom mylib.nn import BaseModel\n\nclass Net(BaseModel):\n    pass\n\nnet = Net()\ntorch.save(net, "n.pt")\n',
      options: { extraModuleBases: ['mylib.nn.BaseModel'] },
      errors: [
        {
          messageId: 'fullModel',
          line: 8,
          column: 12,
          suggestions: [
            {
              output: 'import torch\nfrom mylib.nn import BaseModel\n\nclass Net(BaseModel):\n    pass\n\nnet = Net()\ntorch.save(net.state_dict(), "n.pt")\n',
            },
          ],
        },
      ],
    },
  ],
});

import * as path from 'node:path';
import * as parse from '../src/syntax/parse';
import { cli, tempRepo } from './helpers/cli';

const NET_PACKAGE = {
  'app/__init__.py': 'from .models import Net\n',
  'app/base.py': 'from torch import nn\n\n\nclass Base(nn.Module):\n    pass\n',
  'app/models.py': 'from .base import Base\n\n\nclass Net(Base):\n    pass\n\n\nclass Config:\n    pass\n',
};

async function findings(dir: string, ...args: string[]): Promise<string[]> {
  const { stdout } = await cli(dir, '-f', 'json', ...args);
  return JSON.parse(stdout).flatMap((r: { filePath: string; messages: { ruleId: string; line: number; message: string }[] }) =>
    r.messages.map(
      (m) =>
        `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId} ${/`torch.save\(\)` pickles the whole nn.Module `([^`]+)`: (.*?)\. Loading/.exec(m.message)?.slice(1).join(' | ') ?? ''}`,
    ),
  );
}

describe('repository index', () => {
  test('classes imported from other modules, through relative imports and an __init__ re-export', async () => {
    const dir = tempRepo({
      ...NET_PACKAGE,
      'train.py':
        'import torch\nfrom app import Net\nfrom app.models import Config\nfrom app.models import Net as Direct\n\nmodel = Net()\ntorch.save(model, "m.pt")\ntorch.save(Config(), "c.pt")\ntorch.save(Direct(), "d.pt")\n',
    });
    expect(await findings(dir)).toEqual([
      'train.py:7 torch-save-full-model model | `Net` (app/models.py:4) subclasses nn.Module',
      'train.py:9 torch-save-full-model Direct() | `Net` (app/models.py:4) subclasses nn.Module',
    ]);
  });

  test('script-style import of a sibling file, and a module outside the linted paths', async () => {
    const dir = tempRepo({
      'sr/model.py': 'import torch.nn as nn\n\n\nclass Upscaler(nn.Module):\n    pass\n',
      'sr/main.py': 'import torch\nfrom model import Upscaler\n\nnet = Upscaler().to("cpu")\ntorch.save(net, "u.pt")\n',
    });
    expect(await findings(dir, 'sr/main.py')).toEqual(['sr/main.py:5 torch-save-full-model net | `Upscaler` (sr/model.py:4) subclasses nn.Module']);
  });

  test('a class of the same name that is not a module, and an import cycle, are not reported', async () => {
    const dir = tempRepo({
      'pkg/__init__.py': '',
      'pkg/a.py': 'from .b import B\n\n\nclass A(B):\n    pass\n',
      'pkg/b.py': 'from .a import A\n\n\nclass B(A):\n    pass\n',
      'run.py': 'import torch\nfrom pkg.a import A\ntorch.save(A(), "a.pt")\n',
    });
    expect(await findings(dir)).toEqual([]);
  });

  test('every file is parsed exactly once, even when other files ask about it', async () => {
    const dir = tempRepo({ ...NET_PACKAGE, 'z_first.py': 'import torch\nfrom app.models import Net\ntorch.save(Net(), "n.pt")\n' });
    const spy = jest.spyOn(parse, 'parsePython');
    try {
      await cli(dir);
      expect(spy).toHaveBeenCalledTimes(4);
    } finally {
      spy.mockRestore();
    }
  });

  test('a weights_only constant imported from another module of the project', async () => {
    const dir = tempRepo({
      'pkg/__init__.py': '',
      'pkg/settings.py': 'TRUST_CHECKPOINTS = False\nSTRICT = True\n',
      'pkg/load.py':
        'import torch\nfrom .settings import TRUST_CHECKPOINTS, STRICT\nfrom pkg import settings\na = torch.load("a.pt", weights_only=TRUST_CHECKPOINTS)\nb = torch.load("b.pt", weights_only=STRICT)\nc = torch.load("c.pt", weights_only=settings.TRUST_CHECKPOINTS)\n',
    });
    const { stdout } = await cli(dir, '-f', 'json');
    expect(JSON.parse(stdout).flatMap((r: { messages: { line: number; ruleId: string }[] }) => r.messages.map((m) => `${m.line} ${m.ruleId}`))).toEqual([
      '4 torch-load-weights-only-false',
      '6 torch-load-weights-only-false',
    ]);
  });

  test('star re-exports, and a package taking precedence over a module of the same name', async () => {
    const dir = tempRepo({
      'app/__init__.py': 'from .models import *\n',
      'app/models.py': 'from torch import nn\n\n\nclass Net(nn.Module):\n    pass\n',
      'lib/__init__.py': 'class Net:\n    pass\n',
      'lib.py': 'from torch import nn\n\n\nclass Net(nn.Module):\n    pass\n',
      'main.py': 'import torch\nfrom app import Net\nfrom lib import Net as Plain\ntorch.save(Net(), "a.pt")\ntorch.save(Plain(), "b.pt")\n',
    });
    expect(await findings(dir, 'main.py')).toEqual(['main.py:4 torch-save-full-model Net() | `Net` (app/models.py:4) subclasses nn.Module']);
  });
});

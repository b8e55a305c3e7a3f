import { pythonParser, parsePython, type Node } from '../src/syntax/parse';
import { descendants } from '../src/syntax/python';
import { analyzeScopes } from '../src/syntax/scope';

/** Qualified names of every call's callee in `code`, in document order, as `callee text → name`. */
async function calleeNames(code: string): Promise<string[]> {
  const tree = parsePython(await pythonParser(), code);
  try {
    const scopes = analyzeScopes(tree.rootNode);
    return descendants(tree.rootNode, 'call').map((call: Node) => {
      const callee = call.childForFieldName('function')!;
      return `${callee.text} → ${scopes.qualifiedName(callee) ?? '?'}`;
    });
  } finally {
    tree.delete();
  }
}

describe('qualified names', () => {
  test.each([
    ['import torch\ntorch.load(p)', ['torch.load → torch.load']],
    ['import torch as th\nth.load(p)', ['th.load → torch.load']],
    ['import torch.serialization\ntorch.serialization.load(p)', ['torch.serialization.load → torch.serialization.load']],
    ['import torch.nn as nn\nnn.Linear(1, 1)', ['nn.Linear → torch.nn.Linear']],
    ['from torch import load as L\nL(p)', ['L → torch.load']],
    ['from torch.hub import load_state_dict_from_url as fetch\nfetch(u)', ['fetch → torch.hub.load_state_dict_from_url']],
    ['from . import utils\nutils.load(p)', ['utils.load → .utils.load']],
    ['from .models import Net\nNet()', ['Net → .models.Net']],
    ['open(p)', ['open → builtins.open']],
    ['import torch\nload = torch.load\nsave = load\nsave(p)', ['save → torch.load']],
    ['import torch\ntorch = None\ntorch.load(p)', ['torch.load → torch.load']],
    ['import json\njson.load(f)', ['json.load → json.load']],
  ])('%s', async (code, expected) => {
    expect(await calleeNames(code)).toEqual(expected);
  });
});

describe('shadowing', () => {
  test.each([
    ['parameter named torch', 'import torch\ndef f(torch):\n    torch.load(p)', ['torch.load → ?']],
    ['*args-style parameter', 'import torch\ndef f(*torch):\n    torch.load(p)', ['torch.load → ?']],
    ['local assignment', 'import torch\ndef f():\n    torch = make()\n    torch.load(p)', ['make → ?', 'torch.load → ?']],
    ['local def named load', 'from torch import load\ndef load(p):\n    pass\nload(p)', ['load → ?']],
    ['for-loop target', 'import torch\nfor torch in mods:\n    torch.load(p)', ['torch.load → ?']],
    ['with-as target', 'import torch\nwith ctx() as torch:\n    torch.load(p)', ['ctx → ?', 'torch.load → ?']],
    ['except-as target', 'import torch\ntry:\n    pass\nexcept E as torch:\n    torch.load(p)', ['torch.load → ?']],
    ['lambda parameter', 'import torch\nf = lambda torch: torch.load(p)', ['torch.load → ?']],
    ['comprehension variable', 'import torch\n[torch.load(p) for torch in mods]', ['torch.load → ?']],
    ['self.load', 'import torch\nclass A:\n    def f(self):\n        self.load(p)', ['self.load → ?']],
    [
      'class attribute does not leak into methods',
      'import torch\nclass A:\n    torch = None\n    def f(self):\n        torch.load(p)',
      ['torch.load → torch.load'],
    ],
    ['global declaration reaches the module binding', 'import torch\ndef f():\n    global torch\n    torch.load(p)', ['torch.load → torch.load']],
    ['import inside a function', 'def f():\n    import torch as T\n    T.load(p)\nT.load(p)', ['T.load → torch.load', 'T.load → ?']],
    ['walrus in a function', 'import torch\ndef f():\n    (torch := other)\n    torch.load(p)', ['torch.load → ?']],
  ])('%s', async (_name, code, expected) => {
    expect(await calleeNames(code)).toEqual(expected);
  });
});

import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';

interface Message {
  ruleId: string;
  messageId: string;
  line: number;
  severity: number;
  message: string;
  fix?: { text: string };
  suggestions?: { desc: string }[];
}

// the requirements.txt of these projects is itself a finding of torch-vulnerable-version (tested on its own)
async function findings(dir: string, ...args: string[]): Promise<string[]> {
  const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-vulnerable-version:off', ...args);
  return JSON.parse(stdout).flatMap((r: { filePath: string; messages: Message[] }) =>
    r.messages.map(
      (m) =>
        `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId}/${m.messageId} sev${m.severity}${m.fix ? ' fix' : m.suggestions?.length ? ' suggestion' : ''}`,
    ),
  );
}

describe('load wrappers', () => {
  test('a same-file wrapper with a weights_only parameter defaulting to False', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'a.py': [
        'import sys',
        'import torch',
        '',
        'def load_ckpt(path, weights_only=False):',
        '    return torch.load(path, map_location="cpu", weights_only=weights_only)',
        '',
        'sd = load_ckpt("runs/last.pt")',
        'torch.nn.Linear(2, 2).load_state_dict(sd)',
        'obj = load_ckpt(sys.argv[1], weights_only=False)',
        'ok = load_ckpt("x.pt", weights_only=True)',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'a.py:7 torch-load-missing-weights-only/missingDefaultFalse sev2 fix',
      'a.py:9 torch-load-weights-only-false/untrusted sev2 suggestion',
    ]);
    const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    expect(JSON.parse(stdout)[0].messages[0].message).toContain(
      '`load_ckpt()` (which wraps torch.load, a.py:4) without `weights_only` loads with `weights_only=False`',
    );
  });

  test('a wrapper in another module that forwards **kwargs with setdefault(False), and one without a default', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'utils/__init__.py': '',
      'utils/io.py': [
        'import torch',
        '',
        'def load_any(file, *args, **kwargs):',
        '    kwargs.setdefault("weights_only", False)',
        '    with open(file, "rb") as fh:',
        '        return torch.load(fh, *args, **kwargs)',
        '',
        'def load_plain(file, cache=True, **kwargs):',
        '    import fsspec',
        '    with fsspec.open(f"filecache::{file}" if cache else file, "rb") as f:',
        '        return torch.load(f, map_location="cpu", **kwargs)',
        '',
      ].join('\n'),
      'train.py':
        'from torch import nn\nfrom utils.io import load_any, load_plain\nmodel = load_any("yolo.pt")["model"].float()\nsd = load_plain("w.pt")\nnn.Linear(2, 2).load_state_dict(sd)\n',
    });
    expect(await findings(dir)).toEqual([
      'train.py:3 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
      'train.py:4 torch-load-missing-weights-only/missing sev2 fix',
    ]);
    await cli(dir, '--fix');
    expect(require('node:fs').readFileSync(path.join(dir, 'train.py'), 'utf8')).toBe(
      'from torch import nn\nfrom utils.io import load_any, load_plain\nmodel = load_any("yolo.pt")["model"].float()\nsd = load_plain("w.pt", weights_only=True)\nnn.Linear(2, 2).load_state_dict(sd)\n',
    );
  });

  test('on torch >= 2.6 a wrapper call gets no "already the default" fix: a hub wrapper defaults to False', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.6\n',
      'hub_utils.py': 'import torch\n\ndef fetch(url, **kwargs):\n    return torch.hub.load_state_dict_from_url(url, **kwargs)\n',
      'main.py': 'from hub_utils import fetch\nmodel = fetch("https://example.com/m.pth")\nmodel.eval()\n',
    });
    expect(await findings(dir)).toEqual(['main.py:2 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion']);
    const { stdout } = await cli(dir, '-f', 'json');
    expect(JSON.parse(stdout).find((r: { filePath: string }) => r.filePath.endsWith('main.py')).messages[0].message).toContain(
      '(which wraps torch.hub.load_state_dict_from_url, hub_utils.py:3)',
    );
  });

  test('a wrapper that returns one entry of the file: a state-dict use at its call site is not the whole file', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'io_utils.py': 'import torch\n\ndef load_weights(path, **kwargs):\n    return torch.load(path, **kwargs)["state_dict"]\n',
      'main.py': 'import torch\nfrom io_utils import load_weights\ntorch.nn.Linear(2, 2).load_state_dict(load_weights("w.ckpt"))\n',
    });
    expect(await findings(dir)).toEqual(['main.py:3 torch-load-missing-weights-only/missing sev2 suggestion']);
    expect(await findings(dir, '--unsafe-fixes')).toEqual(['main.py:3 torch-load-missing-weights-only/missing sev2 fix']);
  });

  test('a wrapper that returns the load through parentheses returns the whole file', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'io_utils.py': [
        'import torch',
        '',
        'def load_weights(path, **kwargs):',
        '    if path.endswith(".bin"):',
        '        return ((torch.load(path, **kwargs)))',
        '    return (',
        '        torch.load(path, **kwargs)  # all of it',
        '    )',
        '',
        'def load_part(path, **kwargs):',
        '    return (torch.load(path, **kwargs), 1)',
        '',
      ].join('\n'),
      'main.py': [
        'import torch',
        'from io_utils import load_part, load_weights',
        'torch.nn.Linear(2, 2).load_state_dict(load_weights("w.ckpt"))',
        'torch.nn.Linear(2, 2).load_state_dict(load_part("w.ckpt"))',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'main.py:3 torch-load-missing-weights-only/missing sev2 fix',
      'main.py:4 torch-load-missing-weights-only/missing sev2 suggestion',
    ]);
  });

  test('a wrapper that defaults to weights_only=True is trusted at its call sites', async () => {
    const dir = tempRepo({
      'a.py': 'import torch\n\ndef safe_load(p, weights_only=True):\n    return torch.load(p, weights_only=weights_only)\n\nobj = safe_load("x.pt")\n',
    });
    expect(await findings(dir)).toEqual([]);
  });

  test('known third-party loaders: built-in table and config knownLoaders', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': JSON.stringify({ knownLoaders: { 'mylab.io.read_ckpt': { weightsOnlyDefault: false } } }),
      'a.py': [
        'from ultralytics.utils.patches import torch_load',
        'from fairseq import checkpoint_utils',
        'from mylab.io import read_ckpt',
        'ckpt = torch_load("yolov8n.pt")',
        'state = checkpoint_utils.load_checkpoint_to_cpu(path)',
        'other = read_ckpt(path)',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'a.py:4 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
      'a.py:5 torch-load-missing-weights-only/loaderNoParam sev2',
      'a.py:6 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
    ]);
  });

  test('inside the project that defines a known loader, its own source decides (reported once, at the load)', async () => {
    const dir = tempRepo({
      'fairseq/__init__.py': '',
      'fairseq/checkpoint_utils.py':
        'import torch\n\ndef load_checkpoint_to_cpu(path):\n    with open(path, "rb") as f:\n        return torch.load(f, weights_only=False)\n',
      'fairseq/trainer.py': 'from fairseq import checkpoint_utils\nstate = checkpoint_utils.load_checkpoint_to_cpu(p)\n',
    });
    expect(await findings(dir)).toEqual(['fairseq/checkpoint_utils.py:5 torch-load-weights-only-false/unsafe sev1 suggestion']);
  });

  test('a wrapper that forces weights_only=False is reported at its load, and its callers are not told to pass True', async () => {
    const dir = tempRepo({
      'io_utils.py': 'import torch\n\ndef load_ckpt(path, **kwargs):\n    kwargs["weights_only"] = False\n    return torch.load(path, **kwargs)\n',
      'main.py': 'import sys\nfrom io_utils import load_ckpt\nstate = load_ckpt(sys.argv[1])\n',
    });
    expect(await findings(dir)).toEqual(['io_utils.py:5 torch-load-weights-only-false/unsafe sev1 suggestion']);
  });

  test('a wrapper with one load per torch version: the worst default wins and the message names both loaders', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'a.py': [
        'import torch',
        '',
        'def fetch(src, weights_only=False):',
        '    if src.startswith("http"):',
        '        return torch.hub.load_state_dict_from_url(src, weights_only=weights_only)',
        '    return torch.load(src, weights_only=weights_only)',
        '',
        'def read(src, trusted=True):',
        '    if NEW_TORCH:',
        '        return torch.load(src, weights_only=trusted)',
        '    return torch.load(src)',
        '',
        'a = fetch("https://example.com/w.pth")',
        'b = read("b.pt")',
        '',
      ].join('\n'),
    });
    // fetch: both loads forward its parameter (default False); read: the branch that leaves weights_only to torch is
    // the finding itself, and its callers get the forwarding branch's default (True)
    expect(await findings(dir)).toEqual([
      'a.py:11 torch-load-missing-weights-only/missing sev2 suggestion',
      'a.py:13 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
    ]);
    const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    const messages = JSON.parse(stdout)[0].messages.map((m: Message) => m.message);
    expect(messages[1]).toContain('`fetch()` (which wraps torch.hub.load_state_dict_from_url and torch.load, a.py:3)');
  });

  test('weights_only through a local options dict from a renamed parameter', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'a.py': [
        'import torch',
        '',
        'def load_ckpt(path, safe_mode=False):',
        '    opts = {"map_location": "cpu", "weights_only": safe_mode}',
        '    return torch.load(path, **opts)',
        '',
        'def load_other(path, safe_mode=False):',
        '    opts = dict(weights_only=safe_mode)',
        '    return torch.load(path, **opts)',
        '',
        'x = load_ckpt("x.pt")',
        'y = load_ckpt("y.pt", safe_mode=True)',
        'z = load_other("z.pt", True)',
        'w = load_other("w.pt")',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'a.py:11 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
      'a.py:14 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
    ]);
    const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    expect(JSON.parse(stdout)[0].messages[0].suggestions[0].fix.text).toBe(', safe_mode=True');
  });

  test('a torch loader imported into a project module (in one branch of a version test) and called from another', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'lib/__init__.py': 'from .hub import load_url\n',
      'lib/hub.py': [
        'import torch',
        'if OLD_TORCH:',
        '    def load_url(url, model_dir=None):',
        '        return download_and_read(url)',
        'else:',
        '    from torch.utils.model_zoo import load_url',
        '',
      ].join('\n'),
      'main.py': 'from lib import load_url\nsd = load_url("https://example.com/m.pth")\nok = load_url("https://example.com/m.pth", weights_only=True)\n',
    });
    expect(await findings(dir)).toEqual(['main.py:2 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion']);
    const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    const main = JSON.parse(stdout).find((r: { filePath: string }) => r.filePath.endsWith('main.py'));
    expect(main.messages[0].message).toContain('`load_url()` (which wraps torch.utils.model_zoo.load_url, lib/hub.py) without `weights_only`');
  });

  test('a wrapper called with pickle_module passes it on: a pickle-module finding, no weights_only one (it would raise)', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'a.py': [
        'import pickle',
        'import torch',
        '',
        'def load_fsspec(path, map_location=None, **kwargs):',
        '    return torch.load(path, map_location=map_location, **kwargs)',
        '',
        'x = load_fsspec("x.pth", pickle_module=pickle)',
        'y = load_fsspec("y.pth")',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'a.py:7 torch-load-pickle-module/pickleModule sev2',
      'a.py:8 torch-load-missing-weights-only/missing sev2 suggestion',
    ]);
  });

  test('None replaced by False inside the wrapper is a False default; None passed by a caller reaches torch', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.6\n',
      'a.py': [
        'import torch',
        '',
        'def load_any(path, weights_only=None):',
        '    if weights_only is None:',
        '        weights_only = False',
        '    return torch.load(path, weights_only=weights_only)',
        '',
        'def read(path, *, weights_only=False, **kwargs):',
        '    wo = kwargs.pop("weights_only", False)',
        '    return torch.load(path, weights_only=wo)',
        '',
        'a = load_any("a.pt")',
        'b = read("b.pt")',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual([
      'a.py:12 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
      'a.py:13 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
    ]);
  });

  test('config knownLoaders win over the project source; the built-in table does not apply to the project defining it', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': JSON.stringify({ knownLoaders: { 'mylib.io.load': { weightsOnlyDefault: false } } }),
      'mylib/__init__.py': '',
      'mylib/io.py': 'import os\nimport torch\nROOT = "/data"\n\ndef load(name):\n    return torch.load(os.path.join(ROOT, name))\n',
      'main.py': 'from mylib.io import load\nobj = load("x.pt")\n',
    });
    expect(await findings(dir)).toEqual([
      'main.py:2 torch-load-missing-weights-only/missingDefaultFalse sev2 suggestion',
      'mylib/io.py:6 torch-load-missing-weights-only/missing sev2 suggestion',
    ]);
  });

  test('invalid knownLoaders config is a clear error', async () => {
    const dir = tempRepo({ '.pylintrc-ts.json': JSON.stringify({ knownLoaders: { 'mylab.io.read': { weightsOnlyDefault: 'no' } } }), 'a.py': '' });
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('knownLoaders: invalid: /mylab.io.read/weightsOnlyDefault must be equal to one of the allowed values');
  });
});

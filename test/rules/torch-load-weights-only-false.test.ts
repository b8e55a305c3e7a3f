import rule from '../../rules/torch-load-weights-only-false';
import { includes, ruleTester } from '../helpers/rule-tester';

const T = 'import torch\n';

ruleTester.run('torch-load-weights-only-false', rule, {
  valid: [
    `${T}torch.load("a.pt", weights_only=True)\n`,
    `${T}torch.load("a.pt")\n`,
    `${T}def f(flag):\n    return torch.load("a.pt", weights_only=flag)\n`,
    `${T}torch.load("a.pt", weights_only=not trusted)\n`,
    `${T}SAFE = False\nSAFE = True\ntorch.load("a.pt", weights_only=SAFE)\n`,
    `${T}def f(trusted):\n    return torch.load("a.pt", weights_only=not trusted)\n`,
    `${T}wo = False if legacy else True\ntorch.load("a.pt", weights_only=wo)\n`,
    `${T}kwargs = {"weights_only": True} if new_torch else {}\ntorch.load("a.pt", map_location="cpu", **kwargs)\n`,
    `${T}opts = {"weights_only": False}\nif safe:\n    opts["weights_only"] = True\ntorch.load("a.pt", **opts)\n`,
    `${T}opts = {}\nconfigure(opts)\ntorch.load("a.pt", **opts)\n`,
    `${T}import io\nbuf = io.BytesIO()\ntorch.save(model, buf)\nbuf.seek(0)\ncopy = torch.load(buf, weights_only=True)\n`,
    'import numpy as np\nnp.load("a.npy", allow_pickle=False)\n',
    `${T}class A:\n    def load(self, p, weights_only=False):\n        pass\n\n    def f(self):\n        self.load("x", weights_only=False)\n`,
  ],
  invalid: [
    {
      name: 'a state dict loaded with an explicit False: an unsafe fix (the False may be on purpose), no suggestion',
      code: `${T}model.load_state_dict(torch.load("a.pt", weights_only=False))\n`,
      errors: [{ messageId: 'unsafe', line: 2, column: 42, severity: 1, fixSafety: 'unsafe' }],
      output: `${T}model.load_state_dict(torch.load("a.pt", weights_only=True))\n`,
    },
    {
      name: 'a local name bound only to False, through not and a conditional',
      code: `${T}def f(p):\n    trust = True\n    wo = not trust\n    return torch.load(p, weights_only=wo if p else False)\n`,
      errors: [{ messageId: 'unsafe', line: 5, column: 26, severity: 1 }],
    },
    {
      name: 'False in a **kwargs dict: reported at the call, suggestion at the dict entry',
      code: `${T}load_args = dict(map_location="cpu", weights_only=False)\nmodel = torch.load("m.pt", **load_args)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 3,
          column: 9,
          severity: 1,
          suggestions: [{ output: `${T}load_args = dict(map_location="cpu", weights_only=True)\nmodel = torch.load("m.pt", **load_args)\n` }],
        },
      ],
    },
    {
      name: 'False written into the dict with setdefault and update',
      code: `${T}kw = {"map_location": "cpu"}\nkw.update({"mmap": True})\nkw.setdefault("weights_only", False)\nmodel = torch.load("m.pt", **kw)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 5,
          column: 9,
          severity: 1,
          suggestions: [
            { output: `${T}kw = {"map_location": "cpu"}\nkw.update({"mmap": True})\nkw.setdefault("weights_only", True)\nmodel = torch.load("m.pt", **kw)\n` },
          ],
        },
      ],
    },
    {
      name: 'literal False on a repository path: warning with a suggestion',
      code: `${T}obj = torch.load("checkpoints/last.pt", weights_only=False)\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 2,
          column: 41,
          endColumn: 59,
          severity: 1,
          suggestions: [{ output: `${T}obj = torch.load("checkpoints/last.pt", weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'module-level constant bound only to False',
      code: `${T}TRUST = False\nobj = torch.load("a.pt", weights_only=TRUST)\n`,
      errors: [{ messageId: 'unsafe', line: 3, column: 26, severity: 1 }],
    },
    {
      name: 'argparse argument: error naming the source line',
      code: `import argparse\n${T}parser = argparse.ArgumentParser()\nparser.add_argument("--ckpt")\nargs = parser.parse_args()\nmodel = torch.load(args.ckpt, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 6,
          column: 31,
          severity: 2,
          message: includes('the command-line argument `args.ckpt` from argparse (line 5)'),
          suggestions: [
            {
              output: `import argparse\n${T}parser = argparse.ArgumentParser()\nparser.add_argument("--ckpt")\nargs = parser.parse_args()\nmodel = torch.load(args.ckpt, weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'argparse path through an f-string and a variable',
      code: `${T}def main():\n    opt = parser.parse_args()\n    path = f"{opt.out_dir}/net.pt"\n    return torch.load(path, map_location="cpu", weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 5,
          column: 49,
          severity: 2,
          message: includes('`opt.out_dir` from argparse (line 3)'),
          suggestions: [
            {
              output: `${T}def main():\n    opt = parser.parse_args()\n    path = f"{opt.out_dir}/net.pt"\n    return torch.load(path, map_location="cpu", weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'sys.argv',
      code: `import sys\n${T}torch.load(sys.argv[1], weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 25,
          severity: 2,
          message: includes('sys.argv'),
          suggestions: [{ output: `import sys\n${T}torch.load(sys.argv[1], weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'from sys import argv',
      code: `from sys import argv\n${T}torch.load(argv[1], weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 21,
          severity: 2,
          message: includes('sys.argv'),
          suggestions: [{ output: `from sys import argv\n${T}torch.load(argv[1], weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'parse_known_args unpacked',
      code: `${T}known, _ = parser.parse_known_args()\ntorch.load(known.ckpt, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 24,
          severity: 2,
          message: includes('`known.ckpt` from argparse (line 2)'),
          suggestions: [{ output: `${T}known, _ = parser.parse_known_args()\ntorch.load(known.ckpt, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'vars(args)[...]',
      code: `${T}args = parser.parse_args()\ntorch.load(vars(args)["ckpt"], weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 32,
          severity: 2,
          message: includes('command-line arguments (argparse) (line 2)'),
          suggestions: [{ output: `${T}args = parser.parse_args()\ntorch.load(vars(args)["ckpt"], weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'environment variable through os.path.join',
      code: `import os\n${T}p = os.path.join(os.environ["MODEL_DIR"], "m.pt")\ntorch.load(p, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 15,
          severity: 2,
          message: includes('os.environ["MODEL_DIR"]'),
          suggestions: [{ output: `import os\n${T}p = os.path.join(os.environ["MODEL_DIR"], "m.pt")\ntorch.load(p, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'os.getenv',
      code: `import os\n${T}torch.load(os.getenv("CKPT"), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 31,
          severity: 2,
          message: includes('os.getenv'),
          suggestions: [{ output: `import os\n${T}torch.load(os.getenv("CKPT"), weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'input()',
      code: `${T}torch.load(input("path? "), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 2,
          column: 29,
          severity: 2,
          message: includes('input()'),
          suggestions: [{ output: `${T}torch.load(input("path? "), weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'hf_hub_download result',
      code: `from huggingface_hub import hf_hub_download\n${T}ckpt = hf_hub_download("org/repo", "model.bin")\nsd = torch.load(ckpt, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 23,
          severity: 2,
          message: includes('hf_hub_download) (line 3)'),
          suggestions: [
            {
              output: `from huggingface_hub import hf_hub_download\n${T}ckpt = hf_hub_download("org/repo", "model.bin")\nsd = torch.load(ckpt, weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'requests body in a BytesIO',
      code: `import io\nimport requests\n${T}buf = io.BytesIO(requests.get(url).content)\nsd = torch.load(buf, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 5,
          column: 22,
          severity: 2,
          message: includes('requests.get'),
          suggestions: [{ output: `import io\nimport requests\n${T}buf = io.BytesIO(requests.get(url).content)\nsd = torch.load(buf, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'urlretrieve result',
      code: `from urllib.request import urlretrieve\n${T}local = urlretrieve(url)[0]\ntorch.load(local, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 19,
          severity: 2,
          message: includes('urlretrieve'),
          suggestions: [{ output: `from urllib.request import urlretrieve\n${T}local = urlretrieve(url)[0]\ntorch.load(local, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'URL literal to the hub loader',
      code: `${T}torch.hub.load_state_dict_from_url("https://example.com/w.pth", weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 2,
          column: 65,
          severity: 2,
          message: includes('the URL "https://example.com/w.pth"'),
          suggestions: [{ output: `${T}torch.hub.load_state_dict_from_url("https://example.com/w.pth", weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'argparse namespace passed into a function of the file',
      code: `${T}def run(args):\n    return torch.load(args.ckpt, weights_only=False)\n\nrun(parser.parse_args())\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 3,
          column: 34,
          severity: 2,
          message: includes('`args.ckpt` from argparse (line 5)'),
          suggestions: [{ output: `${T}def run(args):\n    return torch.load(args.ckpt, weights_only=True)\n\nrun(parser.parse_args())\n` }],
        },
      ],
    },
    {
      name: 'a path returned by a function of the file',
      code: `import sys\n${T}def checkpoint_path():\n    return sys.argv[1]\n\ntorch.load(checkpoint_path(), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 6,
          column: 31,
          severity: 2,
          message: includes('sys.argv) (line 4)'),
          suggestions: [{ output: `import sys\n${T}def checkpoint_path():\n    return sys.argv[1]\n\ntorch.load(checkpoint_path(), weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'a parameter whose callers pass only trusted paths stays a warning',
      code: `${T}def restore(p):\n    return torch.load(p, weights_only=False)\n\nrestore("runs/last.pt")\n`,
      errors: [
        {
          messageId: 'unsafe',
          line: 3,
          column: 26,
          severity: 1,
          suggestions: [{ output: `${T}def restore(p):\n    return torch.load(p, weights_only=True)\n\nrestore("runs/last.pt")\n` }],
        },
      ],
    },
    {
      name: 'click command parameter',
      code: `import click\n${T}@click.command()\n@click.argument("path")\ndef main(path):\n    torch.load(path, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 6,
          column: 22,
          severity: 2,
          message: includes('the command-line parameter `path` (click.command) (line 5)'),
          suggestions: [{ output: `import click\n${T}@click.command()\n@click.argument("path")\ndef main(path):\n    torch.load(path, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'typer app command parameter',
      code: `import typer\n${T}app = typer.Typer()\n\n@app.command()\ndef load(ckpt: str):\n    torch.load(ckpt, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 7,
          column: 22,
          severity: 2,
          message: includes('`ckpt` (app.command)'),
          suggestions: [{ output: `import typer\n${T}app = typer.Typer()\n\n@app.command()\ndef load(ckpt: str):\n    torch.load(ckpt, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'Flask upload',
      code: `import io\nfrom flask import request\n${T}def predict():\n    blob = request.files["model"].read()\n    return torch.load(io.BytesIO(blob), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 6,
          column: 41,
          severity: 2,
          message: includes('HTTP request data (request.files)'),
          suggestions: [
            {
              output: `import io\nfrom flask import request\n${T}def predict():\n    blob = request.files["model"].read()\n    return torch.load(io.BytesIO(blob), weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'Django view request body',
      code: `import io\n${T}def upload(request):\n    return torch.load(io.BytesIO(request.body), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 49,
          severity: 2,
          message: includes('HTTP request data (request.body)'),
          suggestions: [{ output: `import io\n${T}def upload(request):\n    return torch.load(io.BytesIO(request.body), weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'FastAPI UploadFile',
      code: `import io\nfrom fastapi import UploadFile\n${T}async def upload(file: UploadFile):\n    data = await file.read()\n    return torch.load(io.BytesIO(data), weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 6,
          column: 41,
          severity: 2,
          message: includes('an uploaded file (parameter `file`)'),
          suggestions: [
            {
              output: `import io\nfrom fastapi import UploadFile\n${T}async def upload(file: UploadFile):\n    data = await file.read()\n    return torch.load(io.BytesIO(data), weights_only=True)\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'a path that torch.hub.download_url_to_file writes to',
      code: `${T}dst = "/tmp/w.pt"\ntorch.hub.download_url_to_file(url, dst)\ntorch.load(dst, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 17,
          severity: 2,
          message: includes('a download (download_url_to_file) (line 3)'),
          suggestions: [{ output: `${T}dst = "/tmp/w.pt"\ntorch.hub.download_url_to_file(url, dst)\ntorch.load(dst, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'file object opened from sys.argv',
      code: `import sys\n${T}with open(sys.argv[1], "rb") as fh:\n    state = torch.load(fh, weights_only=False)\n`,
      errors: [
        {
          messageId: 'untrusted',
          line: 4,
          column: 28,
          severity: 2,
          suggestions: [{ output: `import sys\n${T}with open(sys.argv[1], "rb") as fh:\n    state = torch.load(fh, weights_only=True)\n` }],
        },
      ],
    },
    {
      name: 'an explicit False whose result a helper of the file passes whole to a module: still unsafe',
      torch: '>=2.4',
      code: `${T}model = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=False))\n`,
      errors: [{ messageId: 'unsafe', line: 7, column: 28, severity: 1, fixSafety: 'unsafe' }],
      output: `${T}model = torch.nn.Linear(2, 2)\n\ndef apply(m, sd):\n    m.load_state_dict(sd)\n\napply(model, torch.load(p, weights_only=True))\n`,
    },
  ],
});

// A same-process round trip: this function saved the file to a temporary path or buffer it made itself, then loads
// it back (src/torch/round-trip.ts). Nothing untrusted can be in it, so weights_only=False there is not reported;
// anything that falls short of that stays a finding.
const TMP = 'import io\nimport os\nimport tempfile\nimport torch\nfrom pathlib import Path\n\n';
/** A function body (4-space indented lines) after the imports. */
const fn = (...lines: string[]) => `${TMP}def check(model, data, url, args):\n${lines.map((l) => `    ${l}\n`).join('')}`;
/**
 * The expected finding at the `weights_only=False` of each given line of `code` (1-based): a warning at the keyword,
 * with its suggestion (that False made True).
 */
const falseAt = (code: string, ...lines: number[]) =>
  lines.map((line) => {
    const rows = code.split('\n');
    const column = rows[line - 1].indexOf('weights_only=False') + 1;
    rows[line - 1] = rows[line - 1].replace('weights_only=False', 'weights_only=True');
    return { messageId: 'unsafe' as const, line, column, severity: 1 as const, suggestions: [{ output: rows.join('\n') }] };
  });

/** An invalid case: `code` and its findings at the given lines. */
const roundTripCase = (code: string, ...lines: number[]) => ({ code, errors: falseAt(code, ...lines) });

ruleTester.run('torch-load-weights-only-false: same-function round trips', rule, {
  valid: [
    {
      name: 'a NamedTemporaryFile, by its name',
      code: fn('with tempfile.NamedTemporaryFile() as tmp:', '    torch.save(model, tmp.name)', '    return torch.load(tmp.name, weights_only=False)'),
    },
    {
      name: 'the file object itself, sought back to the start',
      code: fn('with tempfile.TemporaryFile() as f:', '    torch.save(model, f)', '    f.seek(0)', '    return torch.load(f, weights_only=False)'),
    },
    {
      name: 'a file in a TemporaryDirectory, through os.path.join',
      code: fn(
        'with tempfile.TemporaryDirectory() as d:',
        '    torch.save(model, os.path.join(d, "m.pt"))',
        '    copy = torch.load(os.path.join(d, "m.pt"), weights_only=False)',
        '    return copy',
      ),
    },
    {
      name: 'a file in a mkdtemp folder, through an f-string and through +',
      code: fn(
        'd = tempfile.mkdtemp()',
        'torch.save(model, f"{d}/m.pt")',
        'a = torch.load(f"{d}/m.pt", weights_only=False)',
        'torch.save(data, d + "/sub/x.pt")',
        'return a, torch.load(d + "/sub/x.pt", weights_only=False)',
      ),
    },
    {
      name: 'a TemporaryDirectory object, through pathlib',
      code: fn(
        'tmp = tempfile.TemporaryDirectory()',
        'torch.save(model, Path(tmp.name) / "ckpt" / "m.pt")',
        'return torch.load(Path(tmp.name) / "ckpt" / "m.pt", weights_only=False)',
      ),
    },
    {
      name: 'a BytesIO made here (also imported from io), with seek and getvalue on it',
      code: `${TMP}from io import BytesIO\n\ndef copy(model):\n    buf = BytesIO()\n    torch.save(model, buf)\n    size = len(buf.getvalue())\n    buf.seek(0)\n    return torch.load(buf, map_location="cpu", weights_only=False), size\n`,
    },
    {
      name: 'uses after the load do not count: another branch, removing the file afterwards',
      code: fn(
        'with tempfile.NamedTemporaryFile(delete=False) as file:',
        '    torch.save(model, file.name)',
        '    del model',
        '    if args.strict:',
        '        data.load_state_dict(torch.load(file.name, weights_only=False), strict=True)',
        '    else:',
        '        dispatch(data, file.name)',
        'os.remove(file.name)',
      ),
    },
    {
      name: 'two files in one folder, each saved and loaded back',
      code: fn(
        'with tempfile.TemporaryDirectory() as d:',
        '    torch.save(model, os.path.join(d, "a.pt"))',
        '    torch.save(data, os.path.join(d, "b.pt"))',
        '    a = torch.load(os.path.join(d, "a.pt"), weights_only=False)',
        '    b = torch.load(os.path.join(d, "b.pt"), weights_only=False)',
        '    return a, b',
      ),
    },
  ],
  invalid: [
    {
      name: 'loaded before it is saved',
      ...roundTripCase(fn('buf = io.BytesIO()', 'old = torch.load(buf, weights_only=False)', 'torch.save(model, buf)', 'return old'), 9),
    },
    {
      name: 'a use after the load inside a loop runs before the next load',
      ...roundTripCase(
        fn(
          'buf = io.BytesIO()',
          'for url in args.urls:',
          '    torch.save(model, buf)',
          '    buf.seek(0)',
          '    x = torch.load(buf, weights_only=False)',
          '    buf.write(fetch(url))',
        ),
        12,
      ),
    },
    {
      name: 'rebound in between (a buffer received from another process, as in distributed broadcasts)',
      ...roundTripCase(fn('buf = io.BytesIO()', 'torch.save(model, buf)', 'buf = io.BytesIO(data)', 'return torch.load(buf, weights_only=False)'), 11),
    },
    {
      name: 'a BytesIO made with bytes in it',
      ...roundTripCase(fn('buf = io.BytesIO(data)', 'torch.save(model, buf)', 'buf.seek(0)', 'return torch.load(buf, weights_only=False)'), 11),
    },
    {
      name: 'written by someone else in between: a download into the folder, a write into the file',
      ...roundTripCase(
        fn(
          'with tempfile.TemporaryDirectory() as d:',
          '    torch.save(model, os.path.join(d, "m.pt"))',
          '    fetch(url, os.path.join(d, "m.pt"))',
          '    a = torch.load(os.path.join(d, "m.pt"), weights_only=False)',
          'with tempfile.NamedTemporaryFile() as f:',
          '    torch.save(model, f.name)',
          '    f.write(data)',
          '    return a, torch.load(f.name, weights_only=False)',
        ),
        11,
        15,
      ),
    },
    {
      name: 'the temporary name handed to another function, or the file closed (a deleted name can be taken)',
      ...roundTripCase(
        fn(
          'with tempfile.NamedTemporaryFile() as f:',
          '    torch.save(model, f.name)',
          '    f.close()',
          '    a = torch.load(f.name, weights_only=False)',
          'with tempfile.NamedTemporaryFile() as g:',
          '    torch.save(model, g.name)',
          '    log(g.name)',
          '    return a, torch.load(g.name, weights_only=False)',
        ),
        11,
        15,
      ),
    },
    {
      name: 'a different file of the folder than the one saved, and a part that leaves the folder',
      ...roundTripCase(
        fn(
          'with tempfile.TemporaryDirectory() as d:',
          '    torch.save(model, os.path.join(d, "a.pt"))',
          '    a = torch.load(os.path.join(d, "b.pt"), weights_only=False)',
          'with tempfile.TemporaryDirectory() as e:',
          '    torch.save(model, os.path.join(e, "../shared.pt"))',
          '    return a, torch.load(os.path.join(e, "../shared.pt"), weights_only=False)',
        ),
        10,
        13,
      ),
    },
    {
      name: 'a folder that is not private: the shared temp folder, dir= given, a pytest tmp_path parameter',
      ...roundTripCase(
        `${TMP}def a(model):\n    d = tempfile.gettempdir()\n    torch.save(model, os.path.join(d, "m.pt"))\n    return torch.load(os.path.join(d, "m.pt"), weights_only=False)\n\ndef b(model, out):\n    with tempfile.TemporaryDirectory(dir=out) as d:\n        torch.save(model, os.path.join(d, "m.pt"))\n        return torch.load(os.path.join(d, "m.pt"), weights_only=False)\n\ndef test_c(model, tmp_path):\n    torch.save(model, tmp_path / "m.pt")\n    return torch.load(tmp_path / "m.pt", weights_only=False)\n`,
        10,
        15,
        19,
      ),
    },
    {
      name: 'at module level, in a nested function, through an alias',
      ...roundTripCase(
        `${TMP}buf = io.BytesIO()\ntorch.save(model, buf)\ntop = torch.load(buf, weights_only=False)\n\ndef outer(model):\n    f = io.BytesIO()\n\n    def inner():\n        torch.save(model, f)\n\n    inner()\n    a = torch.load(f, weights_only=False)\n    x = y = io.BytesIO()\n    torch.save(model, x)\n    return a, torch.load(x, weights_only=False)\n`,
        9,
        18,
        21,
      ),
    },
  ],
});

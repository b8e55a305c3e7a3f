import rule from '../../rules/torch-load-weights-only-false';
import { includes, ruleTester } from '../helpers/rule-tester';

const T = 'import torch\n';

/** `code` with its n-th `weights_only=False` (0-based) made True: the output of that finding's suggestion. */
const trueAt = (code: string, n = 0) => {
  let i = -1;
  return code.replace(/weights_only=False/g, (m) => (++i === n ? 'weights_only=True' : m));
};
/** Suggestions of a finding at the n-th `weights_only=False` of `code`. */
const swap = (code: string, n = 0) => [{ messageId: 'useWeightsOnlyTrue' as const, output: trueAt(code, n) }];

const SELF_ATTRIBUTE = `import argparse
import torch


class Runner:
    def __init__(self, args):
        self.path = args.ckpt
        self.fixed = "fixed.pt"
        self.args = args

    def load(self):
        a = torch.load(self.path, weights_only=False)
        b = torch.load(self.fixed, weights_only=False)
        return a, b, self.restore(self.args.resume)

    def restore(self, p):
        return torch.load(p, weights_only=False)


Runner(argparse.ArgumentParser().parse_args()).load()
`;

const CONSTRUCTED = `import sys
from dataclasses import dataclass

import torch
from configs import Imported


@dataclass
class Paths:
    ckpt: str
    cache: str = "cache.pt"


class Config:
    def __init__(self, path):
        self.path = path
        self.name = "default.pt"


paths = Paths(sys.argv[1])
cfg = Config(sys.argv[2])
other = Imported(sys.argv[3])
torch.load(paths.ckpt, weights_only=False)
torch.load(paths.cache, weights_only=False)
torch.load(cfg.path, weights_only=False)
torch.load(cfg.name, weights_only=False)
torch.load(other.path, weights_only=False)
`;

const WEB = `import os

import torch
from fastapi import Depends, FastAPI, Query, Request
from flask import Flask, request

app = Flask(__name__)
api = FastAPI()


@app.route("/load/<name>")
def flask_load(name):
    a = torch.load(request.args["path"], weights_only=False)
    b = torch.load(os.path.join("models", name), weights_only=False)
    return a, b


@api.get("/load")
def fastapi_load(request: Request, path: str = Query(...), store=Depends(get_store)):
    a = torch.load(path, weights_only=False)
    b = torch.load(store.path, weights_only=False)
    c = torch.load(request.app.state.ckpt, weights_only=False)
    return a, b, c


def helper(path="x.pt"):
    return torch.load(path, weights_only=False)
`;

const LISTED = `import glob
import os
from pathlib import Path

import torch
from huggingface_hub import snapshot_download

folder = snapshot_download("org/model")
for f in glob.glob(os.path.join(folder, "*.bin")):
    torch.load(f, weights_only=False)
for p in Path(folder).rglob("*.pt"):
    torch.load(p.as_posix(), weights_only=False)
for name in sorted(os.listdir(folder)):
    torch.load((Path(folder) / name).with_suffix(".pt"), weights_only=False)
local = "./weights"
snapshot_download("org/other", local_dir=local)
torch.load(os.path.join(local, "model.bin"), weights_only=False)
for g in glob.glob("checkpoints/*.pt"):
    torch.load(g, weights_only=False)
`;

const CALLS = `import sys
from pathlib import Path

import torch


def load(p):
    return torch.load(p, weights_only=False)


def prepare(p):
    return load(p.with_suffix(".pt"))


def run(p):
    return prepare(Path(p))


run(sys.argv[1])


def too_deep(p):
    return torch.load(p, weights_only=False)


def d3(p):
    return too_deep(p)


def d2(p):
    return d3(p)


def d1(p):
    return d2(p)


d1(sys.argv[1])


def get_a():
    return sys.argv[1]


def get_b():
    return str(get_a())


def get_c():
    return f"{get_b()}.pt"


torch.load(get_c(), weights_only=False)
`;

const COMPUTED = `import argparse
import os

import torch

args = argparse.ArgumentParser().parse_args()
weights_only = "v1" in args.kind
a = torch.load(args.ckpt, weights_only=weights_only)
LEGACY = os.path.exists("legacy.flag")
wo = False if LEGACY else True
b = torch.load(args.ckpt, weights_only=wo)
`;

const WRAPPERS = `import io
from urllib.request import urlretrieve

import requests
import torch


def load_url(url):
    path, _ = urlretrieve(url)
    return torch.load(path, weights_only=False)


def load_bytes(url):
    return torch.load(io.BytesIO(requests.get(url).content), weights_only=False)


def fetch(url, dst):
    with open(dst, "wb") as fh:
        for chunk in requests.get(url, stream=True).iter_content(1 << 20):
            fh.write(chunk)
    return dst


def load_fetched(url):
    return torch.load(fetch(url, "/tmp/w.pt"), weights_only=False)


def load_written(path):
    with open(path, "wb") as fh:
        fh.write(b"header")
    return torch.load(path, weights_only=False)
`;

const ELEMENTS = `import sys

import torch


def paths():
    return "fixed.pt", sys.argv[1]


a, b = paths()
torch.load(a, weights_only=False)
torch.load(b, weights_only=False)
cfg = {"ckpt": "fixed.pt"}
cfg["resume"] = sys.argv[2]
torch.load(cfg["ckpt"], weights_only=False)
torch.load(cfg["resume"], weights_only=False)
`;

const SOCKET = `import io
import socket

import torch

server = socket.create_server(("0.0.0.0", 9000))
conn, _ = server.accept()
buf = bytearray()
while chunk := conn.recv(65536):
    buf += chunk
state = torch.load(io.BytesIO(buf), weights_only=False)
`;

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
    // a weights_only only the run decides: silent on a trusted path, and on an untrusted one when nothing shows it False
    `${T}import argparse\nargs = argparse.ArgumentParser().parse_args()\ntorch.load("fixed.pt", weights_only="v1" in args.kind)\n`,
    `${T}import argparse\nargs = argparse.ArgumentParser().parse_args()\ntorch.load(args.ckpt, weights_only=new_enough())\n`,
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
      name: 'instance attributes set from argparse in __init__, loaded in other methods; a literal one stays a warning',
      code: SELF_ATTRIBUTE,
      errors: [
        {
          messageId: 'untrusted',
          line: 12,
          column: 35,
          severity: 2,
          message: includes('the command-line argument `args.ckpt` from argparse (line 20)'),
          related: [{ line: 20, column: 8, message: 'untrusted source: the command-line argument `args.ckpt` from argparse' }],
          suggestions: swap(SELF_ATTRIBUTE, 0),
        },
        { messageId: 'unsafe', line: 13, column: 36, severity: 1, related: [], suggestions: swap(SELF_ATTRIBUTE, 1) },
        {
          messageId: 'untrusted',
          line: 17,
          column: 30,
          severity: 2,
          message: includes('the command-line argument `self.args.resume` from argparse (line 20)'),
          related: [{ line: 20 }],
          suggestions: swap(SELF_ATTRIBUTE, 2),
        },
      ],
    },
    {
      name: 'attributes of objects built from untrusted data: a dataclass field, a class of the file; others stay warnings',
      code: CONSTRUCTED,
      errors: [
        {
          messageId: 'untrusted',
          line: 23,
          column: 24,
          severity: 2,
          message: includes('the command line (sys.argv) (line 20)'),
          related: [{ line: 20, column: 15 }],
          suggestions: swap(CONSTRUCTED, 0),
        },
        { messageId: 'unsafe', line: 24, column: 25, severity: 1, suggestions: swap(CONSTRUCTED, 1) },
        {
          messageId: 'untrusted',
          line: 25,
          column: 22,
          severity: 2,
          message: includes('the command line (sys.argv) (line 21)'),
          related: [{ line: 21, column: 14 }],
          suggestions: swap(CONSTRUCTED, 2),
        },
        { messageId: 'unsafe', line: 26, column: 22, severity: 1, suggestions: swap(CONSTRUCTED, 3) },
        { messageId: 'unsafe', line: 27, column: 24, severity: 1, suggestions: swap(CONSTRUCTED, 4) },
      ],
    },
    {
      name: 'Flask query and route parameters, FastAPI Query parameters; dependencies and server state stay warnings',
      code: WEB,
      errors: [
        {
          messageId: 'untrusted',
          line: 13,
          column: 42,
          severity: 2,
          message: includes('HTTP request data (request.args) (line 13)'),
          related: [{ line: 13, column: 20 }],
          suggestions: swap(WEB, 0),
        },
        {
          messageId: 'untrusted',
          line: 14,
          column: 50,
          severity: 2,
          message: includes('HTTP request data (parameter `name` of the route app.route) (line 12)'),
          related: [{ line: 12, column: 16 }],
          suggestions: swap(WEB, 1),
        },
        {
          messageId: 'untrusted',
          line: 20,
          column: 26,
          severity: 2,
          message: includes('HTTP request data (parameter `path`, fastapi.Query) (line 19)'),
          related: [{ line: 19 }],
          suggestions: swap(WEB, 2),
        },
        { messageId: 'unsafe', line: 21, column: 32, severity: 1, suggestions: swap(WEB, 3) },
        { messageId: 'unsafe', line: 22, column: 44, severity: 1, suggestions: swap(WEB, 4) },
        { messageId: 'unsafe', line: 27, column: 29, severity: 1, suggestions: swap(WEB, 5) },
      ],
    },
    {
      name: 'files listed under a snapshot_download folder (glob, rglob, os.listdir, local_dir); a repository glob stays a warning',
      code: LISTED,
      errors: [
        {
          messageId: 'untrusted',
          line: 10,
          column: 19,
          severity: 2,
          message: includes('a download (snapshot_download) (line 8)'),
          related: [{ line: 8, column: 10 }],
          suggestions: swap(LISTED, 0),
        },
        { messageId: 'untrusted', line: 12, column: 30, severity: 2, related: [{ line: 8 }], suggestions: swap(LISTED, 1) },
        { messageId: 'untrusted', line: 14, column: 58, severity: 2, related: [{ line: 8 }], suggestions: swap(LISTED, 2) },
        {
          messageId: 'untrusted',
          line: 17,
          column: 46,
          severity: 2,
          message: includes('a download (snapshot_download) (line 16)'),
          related: [{ line: 16, column: 1 }],
          suggestions: swap(LISTED, 3),
        },
        { messageId: 'unsafe', line: 19, column: 19, severity: 1, suggestions: swap(LISTED, 4) },
      ],
    },
    {
      name: 'parameters and return values followed across three calls of the file, not four',
      code: CALLS,
      errors: [
        {
          messageId: 'untrusted',
          line: 8,
          column: 26,
          severity: 2,
          message: includes('the command line (sys.argv) (line 19)'),
          related: [{ line: 19, column: 5 }],
          suggestions: swap(CALLS, 0),
        },
        { messageId: 'unsafe', line: 23, column: 26, severity: 1, suggestions: swap(CALLS, 1) },
        {
          messageId: 'untrusted',
          line: 53,
          column: 21,
          severity: 2,
          message: includes('the command line (sys.argv) (line 42)'),
          related: [{ line: 42 }],
          suggestions: swap(CALLS, 2),
        },
      ],
    },
    {
      name: 'a weights_only computed at run time on an untrusted path: False for some inputs, or on some paths',
      code: COMPUTED,
      errors: [
        {
          messageId: 'untrustedMaybeFalse',
          line: 8,
          column: 27,
          endColumn: 52,
          severity: 2,
          message:
            '`torch.load(..., weights_only=weights_only)` on a path from the command-line argument `args.ckpt` from argparse (line 6): weights_only is computed at run time and depends on the command-line argument `args.kind` from argparse (line 6), so it is False for some inputs, and then whoever controls that file can run code here. Pass `weights_only=True` and allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
          related: [{ line: 6, column: 8, message: 'untrusted source: the command-line argument `args.ckpt` from argparse' }],
          suggestions: [{ messageId: 'useWeightsOnlyTrue', output: COMPUTED.replace('weights_only=weights_only)', 'weights_only=True)') }],
        },
        {
          messageId: 'untrustedMaybeFalse',
          line: 11,
          column: 27,
          severity: 2,
          message: includes('weights_only is computed at run time and is False on some paths, and then whoever controls'),
          related: [{ line: 6 }],
          suggestions: [{ messageId: 'useWeightsOnlyTrue', output: COMPUTED.replace('weights_only=wo)', 'weights_only=True)') }],
        },
      ],
    },
    {
      name: 'wrappers that download their argument before loading it; a path written with constant bytes stays a warning',
      code: WRAPPERS,
      errors: [
        {
          messageId: 'untrusted',
          line: 10,
          column: 29,
          severity: 2,
          message: includes('a download (urlretrieve) (line 9)'),
          related: [{ line: 9, column: 15 }],
          suggestions: swap(WRAPPERS, 0),
        },
        {
          messageId: 'untrusted',
          line: 14,
          column: 62,
          severity: 2,
          message: includes('a download (requests.get) (line 14)'),
          related: [{ line: 14, column: 34 }],
          suggestions: swap(WRAPPERS, 1),
        },
        {
          messageId: 'untrusted',
          line: 25,
          column: 48,
          severity: 2,
          message: includes('a download (requests.get) (line 19)'),
          related: [{ line: 19, column: 22 }],
          suggestions: swap(WRAPPERS, 2),
        },
        { messageId: 'unsafe', line: 31, column: 29, severity: 1, suggestions: swap(WRAPPERS, 3) },
      ],
    },
    {
      name: 'bytes received from a TCP socket, collected with += and loaded from a BytesIO',
      code: SOCKET,
      errors: [
        {
          messageId: 'untrusted',
          line: 11,
          column: 37,
          severity: 2,
          message: includes('the network (`conn.recv()` on a socket.create_server socket) (line 9)'),
          related: [{ line: 9, column: 16, message: 'untrusted source: the network (`conn.recv()` on a socket.create_server socket)' }],
          suggestions: swap(SOCKET, 0),
        },
      ],
    },
    {
      name: 'only the matching element: a tuple a function returns, a dict key (literal or assigned)',
      code: ELEMENTS,
      errors: [
        { messageId: 'unsafe', line: 11, column: 15, severity: 1, related: [], suggestions: swap(ELEMENTS, 0) },
        {
          messageId: 'untrusted',
          line: 12,
          column: 15,
          severity: 2,
          message: includes('the command line (sys.argv) (line 7)'),
          related: [{ line: 7, column: 24 }],
          suggestions: swap(ELEMENTS, 1),
        },
        { messageId: 'unsafe', line: 15, column: 25, severity: 1, suggestions: swap(ELEMENTS, 2) },
        { messageId: 'untrusted', line: 16, column: 27, severity: 2, related: [{ line: 14, column: 17 }], suggestions: swap(ELEMENTS, 3) },
      ],
    },
    {
      name: 'either operand of `or`, only the right one of `and`',
      code: 'import sys\nimport torch\n\np = sys.argv[1] or "default.pt"\ntorch.load(p, weights_only=False)\nq = sys.argv[1] and "default.pt"\ntorch.load(q, weights_only=False)\n',
      errors: [
        {
          messageId: 'untrusted',
          line: 5,
          column: 15,
          severity: 2,
          related: [{ line: 4, column: 5 }],
          suggestions: swap(
            'import sys\nimport torch\n\np = sys.argv[1] or "default.pt"\ntorch.load(p, weights_only=False)\nq = sys.argv[1] and "default.pt"\ntorch.load(q, weights_only=False)\n',
            0,
          ),
        },
        {
          messageId: 'unsafe',
          line: 7,
          column: 15,
          severity: 1,
          suggestions: swap(
            'import sys\nimport torch\n\np = sys.argv[1] or "default.pt"\ntorch.load(p, weights_only=False)\nq = sys.argv[1] and "default.pt"\ntorch.load(q, weights_only=False)\n',
            1,
          ),
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
          '    torch.save(model, os.path.join(e, "../outer.pt"))',
          '    return a, torch.load(os.path.join(e, "../outer.pt"), weights_only=False)',
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

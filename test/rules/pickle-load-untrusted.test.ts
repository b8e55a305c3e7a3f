import rule from '../../rules/pickle-load-untrusted';
import { includes, ruleTester } from '../helpers/rule-tester';

const SOCKET_LOOP = `import pickle
import socket

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("0.0.0.0", 9000))
sock.listen()
conn, addr = sock.accept()
chunks = []
while True:
    chunk = conn.recv(4096)
    if not chunk:
        break
    chunks.append(chunk)
obj = pickle.loads(b"".join(chunks))
`;

const ZMQ = `import pickle

import zmq


class Scheduler:
    def __init__(self, host, port):
        context = zmq.Context()
        self.recv_from_client = context.socket(zmq.PULL)
        self.recv_from_client.bind(f"tcp://{host}:{port}")
        self.local = context.socket(zmq.PULL)
        self.local.bind("ipc:///tmp/scheduler")

    def loop(self):
        req = self.recv_from_client.recv_pyobj()
        frames = self.recv_from_client.recv_multipart()
        obj = pickle.loads(frames[1])
        local = self.local.recv_pyobj()
        raw = self.recv_from_client.recv()
        return req, obj, local, raw
`;

const CONNECTIONS = `from multiprocessing import Pipe
from multiprocessing.connection import Client, Listener

listener = Listener(("0.0.0.0", 6000))
conn = listener.accept()
msg = conn.recv()
secure = Listener(("0.0.0.0", 6001), authkey=b"secret")
secure.accept().recv()
local = Listener("/tmp/worker.sock")
local.accept().recv()
parent, child = Pipe()
parent.recv()
client = Client(("scheduler", 6000))
reply = client.recv()
`;

const HTTP = `import base64
import pickle
from http.server import BaseHTTPRequestHandler

from fastapi import Body, FastAPI, Request
from flask import request

api = FastAPI()


def flask_view():
    a = pickle.loads(request.data)
    b = pickle.loads(request.get_data())
    c = pickle.loads(base64.b64decode(request.json["blob"]))
    return a, b, c


@api.post("/predict")
async def predict(req: Request, blob: bytes = Body(...)):
    a = pickle.loads(await req.body())
    b = pickle.loads(blob)
    c = pickle.loads(req.app.state.cache)
    return a, b, c


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        return pickle.loads(self.rfile.read(length))
`;

const DOWNLOADED = `import os
from glob import glob

import joblib
from huggingface_hub import hf_hub_download, snapshot_download

folder = snapshot_download("org/kmeans")
models = [joblib.load(f) for f in glob(os.path.join(folder, "*.pt"))]
target = "pretrained/quantization"
hf_hub_download(repo_id="org/kmeans", filename="kmeans.ckpt", local_dir=target)
kmeans = joblib.load(open(os.path.join(target, "kmeans.ckpt"), "rb"))
`;

const STREAMS = `import asyncio
import pickle
import socket
import socketserver


async def fetch(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    return pickle.loads(await reader.readexactly(100))


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        return pickle.load(self.rfile)


peer = socket.create_connection(("scheduler", 7000))
buf = bytearray(1 << 16)
peer.recv_into(buf)
state = pickle.loads(buf)
stream = pickle.load(peer.makefile("rb"))
`;

/** A download pinned by a SHA-256 digest cut from its own constant URL, checked before the path is returned. */
const PINNED = `import hashlib
import os
import pickle
import urllib.request

import torch


def fetch(url, folder):
    expected = url.rsplit("/", 2)[-2]
    target = os.path.join(folder, os.path.basename(url))
    if os.path.isfile(target):
        if hashlib.sha256(open(target, "rb").read()).hexdigest() == expected:
            return target
    with urllib.request.urlopen(url) as response, open(target, "wb") as out:
        out.write(response.read())
    if hashlib.sha256(open(target, "rb").read()).hexdigest() != expected:
        raise RuntimeError("checksum mismatch")
    return target


codec = torch.jit.load(fetch("https://cdn.example.org/codec/0f3a9c/codec.pt", "/tmp/cache"))
`;

const CHECKED_BUFFER = `import hashlib
import pickle
import sys

import requests

DIGEST = "5d41402abc4b2a76b9719d911017c592"
blob = requests.get("https://example.org/table.pkl").content
assert hashlib.blake2b(blob).hexdigest() == DIGEST
table = pickle.loads(blob)
`;

ruleTester.run('pickle-load-untrusted', rule, {
  valid: [
    'import pickle\nwith open("meta.pkl", "rb") as f:\n    meta = pickle.load(f)\n',
    'import pickle\n\ndef read(path):\n    with open(path, "rb") as f:\n        return pickle.load(f)\n',
    'import sys\nimport numpy as np\narr = np.load(sys.argv[1])\n',
    'import sys\nimport numpy as np\narr = np.load(sys.argv[1], allow_pickle=False)\n',
    'import sys\nimport json\ncfg = json.load(open(sys.argv[1]))\n',
    'import sys, pickle\npickle.dump(obj, open(sys.argv[1], "wb"))\n',
    // a socket whose data is not loaded; a local (AF_UNIX, socketpair) one whose data is
    'import pickle, socket\nsock = socket.create_connection((host, 80))\nsock.sendall(pickle.dumps(obj))\nreply = sock.recv(10)\nstate = pickle.load(open("state.pkl", "rb"))\n',
    'import pickle, socket\ns = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.connect("/run/app.sock")\nobj = pickle.loads(s.recv(4096))\n',
    'import pickle, socket\na, b = socket.socketpair()\nobj = pickle.loads(a.recv(4096))\n',
    // a ZeroMQ socket with no visible endpoint, and a recv() of any other object
    'import pickle, zmq\ns = zmq.Context().socket(zmq.SUB)\ns.connect(endpoint)\nobj = s.recv_pyobj()\n',
    'import pickle\nobj = pickle.loads(queue.recv())\nmsg = worker.recv_pyobj()\n',
    // server state of a request, not client data
    'import pickle\ndef view(request):\n    return pickle.loads(request.session["blob"])\n',
    // a download checked against a digest its author chose (a constant, or cut from the constant URL) before use
    PINNED,
    CHECKED_BUFFER,
  ],
  invalid: [
    {
      name: 'a checksum the attacker chooses (from the command line) does not vouch for the download',
      code: PINNED.replace('"https://cdn.example.org/codec/0f3a9c/codec.pt"', 'sys.argv[1]').replace('import os\n', 'import os\nimport sys\n'),
      errors: [{ messageId: 'untrusted', line: 23, message: includes('the command line (sys.argv)') }],
    },
    {
      name: 'MD5 and SHA-1 do not count, nor a check that does not stop the load, nor a rewrite after the check',
      code: [
        'import hashlib, pickle, requests',
        'DIGEST = "0123"',
        'a = requests.get("https://example.org/a.pkl").content',
        'assert hashlib.md5(a).hexdigest() == DIGEST',
        'x = pickle.loads(a)',
        'b = requests.get("https://example.org/b.pkl").content',
        'if hashlib.sha256(b).hexdigest() != DIGEST:',
        '    print("mismatch")',
        'y = pickle.loads(b)',
        'c = requests.get("https://example.org/c.pkl").content',
        'assert hashlib.sha256(c).hexdigest() == DIGEST',
        'c = requests.get("https://example.org/d.pkl").content',
        'z = pickle.loads(c)',
        '',
      ].join('\n'),
      errors: [
        { messageId: 'untrusted', line: 5 },
        { messageId: 'untrusted', line: 9 },
        { messageId: 'untrusted', line: 13 },
      ],
    },
    {
      name: 'ForkingPickler.loads of a request body, and pickle.loads of a FastAPI WebSocket message',
      code: [
        'import pickle',
        'from multiprocessing.reduction import ForkingPickler',
        'from fastapi import FastAPI, Request, WebSocket',
        '',
        'app = FastAPI()',
        '',
        '@app.post("/update_weights")',
        'async def update(request: Request):',
        '    return ForkingPickler.loads(await request.body())',
        '',
        '@app.websocket("/ws")',
        'async def ws(websocket: WebSocket):',
        '    obj = pickle.loads(await websocket.receive_bytes())',
        '',
      ].join('\n'),
      errors: [
        {
          messageId: 'untrusted',
          line: 9,
          column: 12,
          severity: 2,
          message: includes('`multiprocessing.reduction.ForkingPickler.loads()` on data from HTTP request data'),
        },
        {
          messageId: 'untrusted',
          line: 13,
          column: 11,
          severity: 2,
          message: includes('`pickle.loads()` on data from HTTP request data (websocket.receive_bytes())'),
        },
      ],
    },
    {
      name: 'a download through a functools.partial that rebinds hf_hub_download',
      code: 'import pickle\nfrom functools import partial\nfrom huggingface_hub import hf_hub_download\n\nhf_hub_download = partial(hf_hub_download, library_name="x")\nwith open(hf_hub_download("org/repo", "meta.pkl"), "rb") as f:\n    meta = pickle.load(f)\n',
      errors: [{ messageId: 'untrusted', line: 7, column: 12, severity: 2, message: includes('a download (hf_hub_download) (line 6)') }],
    },
    {
      name: 'pickle.load of a file named on the command line',
      code: 'import pickle, sys\nwith open(sys.argv[1], "rb") as f:\n    obj = pickle.load(f)\n',
      errors: [
        { messageId: 'untrusted', line: 3, column: 11, severity: 2, message: includes('`pickle.load()` on data from the command line (sys.argv) (line 2)') },
      ],
    },
    {
      name: 'pickle.loads of a download, through an alias',
      code: 'import pickle as pkl\nimport requests\nobj = pkl.loads(requests.get(url).content)\n',
      errors: [{ messageId: 'untrusted', line: 3, column: 7, message: includes('a download (requests.get)') }],
    },
    {
      name: 'joblib, pandas, dill and numpy allow_pickle on argparse paths',
      code: 'import joblib, dill\nimport pandas as pd\nimport numpy as np\nargs = parser.parse_args()\njoblib.load(args.km)\npd.read_pickle(args.frame)\ndill.load(open(args.obj, "rb"))\nnp.load(args.arr, allow_pickle=True)\nnp.load(args.arr2, None, 1)\n',
      errors: [
        { messageId: 'untrusted', line: 5, column: 1, message: includes('`joblib.load()`') },
        { messageId: 'untrusted', line: 6, column: 1, message: includes('`pandas.read_pickle()`') },
        { messageId: 'untrusted', line: 7, column: 1, message: includes('`dill.load()`') },
        { messageId: 'untrusted', line: 8, column: 1, message: includes('`numpy.load()`') },
        { messageId: 'untrusted', line: 9, column: 1, message: includes('`numpy.load()`') },
      ],
    },
    {
      name: 'torch.jit.load from a URL download and torch.package from the environment',
      code: 'import os, torch\nfrom huggingface_hub import hf_hub_download\nm = torch.jit.load(hf_hub_download("org/repo", "model.ts"))\nimp = torch.package.PackageImporter(os.environ["PKG"])\n',
      errors: [
        { messageId: 'untrusted', line: 3, column: 5, message: includes('`torch.jit.load()` on data from a download (hf_hub_download)') },
        { messageId: 'untrusted', line: 4, column: 7, message: includes('an environment variable (os.environ["PKG"])') },
      ],
    },
    {
      name: 'pickle.loads of bytes received on a TCP socket, collected with append',
      code: SOCKET_LOOP,
      errors: [
        {
          messageId: 'untrusted',
          line: 14,
          column: 7,
          severity: 2,
          message: includes('`pickle.loads()` on data from the network (`conn.recv()` on a socket.socket) (line 10)'),
          related: [{ line: 10, column: 13, message: 'untrusted source: the network (`conn.recv()` on a socket.socket)' }],
        },
      ],
    },
    {
      name: 'ZeroMQ: recv_pyobj on a TCP endpoint unpickles network data; recv_multipart fed to pickle.loads; ipc:// stays silent',
      code: ZMQ,
      errors: [
        {
          messageId: 'unpicklesNetwork',
          line: 15,
          column: 15,
          severity: 2,
          message:
            '`self.recv_from_client.recv_pyobj()` unpickles what arrives on a ZeroMQ socket on f"tcp://{host}:{port}" (line 10): any peer that can reach it can run code here. Receive bytes (`recv()`, `recv_bytes()`) and decode a format without code (JSON, msgpack, safetensors), or authenticate the channel.',
          related: [{ line: 10, column: 36, message: 'untrusted source: a ZeroMQ socket on f"tcp://{host}:{port}"' }],
        },
        {
          messageId: 'untrusted',
          line: 17,
          column: 15,
          severity: 2,
          message: includes('the network (`self.recv_from_client.recv_multipart()` on a ZeroMQ socket on f"tcp://{host}:{port}") (line 16)'),
          related: [{ line: 16, column: 18 }],
        },
      ],
    },
    {
      name: 'multiprocessing: Connection.recv() of an unauthenticated TCP Listener or Client; authkey, AF_UNIX and Pipe stay silent',
      code: CONNECTIONS,
      errors: [
        {
          messageId: 'unpicklesNetwork',
          line: 6,
          column: 7,
          severity: 2,
          message: includes('`conn.recv()` unpickles what arrives on an unauthenticated multiprocessing Listener (no authkey) (line 4)'),
          related: [{ line: 4, column: 12 }],
        },
        {
          messageId: 'unpicklesNetwork',
          line: 14,
          column: 9,
          severity: 2,
          message: includes('an unauthenticated multiprocessing Client (no authkey) (line 13)'),
          related: [{ line: 13, column: 10 }],
        },
      ],
    },
    {
      name: 'HTTP request bodies: Flask data and get_data(), a base64 JSON field, Starlette body(), FastAPI Body, http.server rfile',
      code: HTTP,
      errors: [
        {
          messageId: 'untrusted',
          line: 12,
          column: 9,
          severity: 2,
          message: includes('HTTP request data (request.data) (line 12)'),
          related: [{ line: 12, column: 22 }],
        },
        { messageId: 'untrusted', line: 13, column: 9, message: includes('HTTP request data (request.get_data()) (line 13)'), related: [{ line: 13 }] },
        { messageId: 'untrusted', line: 14, column: 9, message: includes('HTTP request data (request.json) (line 14)'), related: [{ line: 14 }] },
        { messageId: 'untrusted', line: 20, column: 9, message: includes('HTTP request data (req.body()) (line 20)'), related: [{ line: 20, column: 28 }] },
        {
          messageId: 'untrusted',
          line: 21,
          column: 9,
          message: includes('HTTP request data (parameter `blob`, fastapi.Body) (line 19)'),
          related: [{ line: 19, column: 33 }],
        },
        {
          messageId: 'untrusted',
          line: 29,
          column: 16,
          message: includes('HTTP request data (`self.rfile.read()` on a http.server.BaseHTTPRequestHandler connection) (line 29)'),
          related: [{ line: 29, column: 29 }],
        },
      ],
    },
    {
      name: 'files globbed under a snapshot_download folder, and one hf_hub_download wrote to local_dir',
      code: DOWNLOADED,
      errors: [
        {
          messageId: 'untrusted',
          line: 8,
          column: 11,
          message: includes('`joblib.load()` on data from a download (snapshot_download) (line 7)'),
          related: [{ line: 7, column: 10 }],
        },
        { messageId: 'untrusted', line: 11, column: 10, message: includes('a download (hf_hub_download) (line 10)'), related: [{ line: 10, column: 1 }] },
      ],
    },
    {
      name: 'streams: asyncio open_connection, a socketserver handler rfile, recv_into a buffer, makefile()',
      code: STREAMS,
      errors: [
        {
          messageId: 'untrusted',
          line: 9,
          column: 12,
          message: includes('the network (`reader.readexactly()` on an asyncio.open_connection stream) (line 9)'),
          related: [{ line: 9, column: 31 }],
        },
        {
          messageId: 'untrusted',
          line: 14,
          column: 16,
          message: includes('the network (`self.rfile` of a socketserver.StreamRequestHandler connection) (line 14)'),
          related: [{ line: 14, column: 28 }],
        },
        {
          messageId: 'untrusted',
          line: 20,
          column: 9,
          message: includes('the network (`peer.recv_into()` on a socket.create_connection socket) (line 19)'),
          related: [{ line: 19, column: 1 }],
        },
        {
          messageId: 'untrusted',
          line: 21,
          column: 10,
          message: includes('the network (`peer.makefile()` of a socket.create_connection socket) (line 21)'),
          related: [{ line: 21, column: 22 }],
        },
      ],
    },
    {
      name: 'a requests.Session download, and standard input',
      code: 'import pickle\nimport sys\n\nimport requests\n\nwith requests.Session() as session:\n    remote = pickle.loads(session.get(url).content)\npiped = pickle.loads(sys.stdin.buffer.read())\n',
      errors: [
        { messageId: 'untrusted', line: 7, column: 14, message: includes('a download (session.get) (line 7)'), related: [{ line: 7, column: 27 }] },
        { messageId: 'untrusted', line: 8, column: 9, message: includes('standard input (sys.stdin) (line 8)'), related: [{ line: 8, column: 22 }] },
      ],
    },
  ],
});

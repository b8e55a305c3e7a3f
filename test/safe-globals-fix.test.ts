import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';
import { pythonCompileErrors } from './helpers/python';
import { FIXTURES_DIR } from './helpers/fixtures';
import { UNLISTED_GZIP_FILE, NAMESPACE_AND_NUMPY, zipCheckpoint } from './helpers/checkpoints';

// The evidence-driven repair of torch.load calls: the checkpoint file a path literal names decides the fix.
const checkpoints = FIXTURES_DIR;

/**
 * `run.pt`, made here: a torch-zip checkpoint (protocol 2, as torch.save writes) of
 * `{"args": argparse.Namespace(steps=3), "cfg": myapp.models.Config()}` — classes to allowlist, and no numpy (whose
 * dtype classes no file names).
 */
const generated = tempRepo({});
execFileSync('python3', [
  '-c',
  [
    'import argparse, pickle, sys, types, zipfile',
    'models = types.ModuleType("myapp.models")',
    'class Config: pass',
    'Config.__module__ = "myapp.models"',
    'models.Config = Config',
    'sys.modules["myapp"] = types.ModuleType("myapp"); sys.modules["myapp.models"] = models',
    'data = pickle.dumps({"args": argparse.Namespace(steps=3), "cfg": Config()}, protocol=2)',
    'z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr("run/data.pkl", data); z.writestr("run/version", b"3\\n"); z.close()',
  ].join('\n'),
  path.join(generated, 'run.pt'),
]);

/** The project module defining `myapp.models.Config`, the class run.pt and training_ckpt.pt pickle. */
const MYAPP = { 'myapp/__init__.py': '', 'myapp/models.py': 'class Config:\n    pass\n' };

/**
 * A repo with `files` (text) and checkpoints (`{ 'ckpt.pt': 'run.pt' }`: a copy from the checkpoint fixtures or
 * `generated`; or the bytes themselves).
 */
function repo(files: Record<string, string>, copies: Record<string, string | Buffer>): string {
  const dir = tempRepo(files);
  for (const [to, from] of Object.entries(copies))
    if (Buffer.isBuffer(from)) fs.writeFileSync(path.join(dir, to), from);
    else fs.copyFileSync(path.join(fs.existsSync(path.join(generated, from)) ? generated : checkpoints, from), path.join(dir, to));
  return dir;
}
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

async function fixed(code: string, copies: Record<string, string | Buffer>, extra: Record<string, string> = {}, ...flags: string[]) {
  const dir = repo({ 'train.py': code, ...extra }, copies);
  const run = await cli(dir, '--fix', ...flags, '-f', 'json');
  const output = read(dir, 'train.py');
  expect(pythonCompileErrors(new Map([['train.py', output]]))).toEqual([]);
  const again = await cli(dir, '--fix-dry-run', ...flags, '-f', 'json');
  expect(JSON.parse(again.stdout).filter((r: { output?: string }) => r.output !== undefined)).toEqual([]); // idempotent
  return {
    output,
    messages: JSON.parse(run.stdout).flatMap((r: { messages: { ruleId: string; messageId: string; fix?: unknown; suggestions?: unknown[] }[] }) => r.messages),
  };
}

describe('safe_globals repair from the checkpoint file', () => {
  test('a training checkpoint used as an object: wrapped with exactly its classes, imports merged, unsafe', async () => {
    const code = [
      '"""Resume training."""',
      'import argparse',
      'import torch',
      'from myapp.utils import seed',
      '',
      'ckpt = torch.load("ckpt.pt")  # resume',
      'print(ckpt["args"].steps)',
      '',
    ].join('\n');
    // without --unsafe-fixes nothing changes: the fix is unsafe
    expect((await fixed(code, { 'ckpt.pt': 'run.pt' }, MYAPP)).output).toBe(code);
    expect((await fixed(code, { 'ckpt.pt': 'run.pt' }, MYAPP, '--unsafe-fixes')).output).toBe(
      [
        '"""Resume training."""',
        'import argparse',
        'import torch',
        'from myapp.utils import seed',
        'from torch.serialization import safe_globals',
        'from myapp.models import Config',
        '',
        'with safe_globals([argparse.Namespace, Config]):',
        '    ckpt = torch.load("ckpt.pt", weights_only=True)  # resume',
        'print(ckpt["args"].steps)',
        '',
      ].join('\n'),
    );
  });

  test("numpy in the checkpoint: moved names in the tuple form, and each dtype's class (the file only names its code)", async () => {
    const code = 'import torch\nckpt = torch.load("ckpt.pt")\nprint(ckpt)\n';
    expect((await fixed(code, { 'ckpt.pt': 'training_ckpt.pt' }, MYAPP, '--unsafe-fixes')).output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\nfrom numpy.core.multiarray import _reconstruct, scalar\nfrom numpy import ndarray, dtype\nfrom myapp.models import Config\n' +
        'with safe_globals([Namespace, (_reconstruct, "numpy.core.multiarray._reconstruct"), ndarray, dtype, (scalar, "numpy.core.multiarray.scalar"), Config, type(dtype("f4")), type(dtype("f8"))]):\n' +
        '    ckpt = torch.load("ckpt.pt", weights_only=True)\nprint(ckpt)\n',
    );
  });

  test('inside a function, a multi-line call, CRLF: every line moves in, the file keeps its line endings', async () => {
    const code =
      'import torch\r\n\r\ndef load(device):\r\n    ckpt = torch.load(\r\n        "ckpt.pt",\r\n\r\n        map_location=device,\r\n    )\r\n    return ckpt\r\n';
    expect((await fixed(code, { 'ckpt.pt': 'run.pt' }, MYAPP, '--unsafe-fixes')).output).toBe(
      'import torch\r\nfrom torch.serialization import safe_globals\r\nfrom argparse import Namespace\r\nfrom myapp.models import Config\r\n\r\ndef load(device):\r\n' +
        '    with safe_globals([Namespace, Config]):\r\n' +
        '        ckpt = torch.load(\r\n            "ckpt.pt",\r\n\r\n            map_location=device,\r\n            weights_only=True,\r\n        )\r\n    return ckpt\r\n',
    );
  });

  test('a class saved from __main__ is allowlisted by the tuple form when this file defines it; its classes imported from their modules', async () => {
    const code =
      'import torch\nfrom torch import nn\nfrom myapp.models import Net\n\nclass Head(nn.Module):\n    pass\n\nmodel = torch.load("model.pt")\nmodel.eval()\n';
    // Net is a class of the project, Head of this script; torch.nn's module classes are unknown code until the
    // project lists them in trustedGlobals (reviewed)
    const net = { 'myapp/__init__.py': '', 'myapp/models.py': 'from torch import nn\n\n\nclass Net(nn.Module):\n    pass\n' };
    const { output, messages } = await fixed(code, { 'model.pt': 'full_model.pt' }, net, '--unsafe-fixes');
    expect(output).toBe(code);
    expect(messages.find((m: { ruleId: string }) => m.ruleId === 'torch-load-missing-weights-only').suggestions[0].desc).toBe(
      "Pass `weights_only=True` (a suggestion, never applied by --fix: the checkpoint needs globals torch does not allow by default, and `torch.nn.modules.linear.Linear`, `torch.nn.modules.activation.ReLU` are unknown code: review them before allowlisting (unpickling calls each with arguments the file chooses, and neither torch's default allowlist, this project's classes, `trustedGlobals` nor the known data classes vouch for them)).",
    );
    const trusted = { '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: ['torch.nn.modules.linear.Linear', 'torch.nn.modules.activation.ReLU'] }) };
    expect((await fixed(code, { 'model.pt': 'full_model.pt' }, { ...net, ...trusted }, '--unsafe-fixes')).output).toBe(
      'import torch\nfrom torch import nn\nfrom myapp.models import Net\nfrom torch.serialization import safe_globals\nfrom torch.nn.modules.linear import Linear\nfrom torch.nn.modules.activation import ReLU\n\nclass Head(nn.Module):\n    pass\n\n' +
        'with safe_globals([Net, Linear, ReLU, (Head, "__main__.Head")]):\n    model = torch.load("model.pt", weights_only=True)\nmodel.eval()\n',
    );
  });

  test('judged for torch 2.5 (the 2.4 table): builtins are written bare, _codecs.encode is imported', async () => {
    const { output } = await fixed(
      'import torch\nextras = torch.load("extras.pt")\nprint(extras)\n',
      { 'extras.pt': 'allowed_extras.pt' },
      { 'requirements.txt': 'torch>=2.5\n' },
      '--unsafe-fixes',
    );
    expect(output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom _codecs import encode\nwith safe_globals([set, encode, bytearray, complex]):\n    extras = torch.load("extras.pt", weights_only=True)\nprint(extras)\n',
    );
  });

  test('no fix when the evidence rules it out: __main__ class not defined here, a name bound to something else, a statement sharing its line, torch < 2.5 declared', async () => {
    const none = async (code: string, copies: Record<string, string>, extra: Record<string, string> = {}) => {
      const { output, messages } = await fixed(code, copies, { ...MYAPP, ...extra }, '--unsafe-fixes');
      expect(output).toBe(code);
      return messages.filter((m: { ruleId: string }) => m.ruleId === 'torch-load-missing-weights-only').map((m: { fix?: unknown }) => m.fix);
    };
    expect(await none('import torch\nmodel = torch.load("model.pt")\nmodel.eval()\n', { 'model.pt': 'full_model.pt' })).toEqual([undefined]);
    expect(await none('import torch\nConfig = dict\nckpt = torch.load("ckpt.pt")\nprint(ckpt)\n', { 'ckpt.pt': 'run.pt' })).toEqual([undefined]);
    expect(await none('import torch\nx = 1; ckpt = torch.load("ckpt.pt")\nprint(ckpt)\n', { 'ckpt.pt': 'run.pt' })).toEqual([undefined]);
    expect(await none('import torch\nckpt = torch.load("ckpt.pt")\nprint(ckpt)\n', { 'ckpt.pt': 'run.pt' }, { 'requirements.txt': 'torch>=2.1\n' })).toEqual([
      undefined,
    ]);
    // a generator runs the load after the block; a yield keeps the allowlist while suspended
    expect(await none('import torch\nckpts = (torch.load("ckpt.pt") for _ in range(2))\nprint(ckpts)\n', { 'ckpt.pt': 'run.pt' })).toEqual([undefined]);
    expect(await none('import torch\n\n\ndef gen():\n    yield torch.load("ckpt.pt")\n', { 'ckpt.pt': 'run.pt' })).toEqual([undefined]);
    // protocol 4: never loadable with weights_only=True, so no fix either
    expect(await none('import torch\nsd = torch.load("sd.pt")\nprint(sd)\n', { 'sd.pt': 'state_dict_proto4.pt' })).toEqual([undefined]);
  });

  test('a checkpoint that calls a function (not a class) gets no wrap: allowlisting it would let the file call it', async () => {
    const dir = repo({ 'train.py': 'import torch\ncfg = torch.load("cfg.pt")\nprint(cfg)\n' }, {});
    execFileSync('python3', [
      '-c',
      'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("cfg/data.pkl", b"\\x80\\x02cmylib.helpers\\nmake_config\\n)R."); z.writestr("cfg/version", b"3\\n"); z.close()',
      path.join(dir, 'cfg.pt'),
    ]);
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(read(dir, 'train.py')).toBe('import torch\ncfg = torch.load("cfg.pt")\nprint(cfg)\n');
    const [message] = JSON.parse((await cli(dir, '-f', 'json')).stdout).find((r: { filePath: string }) => r.filePath.endsWith('train.py')).messages;
    expect(message.suggestions[0].desc).toBe(
      "Pass `weights_only=True` (a suggestion, never applied by --fix: the checkpoint needs globals torch does not allow by default, and `mylib.helpers.make_config` is unknown code: review it before allowlisting (unpickling calls it with arguments the file chooses, and neither torch's default allowlist, this project's classes, `trustedGlobals` nor the known data classes vouch for it)).",
    );
  });

  test('a checkpoint file that loads with weights_only=True makes the plain fix safe, even when the result is used as an object', async () => {
    const code = 'import torch\nsd = torch.load("sd.pt")\nprint(sd.keys())\n';
    const { output } = await fixed(code, { 'sd.pt': 'state_dict.pt' }, { 'requirements.txt': 'torch>=2.4\n' });
    expect(output).toBe('import torch\nsd = torch.load("sd.pt", weights_only=True)\nprint(sd.keys())\n');
    // without a lower bound on torch the file was judged for the newest torch only: unsafe, so --fix leaves it
    expect((await fixed(code, { 'sd.pt': 'state_dict.pt' })).output).toBe(code);
    expect((await fixed(code, { 'sd.pt': 'state_dict.pt' }, {}, '--unsafe-fixes')).output).toBe(output);
  });

  test('a checkpoint file that a torch.save of the project writes again is evidence of its present content only: unsafe', async () => {
    const code = 'import torch\nsd = torch.load("sd.pt")\nprint(sd.keys())\n';
    const train = 'import argparse, torch\nargs = argparse.ArgumentParser().parse_args()\ntorch.save({"w": 1, "args": args}, "sd.pt")\n';
    const requirement = { 'requirements.txt': 'torch>=2.4\n' };
    expect((await fixed(code, { 'sd.pt': 'state_dict.pt' }, { ...requirement, 'save_it.py': train })).output).toBe(code);
    // quoted in another file with no known load there (it may be written through a variable): unsafe too
    const other = 'import torch\nOUT = "sd.pt"\n';
    expect((await fixed(code, { 'sd.pt': 'state_dict.pt' }, { ...requirement, 'paths.py': other })).output).toBe(code);
  });

  test("without a checkpoint file, the config's trustedGlobals are the list (unsafe)", async () => {
    const code = 'import sys\nimport torch\n\nckpt = torch.load(sys.argv[1])\nprint(ckpt["args"])\n';
    const config = { '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: ['argparse.Namespace', 'myapp.models.Config'] }) };
    expect((await fixed(code, {}, config, '--unsafe-fixes')).output).toBe(
      'import sys\nimport torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\nfrom myapp.models import Config\n\nwith safe_globals([Namespace, Config]):\n    ckpt = torch.load(sys.argv[1], weights_only=True)\nprint(ckpt["args"])\n',
    );
    // without the config: only a suggestion
    expect((await fixed(code, {}, {}, '--unsafe-fixes')).output).toBe(code);
  });

  test('without a checkpoint file, torch.save sites of the same path say what it holds (unsafe)', async () => {
    const train = [
      'import argparse',
      'import torch',
      '',
      'parser = argparse.ArgumentParser()',
      'args = parser.parse_args()',
      'model = torch.nn.Linear(2, 2)',
      'torch.save({"model": model.state_dict(), "args": args, "epoch": 3}, "runs/last.pt")',
      'torch.save({"model": model.state_dict(), "epoch": 3}, "runs/plain.pt")',
      '',
    ].join('\n');
    const evaluate = 'import torch\n\nckpt = torch.load("runs/last.pt")\nprint(ckpt["args"].lr)\nplain = torch.load("runs/plain.pt")\nprint(plain)\n';
    const { output } = await fixed(evaluate, {}, { 'save_run.py': train }, '--unsafe-fixes');
    expect(output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\n\nwith safe_globals([Namespace]):\n    ckpt = torch.load("runs/last.pt", weights_only=True)\nprint(ckpt["args"].lr)\nplain = torch.load("runs/plain.pt", weights_only=True)\nprint(plain)\n',
    );
    expect((await fixed(evaluate, {}, { 'save_run.py': train })).output).toBe(evaluate); // both unsafe
  });

  test('a save and a load of the same configuration key (args.ckpt) pair like a literal path', async () => {
    const train =
      'import argparse\nimport torch\n\nparser = argparse.ArgumentParser()\nargs = parser.parse_args()\ntorch.save({"args": args, "epoch": 3}, args.ckpt)\n';
    const evaluate = 'import torch\nfrom options import args\n\nckpt = torch.load(args.ckpt)\nprint(ckpt["args"])\n';
    const { output } = await fixed(evaluate, {}, { 'save_run.py': train }, '--unsafe-fixes');
    expect(output).toBe(
      'import torch\nfrom options import args\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\n\nwith safe_globals([Namespace]):\n    ckpt = torch.load(args.ckpt, weights_only=True)\nprint(ckpt["args"])\n',
    );
  });

  test('a save site that cannot be typed gives no evidence: a Namespace written into', async () => {
    const evaluate = 'import torch\n\nckpt = torch.load("runs/last.pt")\nprint(ckpt)\n';
    const written =
      'import argparse, torch\nargs = argparse.ArgumentParser().parse_args()\nargs.net = torch.nn.Linear(2, 2)\ntorch.save({"args": args}, "runs/last.pt")\n';
    const { output, messages } = await fixed(evaluate, {}, { 'save_run.py': written }, '--unsafe-fixes');
    expect(output).toBe(evaluate);
    expect(messages.find((m: { ruleId: string; suggestions?: unknown[] }) => m.ruleId === 'torch-load-missing-weights-only').suggestions).toHaveLength(1);
  });

  test('trustedGlobals naming a def or a missing class of this project gives no wrap', async () => {
    const code = 'import sys\nimport torch\n\nckpt = torch.load(sys.argv[1])\nprint(ckpt)\n';
    const models = { 'myapp/__init__.py': '', 'myapp/models.py': 'def BuildModel():\n    pass\n\n\nclass Config:\n    pass\n' };
    for (const trusted of [['myapp.models.BuildModel'], ['myapp.models.Missing']]) {
      const config = { '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: trusted }), ...models };
      expect((await fixed(code, {}, config, '--unsafe-fixes')).output).toBe(code);
    }
    const ok = { '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: ['myapp.models.Config', 'numpy.dtype'] }), ...models };
    expect((await fixed(code, {}, ok, '--unsafe-fixes')).output).toContain('with safe_globals([Config, dtype]):');
  });

  test('weights_only=False with evidence: the same repairs (False becomes True)', async () => {
    const requirement = { 'requirements.txt': 'torch>=2.4\n' };
    expect((await fixed('import torch\nsd = torch.load("sd.pt", weights_only=False)\nprint(sd)\n', { 'sd.pt': 'state_dict.pt' }, requirement)).output).toBe(
      'import torch\nsd = torch.load("sd.pt", weights_only=True)\nprint(sd)\n',
    );
    expect(
      (await fixed('import torch, argparse\nckpt = torch.load("ckpt.pt", weights_only=False)\n', { 'ckpt.pt': 'run.pt' }, MYAPP, '--unsafe-fixes')).output,
    ).toBe(
      'import torch, argparse\nfrom torch.serialization import safe_globals\nfrom myapp.models import Config\nwith safe_globals([argparse.Namespace, Config]):\n    ckpt = torch.load("ckpt.pt", weights_only=True)\n',
    );
  });

  test('on torch >= 2.6 a weights_only load that will fail gets the wrap from checkpoint-unsafe-globals', async () => {
    const { output } = await fixed(
      'import torch\nckpt = torch.load("ckpt.pt", weights_only=True)\n',
      { 'ckpt.pt': 'run.pt' },
      { ...MYAPP, 'requirements.txt': 'torch>=2.6\n' },
      '--unsafe-fixes',
    );
    expect(output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\nfrom myapp.models import Config\nwith safe_globals([Namespace, Config]):\n    ckpt = torch.load("ckpt.pt", weights_only=True)\n',
    );
  });
});

// issue 13: the wrap allowlists only what a positive list vouches for (src/checkpoint/classify.ts)
describe('the safe_globals wrap comes from an allowlist, never from a denylist', () => {
  type Message = { ruleId: string; messageId: string; message: string; fix?: unknown; suggestions?: { desc: string; fix: { text: string } }[] };
  const texts = (messages: Message[]) => messages.flatMap((m) => [m.message, ...(m.suggestions ?? []).flatMap((s) => [s.desc, s.fix.text])]);

  test('a checkpoint naming gzip.GzipFile (it truncates a file; on no denylist): no wrap, no pasteable list, named for review', async () => {
    const imap = zipCheckpoint(UNLISTED_GZIP_FILE, 'cfg');
    for (const code of [
      'import torch\ncfg = torch.load("cfg.pt")\nprint(cfg)\n',
      'import torch\ncfg = torch.load("cfg.pt", weights_only=False)\nprint(cfg)\n',
      'import torch\ncfg = torch.load("cfg.pt", weights_only=True)\nprint(cfg)\n',
    ]) {
      const { output, messages } = await fixed(code, { 'cfg.pt': imap }, { 'requirements.txt': 'torch>=2.6\n' }, '--unsafe-fixes');
      // on torch >= 2.6 a missing weights_only is already True: writing it is the only change, never an allowlist
      expect(output).toBe(code.replace('torch.load("cfg.pt")', 'torch.load("cfg.pt", weights_only=True)'));
      // named to review, never inside an allowlist call to paste
      expect(texts(messages).filter((t) => /safe_globals\(|add_safe_globals\(/.test(t) && t.includes('GzipFile'))).toEqual([]);
      expect(
        texts(messages).some(
          (t) => t.includes('`gzip.GzipFile` is unknown code: review it before allowlisting') || t.includes('unknown code, review before allowlisting'),
        ),
      ).toBe(true);
    }
    // the default load: the suggestion names it to review
    const { messages } = await fixed('import torch\ncfg = torch.load("cfg.pt")\nprint(cfg)\n', { 'cfg.pt': imap }, {}, '--unsafe-fixes');
    expect(messages.map((m: Message) => [m.ruleId, m.messageId, m.suggestions?.map((s) => s.desc)])).toEqual([
      ['checkpoint-unsafe-globals', 'needsReview', undefined], // the file itself
      [
        'torch-load-missing-weights-only',
        'missing',
        [
          "Pass `weights_only=True` (a suggestion, never applied by --fix: the checkpoint needs globals torch does not allow by default, and `gzip.GzipFile` is unknown code: review it before allowlisting (unpickling calls it with arguments the file chooses, and neither torch's default allowlist, this project's classes, `trustedGlobals` nor the known data classes vouch for it)).",
        ],
      ],
    ]);
    // and the checkpoint file itself
    const inspected = JSON.parse((await cli(repo({}, { 'cfg.pt': imap }), 'inspect', 'cfg.pt', '-f', 'json')).stdout)[0];
    expect([inspected.verdict, inspected.allowlist, inspected.globals.map((g: { status: string }) => g.status)]).toEqual(['needs-review', [], ['unknown']]);
  });

  test('a class of this project gets the wrap (unsafe); the same name without the project, or subclassing Popen, gets none', async () => {
    const ckpt = zipCheckpoint('{"cfg": R(fake("myapp.models.Config", "class"))}', 'ckpt');
    const code = 'import torch\nckpt = torch.load("ckpt.pt")\nprint(ckpt)\n';
    expect((await fixed(code, { 'ckpt.pt': ckpt }, MYAPP)).output).toBe(code); // unsafe: not with --fix alone
    expect((await fixed(code, { 'ckpt.pt': ckpt }, MYAPP, '--unsafe-fixes')).output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom myapp.models import Config\nwith safe_globals([Config]):\n    ckpt = torch.load("ckpt.pt", weights_only=True)\nprint(ckpt)\n',
    );
    expect((await fixed(code, { 'ckpt.pt': ckpt }, {}, '--unsafe-fixes')).output).toBe(code);
    const popen = { 'myapp/__init__.py': '', 'myapp/models.py': 'import subprocess\n\n\nclass Config(subprocess.Popen):\n    pass\n' };
    expect((await fixed(code, { 'ckpt.pt': ckpt }, popen, '--unsafe-fixes')).output).toBe(code);
  });

  test('argparse.Namespace and numpy scalars are known data: the wrap with the exact list (unsafe)', async () => {
    const code = 'import torch\nrun = torch.load("run.pt")\nprint(run["args"].steps, run["lr"])\n';
    const { output } = await fixed(code, { 'run.pt': zipCheckpoint(NAMESPACE_AND_NUMPY, 'run') }, {}, '--unsafe-fixes');
    expect(output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\nfrom numpy.core.multiarray import scalar\nfrom numpy import dtype\n' +
        'with safe_globals([Namespace, (scalar, "numpy.core.multiarray.scalar"), dtype, type(dtype("f8"))]):\n    run = torch.load("run.pt", weights_only=True)\nprint(run["args"].steps, run["lr"])\n',
    );
  });

  test('a path pickled by Python 3.13 (pathlib._local) is allowlisted by the tuple form, imported from pathlib', async () => {
    const code = 'import torch\nrun = torch.load("run.pt")\nprint(run)\n';
    const ckpt = zipCheckpoint('{"out": R(fake("pathlib._local.PosixPath", "class"), ["runs", "a"])}', 'run');
    expect((await fixed(code, { 'run.pt': ckpt }, {}, '--unsafe-fixes')).output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom pathlib import PosixPath\nwith safe_globals([(PosixPath, "pathlib._local.PosixPath")]):\n    run = torch.load("run.pt", weights_only=True)\nprint(run)\n',
    );
  });

  test('trustedGlobals vouch for a third-party class: the wrap; without them, review', async () => {
    const code = 'import torch\nm = torch.load("m.pt")\nprint(m)\n';
    const ckpt = zipCheckpoint('{"m": R(fake("ultralytics.nn.tasks.DetectionModel", "class"))}', 'm');
    expect((await fixed(code, { 'm.pt': ckpt }, {}, '--unsafe-fixes')).output).toBe(code);
    const config = { '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: ['ultralytics.nn.tasks.DetectionModel'] }) };
    expect((await fixed(code, { 'm.pt': ckpt }, config, '--unsafe-fixes')).output).toBe(
      'import torch\nfrom torch.serialization import safe_globals\nfrom ultralytics.nn.tasks import DetectionModel\nwith safe_globals([DetectionModel]):\n    m = torch.load("m.pt", weights_only=True)\nprint(m)\n',
    );
  });
});

describe('whole-model saves move to state_dict together with their loads', () => {
  const save = [
    'import torch',
    'from torch import nn',
    'from app.models import Net',
    '',
    'model = Net(3, hidden=5)',
    'torch.save(model, "runs/model.pt")',
    '',
  ].join('\n');
  const models = {
    'app/__init__.py': '',
    'app/models.py':
      'from torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self, n, hidden=4):\n        super().__init__()\n        self.fc = nn.Linear(n, hidden)\n',
  };

  test('the save writes the state_dict and every load rebuilds the model (both unsafe, one run, idempotent)', async () => {
    const dir = tempRepo({
      ...models,
      'save.py': save,
      'serve.py':
        'import torch\n\n\ndef serve():\n    model = torch.load("runs/model.pt", map_location="cpu")  # the model\n    model.eval()\n    return model\n',
      'check.py': 'import torch\nm = torch.load("runs/model.pt", weights_only=False)\n',
    });
    expect((await cli(dir, '--fix')).code).toBe(1); // unsafe: nothing written
    expect(read(dir, 'save.py')).toBe(save);
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(read(dir, 'save.py')).toBe(save.replace('torch.save(model, ', 'torch.save(model.state_dict(), '));
    expect(read(dir, 'serve.py')).toBe(
      'import torch\nfrom app.models import Net\n\n\ndef serve():\n    model = Net(3, hidden=5)\n    model.load_state_dict(torch.load("runs/model.pt", map_location="cpu", weights_only=True))  # the model\n    model.eval()\n    return model\n',
    );
    expect(read(dir, 'check.py')).toBe(
      'import torch\nfrom app.models import Net\nm = Net(3, hidden=5)\nm.load_state_dict(torch.load("runs/model.pt", weights_only=True))\n',
    );
    expect(pythonCompileErrors(new Map(['save.py', 'serve.py', 'check.py'].map((f) => [f, read(dir, f)])))).toEqual([]);
    const again = await cli(dir, '--fix-dry-run', '--unsafe-fixes', '-f', 'json');
    expect(JSON.parse(again.stdout).filter((r: { output?: string }) => r.output !== undefined)).toEqual([]);
  });

  test('on torch >= 2.6 too (where the plain edit would be a safe no-op), the load follows the save', async () => {
    const dir = tempRepo({ ...models, 'save.py': save, 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n', 'requirements.txt': 'torch>=2.6\n' });
    await cli(dir, '--fix');
    expect(read(dir, 'serve.py')).toBe('import torch\nmodel = torch.load("runs/model.pt")\n'); // the safe no-op is not offered instead
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(read(dir, 'serve.py')).toBe(
      'import torch\nfrom app.models import Net\nmodel = Net(3, hidden=5)\nmodel.load_state_dict(torch.load("runs/model.pt", weights_only=True))\n',
    );
    expect(read(dir, 'save.py')).toBe(save.replace('torch.save(model, ', 'torch.save(model.state_dict(), '));
  });

  test('a load in a folder that declares torch older than 1.13 keeps both sides as they are (no weights_only there)', async () => {
    const serve = 'import torch\nmodel = torch.load("runs/model.pt")\n';
    const dir = tempRepo({ ...models, 'save.py': save, 'deploy/serve.py': serve, 'deploy/requirements.txt': 'torch>=1.10\n' });
    await cli(dir, '--fix', '--unsafe-fixes');
    expect([read(dir, 'save.py'), read(dir, 'deploy/serve.py')]).toEqual([save, serve]);
    const results = JSON.parse((await cli(dir, '-f', 'json')).stdout);
    const load = results.find((r: { filePath: string }) => r.filePath.endsWith('serve.py')).messages[0];
    expect([load.messageId, load.fix]).toEqual(['raiseRequirement', undefined]);
  });

  test("one load that cannot be rewritten keeps both sides as they are; the save's suggestion names the loads", async () => {
    const dir = tempRepo({
      ...models,
      'save.py': save,
      'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n',
      'other.py': 'import torch\nprint(torch.load("runs/model.pt").training)\n',
    });
    await cli(dir, '--fix', '--unsafe-fixes');
    expect([read(dir, 'save.py'), read(dir, 'serve.py')]).toEqual([save, 'import torch\nmodel = torch.load("runs/model.pt")\n']);
    const results = JSON.parse((await cli(dir, '-f', 'json')).stdout);
    const saveMessage = results.find((r: { filePath: string }) => r.filePath.endsWith('save.py')).messages[0];
    expect(saveMessage.fix).toBeUndefined();
    expect(saveMessage.suggestions[0].desc).toBe(
      'Save `model.state_dict()` instead (every load of this file must then rebuild the model and call `load_state_dict`; loads to change with it: other.py:2, serve.py:2).',
    );
  });

  test('the path held in a variable elsewhere (a load we cannot pair) keeps both sides as they are', async () => {
    const serve = 'import torch\nmodel = torch.load("runs/model.pt")\n';
    const other = 'import torch\nPATH = "runs/model.pt"\nnet = torch.load(PATH)\n';
    const dir = tempRepo({ ...models, 'save.py': save, 'serve.py': serve, 'other.py': other });
    await cli(dir, '--fix', '--unsafe-fixes');
    expect([read(dir, 'save.py'), read(dir, 'serve.py'), read(dir, 'other.py')]).toEqual([save, serve, other]);
  });

  test('loads that may read the same file under another spelling, a class name taken, or no load at all keep the save as it is', async () => {
    const cases: Record<string, string>[] = [
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n', 'eval.py': 'import torch\nmodel = torch.load("./runs/model.pt")\nmodel.eval()\n' },
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n', 'eval.py': 'import torch\nd = "runs"\nmodel = torch.load(f"{d}/model.pt")\n' },
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n', 'eval.py': 'import torch\nmodel = torch.load("runs/" + "model" + ".pt")\n' },
      { 'serve.py': 'import torch\nNet = None\nmodel = torch.load("runs/model.pt")\n' },
      {},
    ];
    for (const files of cases) {
      const dir = tempRepo({ ...models, 'save.py': save, ...files });
      await cli(dir, '--fix', '--unsafe-fixes');
      expect([Object.keys(files), read(dir, 'save.py')]).toEqual([Object.keys(files), save]);
    }
  });

  test('a load whose rule is suppressed or off keeps the save as it is (nothing would rewrite the load)', async () => {
    const variants: Record<string, string>[] = [
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")  # pylint-torch: disable\n' },
      // TorchFix's and Bandit's comments suppress the load rule, so they keep the load (and the save) too
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")  # noqa: TOR102\n' },
      { 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")  # nosec B614\n' },
      { 'serve.py': 'import torch\n# pylint-torch: disable-next=torch-load-missing-weights-only\nmodel = torch.load("runs/model.pt")\nmodel.eval()\n' },
      { 'serve.py': '# pylint-torch: disable-file=torch-load-missing-weights-only\nimport torch\nmodel = torch.load("runs/model.pt")\n' },
      {
        'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n',
        '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off' } }),
      },
    ];
    for (const files of variants) {
      const dir = tempRepo({ ...models, 'save.py': save, ...files });
      await cli(dir, '--fix', '--unsafe-fixes');
      expect([files, read(dir, 'save.py'), read(dir, 'serve.py')]).toEqual([files, save, files['serve.py']]);
    }
  });

  test('a checkpoint file at that path keeps the loads on the safe_globals repair (the file holds the whole model)', async () => {
    const dir = tempRepo({ ...models, 'save.py': save, 'serve.py': 'import torch\nmodel = torch.load("runs/model.pt")\n' });
    fs.mkdirSync(path.join(dir, 'runs'));
    fs.copyFileSync(path.join(checkpoints, 'state_dict.pt'), path.join(dir, 'runs/model.pt'));
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(read(dir, 'save.py')).toBe(save);
    expect(read(dir, 'serve.py')).toBe('import torch\nmodel = torch.load("runs/model.pt", weights_only=True)\n');
  });

  test('a model saved under a dict key: the entry becomes its state_dict and the reads of that key rebuild the model', async () => {
    const saveDict = save.replace('torch.save(model, "runs/model.pt")', 'torch.save({"model": model, "epoch": 3}, "runs/ckpt.pt")');
    const serve = 'import torch\n\nckpt = torch.load("runs/ckpt.pt")\nnet = ckpt["model"]\nprint(ckpt["epoch"])\nnet.eval()\n';
    const quick = 'import torch\nnet = torch.load("runs/ckpt.pt")["model"]\n';
    const dir = tempRepo({ ...models, 'save.py': saveDict, 'serve.py': serve, 'quick.py': quick });
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(read(dir, 'save.py')).toBe(saveDict.replace('{"model": model,', '{"model": model.state_dict(),'));
    expect(read(dir, 'serve.py')).toBe(
      'import torch\nfrom app.models import Net\n\nckpt = torch.load("runs/ckpt.pt", weights_only=True)\nnet = Net(3, hidden=5)\nnet.load_state_dict(ckpt["model"])\nprint(ckpt["epoch"])\nnet.eval()\n',
    );
    expect(read(dir, 'quick.py')).toBe(
      'import torch\nfrom app.models import Net\nnet = Net(3, hidden=5)\nnet.load_state_dict(torch.load("runs/ckpt.pt", weights_only=True)["model"])\n',
    );
    const again = await cli(dir, '--fix-dry-run', '--unsafe-fixes', '-f', 'json');
    expect(JSON.parse(again.stdout).filter((r: { output?: string }) => r.output !== undefined)).toEqual([]);
    // a read of the key that is not `name = ckpt["model"]` keeps everything as it is
    const other = tempRepo({ ...models, 'save.py': saveDict, 'serve.py': 'import torch\nckpt = torch.load("runs/ckpt.pt")\nckpt["model"].eval()\n' });
    await cli(other, '--fix', '--unsafe-fixes');
    expect([read(other, 'save.py'), read(other, 'serve.py')]).toEqual([saveDict, 'import torch\nckpt = torch.load("runs/ckpt.pt")\nckpt["model"].eval()\n']);
  });
});

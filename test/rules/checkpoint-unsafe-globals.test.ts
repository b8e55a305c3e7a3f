import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from '../helpers/cli';
import { copyFixtures, fixture, FIXTURES_DIR } from '../helpers/fixtures';
import { includes, ruleTester } from '../helpers/rule-tester';
import { UNLISTED_GZIP_FILE, NAMESPACE_AND_NUMPY, zipCheckpoint } from '../helpers/checkpoints';
import rule from '../../rules/checkpoint-unsafe-globals';

// The rule runs on checkpoint files, not Python: its findings are file-level results of the lint run. The reader it
// uses is tested in test/checkpoint/.
const dir = FIXTURES_DIR;
/** The project module defining the class training_ckpt.pt pickles (`myapp.models.Config`): a class of the project. */
const MYAPP = { 'myapp/__init__.py': '', 'myapp/models.py': 'class Config:\n    pass\n' };

/** Lints a fresh folder holding `files` (copied from the checkpoint fixtures, renamed) and `extra` text files. */
async function lint(files: Record<string, string>, extra: Record<string, string> = {}) {
  const repo = copyFixtures(tempRepo(extra), files);
  const { code, stdout } = await cli(repo, '-f', 'json');
  const messages = JSON.parse(stdout).flatMap((r: { filePath: string; messages: { ruleId: string; messageId: string; severity: number; message: string }[] }) =>
    r.messages.map((m) => [path.basename(r.filePath), m.messageId, m.severity, m.message]),
  );
  return { code, messages };
}

describe('checkpoint-unsafe-globals messages', () => {
  test('dangerous names the globals; unloadable gives the reason', async () => {
    expect((await lint({ 'a.pt': 'malicious_eval_in_dict.pt', 'b.pt': 'scripted.pt' })).messages).toEqual([
      [
        'a.pt',
        'dangerous',
        2,
        'Checkpoint (torch-zip) references `builtins.eval`, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.',
      ],
      [
        'b.pt',
        'unloadable',
        1,
        'Checkpoint (torchscript) cannot be loaded with `weights_only=True`: a TorchScript archive: torch 2.6+ refuses it with weights_only=True (before 2.6 torch.load silently ran torch.jit.load on it, a bypass); only torch.jit.load reads it',
      ],
    ]);
  });

  test('a file over maxBytes is said to be skipped, unless it is a zip (cheap to inspect whatever its size)', async () => {
    const config = { '.pylintrc-ts.json': JSON.stringify({ rules: { 'checkpoint-unsafe-globals': ['warn', { maxBytes: 100 }] } }) };
    const size = fs.statSync(path.join(dir, 'plain_pickle.pkl')).size;
    expect((await lint({ 'p.pkl': 'plain_pickle.pkl', 'evil.pt': 'malicious_os_system.pt' }, config)).messages).toEqual([
      [
        'evil.pt',
        'dangerous',
        2,
        'Checkpoint (torch-zip) references `posix.system`, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.',
      ],
      ['p.pkl', 'notInspected', 1, `Checkpoint not inspected: its ${size} bytes are more than the \`maxBytes\` option (100); raise the option to check it.`],
    ]);
  });

  test('needsAllowlist says how, for the lowest torch the project declares', async () => {
    const at = async (spec: string) => (await lint({ 'm.pt': 'training_ckpt.pt' }, { ...MYAPP, 'requirements.txt': `torch${spec}\n` })).messages[0][3];
    expect(await at('>=2.6')).toMatch(
      /on torch 2\.6 \(requirements\.txt: torch>=2\.6\): `with torch\.serialization\.safe_globals\(\[.*\]\):`, only if you trust these classes\.$/,
    );
    expect(await at('==2.4.1')).toMatch(
      /on torch 2\.4 \(requirements\.txt: torch==2\.4\.1\): `torch\.serialization\.add_safe_globals\(\[.*\]\)`, only if you trust these classes\.$/,
    );
    // before 2.4 there is no allowlist API: the file cannot load with weights_only=True at all (the globals are not
    // named: whether each may be allowlisted depends on who loads it)
    expect((await lint({ 'm.pt': 'full_model.pt' }, { 'requirements.txt': 'torch>=2.0\n' })).messages[0][3]).toBe(
      'Checkpoint (torch-zip) cannot be loaded with `weights_only=True`: torch 2.0 has no allowlist API (add_safe_globals arrived in 2.4), and the file needs 5 global(s) outside its default allowlist: re-save it as a state_dict, or require torch>=2.5, where reviewed classes can be allowlisted with torch.serialization.safe_globals',
    );
  });

  test('needsReview names the unknown globals to review and gives nothing to paste', async () => {
    // a whole model: its project class is not in this folder, torch.nn module classes and __main__ classes are unknown
    expect((await lint({ 'm.pt': 'full_model.pt' })).messages).toEqual([
      [
        'm.pt',
        'needsReview',
        1,
        "Checkpoint (torch-zip) needs `myapp.models.Net`, `torch.nn.modules.linear.Linear`, `torch.nn.modules.activation.ReLU`, `__main__.Head` to load with `weights_only=True` on torch 2.10 (the newest torch known): unknown code, review before allowlisting. Unpickling calls each with arguments the file chooses, and nothing vouches that it only builds data (not torch's defaults, a class of this project, `trustedGlobals`, or the known data classes); list a class in `trustedGlobals` once its source shows it does.",
      ],
    ]);
    // the project class named by the file: only what is still unknown is named
    expect((await lint({ 'ckpt.pt': 'training_ckpt.pt' })).messages.map((m: string[]) => m[3])).toEqual([
      expect.stringContaining('needs `myapp.models.Config` to load'),
    ]);
    expect((await lint({ 'ckpt.pt': 'training_ckpt.pt' }, MYAPP)).messages.map((m: string[]) => m[1])).toEqual(['needsAllowlist']);
  });
});

describe('checkpoint-unsafe-globals in the lint run', () => {
  test('checkpoints in the linted folder get file-level results; SARIF has no region for them', async () => {
    const repo = tempRepo({ 'train.py': 'import torch\n' });
    for (const name of ['state_dict.pt', 'malicious_os_system.pt', 'training_ckpt.pt', 'state_dict_proto4.pt'])
      fs.copyFileSync(path.join(dir, name), path.join(repo, name));
    // training_ckpt.pt names myapp.models.Config, which this folder does not define: unknown code
    const { code, stdout } = await cli(repo, '-f', 'json');
    const results = JSON.parse(stdout).filter((r: { messages: unknown[] }) => r.messages.length);
    expect(
      results.map((r: { filePath: string; messages: { ruleId: string; messageId: string; severity: number; fileLevel: boolean }[] }) => [
        path.basename(r.filePath),
        r.messages.map((m) => [m.ruleId, m.messageId, m.severity, m.fileLevel]),
      ]),
    ).toEqual([
      ['malicious_os_system.pt', [['checkpoint-unsafe-globals', 'dangerous', 2, true]]],
      ['state_dict_proto4.pt', [['checkpoint-unsafe-globals', 'unloadable', 1, true]]],
      ['training_ckpt.pt', [['checkpoint-unsafe-globals', 'needsReview', 1, true]]],
    ]);
    expect(code).toBe(1);
    const sarif = JSON.parse((await cli(repo, '-f', 'sarif')).stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'checkpoint-unsafe-globals');
    expect(result.locations[0].physicalLocation.region).toBeUndefined();
  });

  test('checkpoints are judged by the lowest torch the project declares, named in the message', async () => {
    const repo = tempRepo({ 'requirements.txt': 'torch>=1.13,<3\n' });
    fs.copyFileSync(path.join(dir, 'allowed_extras.pt'), path.join(repo, 'extras.pt'));
    const [result] = JSON.parse((await cli(repo, '-f', 'json')).stdout);
    expect(result.messages.map((m: { message: string }) => m.message)).toEqual([
      'Checkpoint (torch-zip) cannot be loaded with `weights_only=True`: allowed_extras/data.pkl: opcode BINFLOAT at byte 442 is not supported by the weights_only unpickler of torch 1.13 (torch 2.4 and later accept it)',
    ]);
    // the inspector agrees without a flag; --torch-version and the config's torchVersion win over requirements
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0].torch).toEqual({
      version: '1.13',
      source: 'requirements.txt: torch>=1.13,<3',
      table: '1.13',
    });
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json', '--torch-version', '2.10')).stdout)[0]).toMatchObject({
      verdict: 'safe',
      torch: { version: '2.10', source: '--torch-version 2.10', table: '2.10' },
    });
    fs.writeFileSync(path.join(repo, '.pylintrc-ts.json'), '{"torchVersion": ">=2.10"}');
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0]).toMatchObject({ verdict: 'safe', torch: { version: '2.10' } });
    expect((await cli(repo, '-f', 'json')).code).toBe(0);
    // no lower bound declared: the newest table
    fs.rmSync(path.join(repo, '.pylintrc-ts.json'));
    fs.writeFileSync(path.join(repo, 'requirements.txt'), 'torch\n');
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0].torch).toEqual({
      version: '2.10',
      source: 'the newest torch known',
      table: '2.10',
    });
  });

  test('inspect: an unwritable --output-file is exit 2 with a message; a link to a folder is not followed', async () => {
    const repo = tempRepo({});
    fs.copyFileSync(path.join(dir, 'state_dict.pt'), path.join(repo, 'a.pt'));
    expect(await cli(repo, 'inspect', 'a.pt', '-o', 'a.pt/x.json')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pylint-torch: cannot write --output-file a.pt/x.json: a folder on its path is a file\n',
    });
    fs.symlinkSync('.', path.join(repo, 'self'));
    expect(JSON.parse((await cli(repo, 'inspect', '.', '-f', 'json')).stdout).map((r: { filePath: string }) => path.basename(r.filePath))).toEqual(['a.pt']);
  });

  test('a broken config stops inspect with exit 2 and a message', async () => {
    const repo = tempRepo({ '.pylintrc-ts.json': '{"torchVersion": 2.6}' });
    fs.copyFileSync(path.join(dir, 'state_dict.pt'), path.join(repo, 'a.pt'));
    const { code, stderr } = await cli(repo, 'inspect', 'a.pt');
    expect(code).toBe(2);
    expect(stderr).toMatch(/torchVersion: expected a version like "2\.6"/);
  });
});

describe('checkpoint-unsafe-globals on plain pickles (.pkl): compatibility only where torch loads them', () => {
  // {"mean": [0.5, 1.5]} at protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE: no weights_only unpickler reads it)
  const STATS = Buffer.from('80049521000000000000007d948c046d65616e945d9428473fe0000000000000473ff800000000000065732e', 'hex');
  const EVIL = Buffer.from("cposix\nsystem\n(S'true'\ntR.", 'latin1');
  const pickles = {
    'requirements.txt': 'torch>=2.1\n',
    'data/stats.pkl': STATS,
    'data/config.pkl': fs.readFileSync(fixture('plain_pickle.pkl')),
    'data/evil.pkl': EVIL,
  };
  /** [file, ruleId, messageId, severity, line] of every finding of a lint run, and its exit code. */
  const run = async (files: Record<string, string | Buffer>) => {
    const repo = tempRepo(files);
    // the requirements.txt is itself a torch-vulnerable-version finding (tested on its own)
    const { code, stdout } = await cli(repo, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    const found = JSON.parse(stdout).flatMap(
      (r: { filePath: string; messages: { ruleId: string; messageId: string; severity: number; line: number; message: string }[] }) =>
        r.messages.map((m) => [path.relative(repo, r.filePath), m.ruleId, m.messageId, m.severity, m.line, m.message]),
    );
    return { code, found };
  };
  const EVIL_FINDING = [
    'data/evil.pkl',
    'checkpoint-unsafe-globals',
    'dangerous',
    2,
    1,
    'Checkpoint (pickle) references `posix.system`, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.',
  ];

  test('read only by pickle.load: no compatibility finding; a pickle that runs code is still an error', async () => {
    const { code, found } = await run({
      ...pickles,
      'run.py':
        'import pickle\nwith open("data/stats.pkl", "rb") as f:\n    stats = pickle.load(f)\nwith open("data/config.pkl", "rb") as f:\n    config = pickle.load(f)\n',
    });
    expect(found).toEqual([EVIL_FINDING]);
    expect(code).toBe(1);
    // without the dangerous one: nothing at all, exit 0
    const harmless = Object.fromEntries(Object.entries(pickles).filter(([name]) => name !== 'data/evil.pkl'));
    expect(await run({ ...harmless, 'run.py': 'import pickle\nstats = pickle.load(open("data/stats.pkl", "rb"))\n' })).toEqual({ code: 0, found: [] });
  });

  test("named by torch.load: judged for the project's declared torch (the table of the release below, said so)", async () => {
    const { code, found } = await run({
      ...pickles,
      'load.py': 'import torch\nstats = torch.load("data/stats.pkl", weights_only=True)\ncfg = torch.load("data/config.pkl", weights_only=False)\n',
    });
    expect(found).toEqual([
      [
        'data/config.pkl',
        'checkpoint-unsafe-globals',
        'unloadable',
        1,
        1,
        'Checkpoint (pickle) cannot be loaded with `weights_only=True`: file: opcode BINFLOAT at byte 14 is not supported by the weights_only unpickler of torch 1.13 (torch 2.1 is judged by the 1.13 table; torch 2.4 and later accept it)',
      ],
      EVIL_FINDING,
      [
        'data/stats.pkl',
        'checkpoint-unsafe-globals',
        'unloadable',
        1,
        1,
        'Checkpoint (pickle) cannot be loaded with `weights_only=True`: file: opcode FRAME at byte 2 is not supported by the weights_only unpickler of torch 1.13 (torch 2.1 is judged by the 1.13 table; protocol 4; re-save with pickle_protocol=2)',
      ],
      [
        'load.py',
        'checkpoint-unsafe-globals',
        'loadUnloadable',
        1,
        2,
        '`torch.load("data/stats.pkl")` loads with `weights_only=True`, but that checkpoint cannot be loaded that way: file: opcode FRAME at byte 2 is not supported by the weights_only unpickler of torch 1.13 (torch 2.1 is judged by the 1.13 table; protocol 4; re-save with pickle_protocol=2)',
      ],
      [
        'load.py',
        'torch-load-weights-only-false',
        'unsafe',
        1,
        3,
        '`torch.load(..., weights_only=False)` unpickles with full pickle: a malicious checkpoint runs code. Use `weights_only=True` and allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
      ],
    ]);
    expect(code).toBe(1);
  });

  test('named through a project load wrapper counts; torch-format .pkl files and plain pickles named .pt are judged anyway', async () => {
    const wrapper = await run({
      'data/stats.pkl': STATS,
      'io_utils.py': 'import torch\n\ndef load_ckpt(path, weights_only=True):\n    return torch.load(path, weights_only=weights_only)\n',
      'main.py': 'from io_utils import load_ckpt\nstats = load_ckpt("data/stats.pkl")\n',
    });
    expect(wrapper.found.map((f: unknown[]) => f.slice(0, 5))).toEqual([
      ['data/stats.pkl', 'checkpoint-unsafe-globals', 'unloadable', 1, 1],
      ['main.py', 'checkpoint-unsafe-globals', 'loadUnloadable', 1, 2],
    ]);
    // torch.save wrote ckpt.pkl (a zip): only torch reads it; a plain pickle named .pt is meant for torch.load
    const named = await run({ 'ckpt.pkl': fs.readFileSync(fixture('training_ckpt.pt')), 'raw.pt': STATS, 'run.py': 'import pickle\n' });
    expect(named.found.map((f: unknown[]) => f.slice(0, 5))).toEqual([
      ['ckpt.pkl', 'checkpoint-unsafe-globals', 'needsReview', 1, 1],
      ['raw.pt', 'checkpoint-unsafe-globals', 'unloadable', 1, 1],
    ]);
  });

  test('inspect still says everything about a plain pickle', async () => {
    const repo = tempRepo({ 'stats.pkl': STATS });
    const { code, stdout } = await cli(repo, 'inspect', 'stats.pkl', '-f', 'json');
    expect([code, JSON.parse(stdout)[0].verdict]).toEqual([1, 'unloadable']);
  });
});

// At load sites (a checkpoint named by a string literal) the rule reports in Python files: these cases run through
// the whole pipeline (`files` rows) in a folder holding the checkpoint fixtures, with only this rule enabled.
const ckpt = (name: string): Buffer => fs.readFileSync(fixture(name));
const TRAINING_LIST =
  'argparse.Namespace, (numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), numpy.ndarray, numpy.dtype, (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), myapp.models.Config';
const inSafeGlobals = (list: string) =>
  `import argparse\nimport numpy\nimport torch\nfrom myapp.models import Config\nwith torch.serialization.safe_globals([${list}]):\n    ckpt = torch.load("ckpt.pt", weights_only=True)\n`;
const LOAD = 'import torch\ntorch.load("ckpt.pt", weights_only=True)\n';
const setup = (list: string) => ({
  ...MYAPP,
  'ckpt.pt': ckpt('training_ckpt.pt'),
  'setup_torch.py': `import torch, argparse, numpy\nfrom myapp.models import Config\ntorch.serialization.add_safe_globals(${list})\n`,
});

ruleTester.run('checkpoint-unsafe-globals at load sites', rule, {
  valid: [
    {
      name: 'the torch >= 2.6 default counts as weights_only=True; on older torch the load is left to the other rules',
      filename: 'train.py',
      code: 'import torch\nm = torch.load("m.pt")\n',
      files: { 'm.pt': ckpt('full_model.pt') },
      torch: '>=2.0',
    },
    {
      name: 'an enclosing safe_globals that names every class silences it',
      filename: 'train.py',
      code: inSafeGlobals(TRAINING_LIST.replace('myapp.models.Config', 'Config')),
      files: { 'ckpt.pt': ckpt('training_ckpt.pt') },
    },
    {
      name: 'an entry that cannot be named (a local class) might cover anything: no report',
      filename: 'train.py',
      code: 'import torch\nclass Config: pass\nwith torch.serialization.safe_globals([Config]):\n    torch.load("ckpt.pt", weights_only=True)\n',
      files: { 'ckpt.pt': ckpt('training_ckpt.pt') },
    },
    {
      name: 'a variable allowlist might cover anything: no report',
      filename: 'train.py',
      code: 'import torch\nALLOWED = []\nwith torch.serialization.safe_globals(ALLOWED):\n    torch.load("ckpt.pt", weights_only=True)\n',
      files: { 'ckpt.pt': ckpt('training_ckpt.pt') },
    },
    {
      name: 'add_safe_globals in another linted file that lists every class',
      filename: 'train.py',
      code: LOAD,
      files: setup(
        '[argparse.Namespace, numpy.ndarray, numpy.dtype, Config, (numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")]',
      ),
    },
    { name: 'add_safe_globals of a list that cannot be read silences it', filename: 'train.py', code: LOAD, files: setup('TRUSTED') },
    {
      name: 'add_safe_globals through an alias, of a list that cannot be read',
      filename: 'train.py',
      code: LOAD,
      files: { 'ckpt.pt': ckpt('training_ckpt.pt'), 'setup_torch.py': 'from torch.serialization import add_safe_globals as allow\nallow(TRUSTED)\n' },
    },
    {
      name: "paths are resolved from the loading file's folder, then the working folder: outside, it is not there",
      filename: 'train.py',
      code: 'import torch\ntorch.load("../ckpt.pt", weights_only=True)\n',
      files: { 'ckpt.pt': ckpt('full_model.pt') },
    },
    {
      name: 'a state dict and a missing file say nothing',
      filename: 'train.py',
      code: 'import torch\ntorch.load("state.pt", weights_only=True)\ntorch.load("nothere.pt", weights_only=True)\n',
      files: { 'state.pt': ckpt('state_dict.pt') },
    },
  ],
  invalid: [
    {
      name: 'weights_only=True of a checkpoint that needs an allowlist: it will fail; the message gives the list',
      filename: 'train.py',
      code: 'import torch\nckpt = torch.load("weights/ckpt.pt", weights_only=True)\n',
      files: { ...MYAPP, 'weights/ckpt.pt': ckpt('training_ckpt.pt') },
      torch: '>=2.6',
      errors: [
        {
          messageId: 'loadNeedsAllowlist',
          severity: 1,
          message: `\`torch.load("weights/ckpt.pt")\` loads with \`weights_only=True\`, but that checkpoint needs an allowlist on torch 2.6 (requirements.txt: torch>=2.6): it will fail with "Unsupported global". Allowlist exactly these, if you trust them: \`with torch.serialization.safe_globals([${TRAINING_LIST}, type(numpy.dtype("f4")), type(numpy.dtype("f8"))]):\`.`,
        },
      ],
      output: [
        'import torch',
        'from torch.serialization import safe_globals',
        'from argparse import Namespace',
        'from numpy.core.multiarray import _reconstruct, scalar',
        'from numpy import ndarray, dtype',
        'from myapp.models import Config',
        'with safe_globals([Namespace, (_reconstruct, "numpy.core.multiarray._reconstruct"), ndarray, dtype, (scalar, "numpy.core.multiarray.scalar"), Config, type(dtype("f4")), type(dtype("f8"))]):',
        '    ckpt = torch.load("weights/ckpt.pt", weights_only=True)',
        '',
      ].join('\n'),
    },
    {
      name: 'the torch >= 2.6 default counts as weights_only=True',
      filename: 'train.py',
      code: 'import torch\nm = torch.load("m.pt")\n',
      files: { ...MYAPP, 'm.pt': ckpt('training_ckpt.pt') },
      torch: '>=2.6',
      errors: [{ messageId: 'loadNeedsAllowlist' }],
      output: [
        'import torch',
        'from torch.serialization import safe_globals',
        'from argparse import Namespace',
        'from numpy.core.multiarray import _reconstruct, scalar',
        'from numpy import ndarray, dtype',
        'from myapp.models import Config',
        'with safe_globals([Namespace, (_reconstruct, "numpy.core.multiarray._reconstruct"), ndarray, dtype, (scalar, "numpy.core.multiarray.scalar"), Config, type(dtype("f4")), type(dtype("f8"))]):',
        '    m = torch.load("m.pt", weights_only=True)',
        '',
      ].join('\n'),
    },
    {
      name: 'a checkpoint naming gzip.GzipFile (its constructor truncates a file; on no denylist): needs review, no list to paste, no fix',
      filename: 'train.py',
      code: 'import torch\ncfg = torch.load("cfg.pt", weights_only=True)\n',
      files: { 'cfg.pt': zipCheckpoint(UNLISTED_GZIP_FILE) },
      errors: [
        {
          messageId: 'loadNeedsReview',
          severity: 1,
          message:
            '`torch.load("cfg.pt")` loads with `weights_only=True`, but that checkpoint needs `gzip.GzipFile` on torch 2.10 (the newest torch known): it will fail with "Unsupported global", and nothing vouches for them: unknown code, review before allowlisting (unpickling calls each with arguments the file chooses).',
        },
      ],
      output: null,
    },
    {
      name: 'a whole model: a class of this project, but torch.nn module classes are unknown code: needs review, no fix',
      filename: 'train.py',
      code: 'import torch\nfrom torch import nn\n\nclass Head(nn.Module):\n    pass\n\nm = torch.load("m.pt", weights_only=True)\n',
      files: { 'm.pt': ckpt('full_model.pt'), 'myapp/__init__.py': '', 'myapp/models.py': 'from torch import nn\n\n\nclass Net(nn.Module):\n    pass\n' },
      errors: [{ messageId: 'loadNeedsReview', message: includes('needs `torch.nn.modules.linear.Linear`, `torch.nn.modules.activation.ReLU` on torch') }],
      output: null,
    },
    {
      name: 'unknown globals the user allowlisted by hand count as reviewed: the rest is listed and wrapped',
      filename: 'train.py',
      code: 'import torch\nfrom mylib.helpers import Thing\ntorch.serialization.add_safe_globals([Thing])\nx = torch.load("x.pt", weights_only=True)\nprint(x)\n',
      files: { 'x.pt': zipCheckpoint('{"t": R(fake("mylib.helpers.Thing", "class")), "args": argparse.Namespace(a=1)}') },
      errors: [
        {
          messageId: 'loadNeedsAllowlist',
          message: includes('Allowlist exactly these, if you trust them: `with torch.serialization.safe_globals([argparse.Namespace]):`.'),
        },
      ],
      output:
        'import torch\nfrom mylib.helpers import Thing\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\ntorch.serialization.add_safe_globals([Thing])\nwith safe_globals([Namespace]):\n    x = torch.load("x.pt", weights_only=True)\nprint(x)\n',
    },
    {
      name: 'argparse.Namespace and a numpy scalar are known data: the exact list, and the wrap (unsafe)',
      filename: 'train.py',
      code: 'import torch\nrun = torch.load("run.pt", weights_only=True)\nprint(run["lr"])\n',
      files: { 'run.pt': zipCheckpoint(NAMESPACE_AND_NUMPY) },
      errors: [
        {
          messageId: 'loadNeedsAllowlist',
          fixSafety: 'unsafe',
          message:
            '`torch.load("run.pt")` loads with `weights_only=True`, but that checkpoint needs an allowlist on torch 2.10 (the newest torch known): it will fail with "Unsupported global". Allowlist exactly these, if you trust them: `with torch.serialization.safe_globals([argparse.Namespace, (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), numpy.dtype, type(numpy.dtype("f8"))]):`.',
        },
      ],
      output:
        'import torch\nfrom torch.serialization import safe_globals\nfrom argparse import Namespace\nfrom numpy.core.multiarray import scalar\nfrom numpy import dtype\nwith safe_globals([Namespace, (scalar, "numpy.core.multiarray.scalar"), dtype, type(dtype("f8"))]):\n    run = torch.load("run.pt", weights_only=True)\nprint(run["lr"])\n',
    },
    {
      name: 'an enclosing safe_globals that misses some classes lists the rest',
      filename: 'train.py',
      code: inSafeGlobals('argparse.Namespace, numpy.ndarray, numpy.dtype, Config'),
      files: { ...MYAPP, 'ckpt.pt': ckpt('training_ckpt.pt') },
      errors: [
        {
          messageId: 'loadNeedsAllowlist',
          message: includes(
            'safe_globals([(numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")])',
          ),
        },
      ],
    },
    {
      name: 'add_safe_globals calls anywhere in the linted files count (process-wide)',
      filename: 'train.py',
      code: LOAD,
      files: setup('[argparse.Namespace, numpy.ndarray, numpy.dtype]'),
      errors: [
        {
          messageId: 'loadNeedsAllowlist',
          message: includes(
            'safe_globals([(numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), myapp.models.Config])',
          ),
        },
      ],
      output: [
        'import torch',
        'from torch.serialization import safe_globals',
        'from numpy.core.multiarray import _reconstruct, scalar',
        'from myapp.models import Config',
        'with safe_globals([(_reconstruct, "numpy.core.multiarray._reconstruct"), (scalar, "numpy.core.multiarray.scalar"), Config]):',
        '    torch.load("ckpt.pt", weights_only=True)',
        '',
      ].join('\n'),
    },
    {
      name: 'a dangerous checkpoint: error with full pickle and with weights_only=True; unloadable with weights_only=True',
      filename: 'train.py',
      code: 'import torch\ntorch.load("evil.pt", weights_only=False)\ntorch.load("evil.pt", weights_only=True)\ntorch.load("p4.pt", weights_only=True)\ntorch.load("p4.pt", weights_only=False)\n',
      files: { 'evil.pt': ckpt('malicious_os_system.pt'), 'p4.pt': ckpt('state_dict_proto4.pt') },
      errors: [
        {
          messageId: 'loadDangerous',
          severity: 2,
          message:
            '`torch.load("evil.pt")` loads a checkpoint that references `posix.system`: this load unpickles with full pickle, so loading it runs that code. Do not load this file.',
        },
        {
          messageId: 'loadDangerous',
          severity: 2,
          message:
            '`torch.load("evil.pt")` loads a checkpoint that references `posix.system`: torch refuses it with `weights_only=True`; the file is malicious or tampered, do not load it any other way.',
        },
        {
          messageId: 'loadUnloadable',
          severity: 1,
          message:
            '`torch.load("p4.pt")` loads with `weights_only=True`, but that checkpoint cannot be loaded that way: state_dict_proto4/data.pkl: opcode FRAME at byte 2 is not supported by the weights_only unpickler of torch 2.10 (protocol 4; re-save with pickle_protocol=2)',
        },
      ],
    },
    {
      name: 'a payload only after the first STOP: the weights_only load may work, and the message says so',
      filename: 'train.py',
      code: 'import torch\nx = torch.load("t.pt", weights_only=True)\n',
      files: { 't.pt': ckpt('trailing_pickle_after_stop.pt') },
      errors: [
        {
          messageId: 'loadDangerous',
          severity: 2,
          message:
            '`torch.load("t.pt")` loads a checkpoint that references `posix.system`: torch stops reading at the first STOP, so this load may work, but the file carries that payload after it (a tampered file): do not load it any other way.',
        },
      ],
    },
    {
      name: 'a path that may name two files (next to the script, or in the working folder): the worse one decides',
      filename: 'scripts/eval.py',
      code: 'import torch\nm = torch.load("ckpt.pt", weights_only=False)\n',
      files: { 'scripts/ckpt.pt': ckpt('state_dict.pt'), 'ckpt.pt': ckpt('malicious_os_system.pt') },
      errors: [{ messageId: 'loadDangerous' }],
    },
  ],
});

describe('checkpoint-unsafe-globals for a torch between two known tables (2.0–2.3, 2.5, 2.7–2.9)', () => {
  // floats pickle as BINFLOAT, which 1.13's unpickler lacks and 2.4's has; 2.1's own table is not known here
  const files = (spec: string) => ({
    'requirements.txt': `torch${spec}\n`,
    'opt.pt': zipCheckpoint('{"lr": 0.001, "betas": (0.9, 0.999)}'),
    'resume.py': 'import torch\nstate = torch.load("opt.pt", weights_only=True)\nprint(state["lr"])\n',
  });
  const findings = async (spec: string) => {
    const repo = tempRepo(files(spec));
    const { stdout } = await cli(repo, '-f', 'json', '--rule', 'torch-vulnerable-version:off');
    return JSON.parse(stdout).flatMap((r: { filePath: string; messages: { ruleId: string; messageId: string; message: string }[] }) =>
      r.messages.map((m) => [path.relative(repo, r.filePath), m.ruleId, m.messageId, m.message]),
    );
  };

  test('only what holds under both neighbouring tables is reported: a float file on torch>=2.1 is not', async () => {
    expect(await findings('>=2.1')).toEqual([]);
  });

  test('on torch>=1.13, whose own table lacks BINFLOAT, the same file and its load are reported', async () => {
    expect((await findings('>=1.13')).map((f: string[]) => f.slice(0, 3))).toEqual([
      ['opt.pt', 'checkpoint-unsafe-globals', 'unloadable'],
      ['resume.py', 'checkpoint-unsafe-globals', 'loadUnloadable'],
    ]);
  });
});

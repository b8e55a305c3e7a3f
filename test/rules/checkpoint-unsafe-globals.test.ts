import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from '../helpers/cli';
import { copyFixtures, FIXTURES_DIR } from '../helpers/fixtures';

// The rule runs on checkpoint files, not Python: its findings are file-level results of the lint run. The reader it
// uses is tested in test/checkpoint/.
const dir = FIXTURES_DIR;

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
      ['a.pt', 'dangerous', 2, 'Checkpoint (torch-zip) references `builtins.eval`, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.'],
      ['b.pt', 'unloadable', 1, 'Checkpoint (torchscript) cannot be loaded with `weights_only=True`: a TorchScript archive: torch 2.6+ refuses it with weights_only=True (before 2.6 torch.load silently ran torch.jit.load on it, a bypass); only torch.jit.load reads it'],
    ]);
  });

  test('a file over maxBytes is said to be skipped, unless it is a zip (cheap to inspect whatever its size)', async () => {
    const config = { '.pylintrc-ts.json': JSON.stringify({ rules: { 'checkpoint-unsafe-globals': ['warn', { maxBytes: 100 }] } }) };
    const size = fs.statSync(path.join(dir, 'plain_pickle.pkl')).size;
    expect((await lint({ 'p.pkl': 'plain_pickle.pkl', 'evil.pt': 'malicious_os_system.pt' }, config)).messages).toEqual([
      ['evil.pt', 'dangerous', 2, 'Checkpoint (torch-zip) references `posix.system`, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.'],
      ['p.pkl', 'notInspected', 1, `Checkpoint not inspected: its ${size} bytes are more than the \`maxBytes\` option (100); raise the option to check it.`],
    ]);
  });

  test('needsAllowlist says how, for the lowest torch the project declares', async () => {
    const at = async (spec: string) => (await lint({ 'm.pt': 'full_model.pt' }, { 'requirements.txt': `torch${spec}\n` })).messages[0][3];
    expect(await at('>=2.6')).toMatch(/on torch 2\.6 \(requirements\.txt: torch>=2\.6\): `with torch\.serialization\.safe_globals\(\[.*\]\):`, only if you trust these classes\.$/);
    expect(await at('==2.4.1')).toMatch(/on torch 2\.4 \(requirements\.txt: torch==2\.4\.1\): `torch\.serialization\.add_safe_globals\(\[.*\]\)`, only if you trust these classes\.$/);
    // before 2.4 there is no allowlist API: the file cannot load with weights_only=True at all
    expect(await at('>=2.0')).toBe(
      'Checkpoint (torch-zip) cannot be loaded with `weights_only=True`: torch 2.0 has no allowlist API (add_safe_globals arrived in 2.4), and the file needs [myapp.models.Net, builtins.set, torch.nn.modules.linear.Linear, torch.nn.modules.activation.ReLU, __main__.Head]: re-save it as a state_dict, or require torch>=2.5 and use torch.serialization.safe_globals',
    );
  });
});

describe('checkpoint-unsafe-globals in the lint run', () => {
  test('checkpoints in the linted folder get file-level results; SARIF has no region for them', async () => {
    const repo = tempRepo({ 'train.py': 'import torch\n' });
    for (const name of ['state_dict.pt', 'malicious_os_system.pt', 'training_ckpt.pt', 'state_dict_proto4.pt']) fs.copyFileSync(path.join(dir, name), path.join(repo, name));
    const { code, stdout } = await cli(repo, '-f', 'json');
    const results = JSON.parse(stdout).filter((r: { messages: unknown[] }) => r.messages.length);
    expect(results.map((r: { filePath: string; messages: { ruleId: string; messageId: string; severity: number; fileLevel: boolean }[] }) => [path.basename(r.filePath), r.messages.map((m) => [m.ruleId, m.messageId, m.severity, m.fileLevel])])).toEqual([
      ['malicious_os_system.pt', [['checkpoint-unsafe-globals', 'dangerous', 2, true]]],
      ['state_dict_proto4.pt', [['checkpoint-unsafe-globals', 'unloadable', 1, true]]],
      ['training_ckpt.pt', [['checkpoint-unsafe-globals', 'needsAllowlist', 1, true]]],
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
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0].torch).toEqual({ version: '1.13', source: 'requirements.txt: torch>=1.13,<3', table: '1.13' });
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json', '--torch-version', '2.10')).stdout)[0]).toMatchObject({ verdict: 'safe', torch: { version: '2.10', source: '--torch-version 2.10', table: '2.10' } });
    fs.writeFileSync(path.join(repo, '.pylintrc-ts.json'), '{"torchVersion": ">=2.10"}');
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0]).toMatchObject({ verdict: 'safe', torch: { version: '2.10' } });
    expect((await cli(repo, '-f', 'json')).code).toBe(0);
    // no lower bound declared: the newest table
    fs.rmSync(path.join(repo, '.pylintrc-ts.json'));
    fs.writeFileSync(path.join(repo, 'requirements.txt'), 'torch\n');
    expect(JSON.parse((await cli(repo, 'inspect', 'extras.pt', '-f', 'json')).stdout)[0].torch).toEqual({ version: '2.10', source: 'the newest torch known', table: '2.10' });
  });

  test('inspect: an unwritable --output-file is exit 2 with a message; a link to a folder is not followed', async () => {
    const repo = tempRepo({});
    fs.copyFileSync(path.join(dir, 'state_dict.pt'), path.join(repo, 'a.pt'));
    expect(await cli(repo, 'inspect', 'a.pt', '-o', 'no/such/dir/x.json')).toEqual({ code: 2, stdout: '', stderr: 'pylint-torch: cannot write --output-file no/such/dir/x.json: its folder does not exist\n' });
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

describe('checkpoint-unsafe-globals at load sites (a checkpoint named by a string literal)', () => {
  const loads = async (code: string, files: Record<string, string>, extra: Record<string, string> = {}): Promise<(string | number)[][]> => {
    const { messages } = await lint(files, { 'train.py': code, ...extra });
    // this rule's findings at load sites (the other rules also report some of these loads)
    return messages.filter((m: string[]) => m[0] === 'train.py' && m[1].startsWith('load')).map((m: string[]) => [m[1], m[2], m[3]]);
  };

  test('weights_only=True of a checkpoint that needs an allowlist: it will fail; the message gives the list', async () => {
    expect(await loads('import torch\nckpt = torch.load("weights/ckpt.pt", weights_only=True)\n', { 'weights/ckpt.pt': 'training_ckpt.pt' }, { 'requirements.txt': 'torch>=2.6\n' })).toEqual([
      [
        'loadNeedsAllowlist',
        1,
        '`torch.load("weights/ckpt.pt")` loads with `weights_only=True`, but that checkpoint needs an allowlist on torch 2.6 (requirements.txt: torch>=2.6): it will fail with "Unsupported global". Allowlist exactly these, if you trust them: `with torch.serialization.safe_globals([argparse.Namespace, (numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), numpy.ndarray, numpy.dtype, (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), myapp.models.Config]):`.',
      ],
    ]);
  });

  test('the torch >= 2.6 default counts as weights_only=True; on older torch the load is left to the other rules', async () => {
    const code = 'import torch\nm = torch.load("m.pt")\n';
    expect((await loads(code, { 'm.pt': 'full_model.pt' }, { 'requirements.txt': 'torch>=2.6\n' })).map((m) => m[0])).toEqual(['loadNeedsAllowlist']);
    expect(await loads(code, { 'm.pt': 'full_model.pt' }, { 'requirements.txt': 'torch>=2.0\n' })).toEqual([]);
  });

  test('an enclosing safe_globals that names every class silences it; one that misses some lists the rest', async () => {
    const code = (list: string) => `import argparse\nimport numpy\nimport torch\nfrom myapp.models import Config\nwith torch.serialization.safe_globals([${list}]):\n    ckpt = torch.load("ckpt.pt", weights_only=True)\n`;
    const full = 'argparse.Namespace, (numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), numpy.ndarray, numpy.dtype, (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), Config';
    expect(await loads(code(full), { 'ckpt.pt': 'training_ckpt.pt' })).toEqual([]);
    const [[id, , message]] = await loads(code('argparse.Namespace, numpy.ndarray, numpy.dtype, Config'), { 'ckpt.pt': 'training_ckpt.pt' });
    expect(id).toBe('loadNeedsAllowlist');
    expect(message).toContain('safe_globals([(numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")])');
    // an entry that cannot be named (a local class, a variable list) might cover anything: no report
    expect(await loads('import torch\nclass Config: pass\nwith torch.serialization.safe_globals([Config]):\n    torch.load("ckpt.pt", weights_only=True)\n', { 'ckpt.pt': 'training_ckpt.pt' })).toEqual([]);
    expect(await loads('import torch\nALLOWED = []\nwith torch.serialization.safe_globals(ALLOWED):\n    torch.load("ckpt.pt", weights_only=True)\n', { 'ckpt.pt': 'training_ckpt.pt' })).toEqual([]);
  });

  test('add_safe_globals calls anywhere in the linted files count (process-wide); one that cannot be read silences it', async () => {
    const code = 'import torch\ntorch.load("ckpt.pt", weights_only=True)\n';
    const setup = (list: string) => ({ 'setup_torch.py': `import torch, argparse, numpy\nfrom myapp.models import Config\ntorch.serialization.add_safe_globals(${list})\n` });
    const [[id, , message]] = await loads(code, { 'ckpt.pt': 'training_ckpt.pt' }, setup('[argparse.Namespace, numpy.ndarray, numpy.dtype]'));
    expect(id).toBe('loadNeedsAllowlist');
    expect(message).toContain('safe_globals([(numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar"), myapp.models.Config])');
    const all = '[argparse.Namespace, numpy.ndarray, numpy.dtype, Config, (numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"), (numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")]';
    expect(await loads(code, { 'ckpt.pt': 'training_ckpt.pt' }, setup(all))).toEqual([]);
    expect(await loads(code, { 'ckpt.pt': 'training_ckpt.pt' }, setup('TRUSTED'))).toEqual([]);
    expect(await loads(code, { 'ckpt.pt': 'training_ckpt.pt' }, { 'setup_torch.py': 'from torch.serialization import add_safe_globals as allow\nallow(TRUSTED)\n' })).toEqual([]);
  });

  test('a dangerous checkpoint: error with full pickle and with weights_only=True; unloadable with weights_only=True', async () => {
    expect(await loads('import torch\ntorch.load("evil.pt", weights_only=False)\ntorch.load("evil.pt", weights_only=True)\ntorch.load("p4.pt", weights_only=True)\ntorch.load("p4.pt", weights_only=False)\n', { 'evil.pt': 'malicious_os_system.pt', 'p4.pt': 'state_dict_proto4.pt' })).toEqual([
      ['loadDangerous', 2, '`torch.load("evil.pt")` loads a checkpoint that references `posix.system`: this load unpickles with full pickle, so loading it runs that code. Do not load this file.'],
      ['loadDangerous', 2, '`torch.load("evil.pt")` loads a checkpoint that references `posix.system`: torch refuses it with `weights_only=True`; the file is malicious or tampered, do not load it any other way.'],
      ['loadUnloadable', 1, '`torch.load("p4.pt")` loads with `weights_only=True`, but that checkpoint cannot be loaded that way: state_dict_proto4/data.pkl: opcode FRAME at byte 2 is not supported by the weights_only unpickler of torch 2.10 (protocol 4; re-save with pickle_protocol=2)'],
    ]);
  });

  test('a payload only after the first STOP: the weights_only load may work, and the message says so', async () => {
    expect(await loads('import torch\nx = torch.load("t.pt", weights_only=True)\n', { 't.pt': 'trailing_pickle_after_stop.pt' })).toEqual([
      ['loadDangerous', 2, '`torch.load("t.pt")` loads a checkpoint that references `posix.system`: torch stops reading at the first STOP, so this load may work, but the file carries that payload after it (a tampered file): do not load it any other way.'],
    ]);
  });

  test('a path that may name two files (next to the script, or in the working folder): the worse one decides', async () => {
    const repo = tempRepo({ 'scripts/eval.py': 'import torch\nm = torch.load("ckpt.pt", weights_only=False)\n' });
    fs.copyFileSync(path.join(dir, 'state_dict.pt'), path.join(repo, 'scripts/ckpt.pt'));
    fs.copyFileSync(path.join(dir, 'malicious_os_system.pt'), path.join(repo, 'ckpt.pt'));
    const results = JSON.parse((await cli(repo, '-f', 'json')).stdout);
    const messages = results.find((r: { filePath: string }) => r.filePath.endsWith('eval.py')).messages.map((m: { messageId: string }) => m.messageId);
    expect(messages).toContain('loadDangerous');
  });

  test('paths are resolved from the loading file\'s folder, then the working folder; missing or safe files say nothing', async () => {
    expect((await loads('import torch\ntorch.load("../ckpt.pt", weights_only=True)\n', { 'ckpt.pt': 'full_model.pt' })).length).toBe(0); // outside: not there
    expect(await loads('import torch\ntorch.load("state.pt", weights_only=True)\ntorch.load("nothere.pt", weights_only=True)\n', { 'state.pt': 'state_dict.pt' })).toEqual([]);
  });
});

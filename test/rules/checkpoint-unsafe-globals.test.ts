import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from '../helpers/cli';
import { sharedDir } from '../helpers/shared';

// The rule runs on checkpoint files, not Python: its findings are file-level results of the lint run. The reader it
// uses is tested in test/checkpoint/.
const dir = path.join(sharedDir(), 'checkpoints');

/** Lints a fresh folder holding `files` (copied from ../shared/checkpoints, renamed) and `extra` text files. */
async function lint(files: Record<string, string>, extra: Record<string, string> = {}) {
  const repo = tempRepo(extra);
  for (const [to, from] of Object.entries(files)) fs.copyFileSync(path.join(dir, from), path.join(repo, to));
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

  test('needsAllowlist says how, for the lowest torch the project declares', async () => {
    const at = async (spec: string) => (await lint({ 'm.pt': 'full_model.pt' }, { 'requirements.txt': `torch${spec}\n` })).messages[0][3];
    expect(await at('>=2.6')).toMatch(/on torch 2\.6 \(requirements\.txt: torch>=2\.6\): `torch\.serialization\.safe_globals\(\[.*\]\)`, only if you trust these classes\.$/);
    expect(await at('==2.4.1')).toMatch(/on torch 2\.4 \(requirements\.txt: torch==2\.4\.1\): `torch\.serialization\.add_safe_globals\(\[.*\]\)`, only if you trust these classes\.$/);
    expect(await at('>=2.0')).toMatch(/on torch 2\.0 .*and torch before 2\.4 has no allowlist API/);
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
      'Checkpoint (torch-zip) cannot be loaded with `weights_only=True`: allowed_extras/data.pkl: opcode BINFLOAT at byte 484 is not supported by the weights_only unpickler of torch 1.13 (torch 2.4 and later accept it)',
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

  test('a broken config stops inspect with exit 2 and a message', async () => {
    const repo = tempRepo({ '.pylintrc-ts.json': '{"torchVersion": 2.6}' });
    fs.copyFileSync(path.join(dir, 'state_dict.pt'), path.join(repo, 'a.pt'));
    const { code, stderr } = await cli(repo, 'inspect', 'a.pt');
    expect(code).toBe(2);
    expect(stderr).toMatch(/torchVersion: expected a version like "2\.6"/);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedDir } from '../helpers/shared';
import { ALLOWLISTS } from '../../src/checkpoint/allowlists';
import { inspectCheckpoint } from '../../src/checkpoint/inspect';
import { opcodeName } from '../../src/checkpoint/pickle';
import { cli, tempRepo } from '../helpers/cli';
import { sarifSchemaErrors } from '../helpers/sarif';

const dir = path.join(sharedDir(), 'checkpoints');
const tsv = fs.readFileSync(path.join(dir, 'GLOBALS.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split('\t'));
const expectedGlobals = (file: string) => [...new Set(tsv.filter((row) => row[0] === file).map((row) => row[7]))].sort();

/** The verdict contract of ../shared/checkpoints/README.md (torch >= 2.6 defaults). */
const CONTRACT: [string, string, string][] = [
  ['state_dict.pt', 'torch-zip', 'safe'],
  ['allowed_extras.pt', 'torch-zip', 'safe'],
  ['legacy_state_dict.pt', 'torch-legacy', 'safe'],
  ['full_model.pt', 'torch-zip', 'needs-allowlist'],
  ['full_model_main_only.pt', 'torch-zip', 'needs-allowlist'],
  ['training_ckpt.pt', 'torch-zip', 'needs-allowlist'],
  ['legacy_training_ckpt.pt', 'torch-legacy', 'needs-allowlist'],
  ['plain_pickle.pkl', 'pickle', 'needs-allowlist'],
  ['malicious_os_system.pt', 'torch-zip', 'dangerous'],
  ['malicious_bad_crc.pt', 'torch-zip', 'dangerous'],
  ['malicious_deflated.pt', 'torch-zip', 'dangerous'],
  ['malicious_renamed_prefix.bin', 'torch-zip', 'dangerous'],
  ['malicious_os_system_legacy.pt', 'torch-legacy', 'dangerous'],
  ['malicious_eval_in_dict.pt', 'torch-zip', 'dangerous'],
  ['malicious_subprocess_proto4.pt', 'torch-zip', 'dangerous'],
  ['trailing_pickle_after_stop.pt', 'torch-zip', 'dangerous'],
  ['state_dict_proto4.pt', 'torch-zip', 'unloadable'],
  ['scripted.pt', 'torchscript', 'unloadable'],
];

describe('inspectCheckpoint on ../shared/checkpoints', () => {
  test.each(CONTRACT)('%s: %s, %s, globals as GLOBALS.tsv', async (file, format, verdict) => {
    const result = await inspectCheckpoint(path.join(dir, file));
    expect([result.format, result.verdict]).toEqual([format, verdict]);
    expect([...new Set(result.globals.map((g) => g.name))].sort()).toEqual(expectedGlobals(file));
  });

  test('needs-allowlist lists exactly the names to allowlist, numpy in the tuple form', async () => {
    const result = await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'));
    expect(result.allowlist.sort()).toEqual(
      [
        'argparse.Namespace',
        '(numpy.core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct")',
        'numpy.ndarray',
        'numpy.dtype',
        '(numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")',
        'myapp.models.Config',
        'type(numpy.dtype("f4"))',
        'type(numpy.dtype("f8"))',
      ].sort(),
    );
  });

  test('the torch version chooses the allowlist: the nearest table at or below it', async () => {
    const needs = async (version: [number, number]) => {
      const { verdict, allowlist, torch } = await inspectCheckpoint(path.join(dir, 'allowed_extras.pt'), { torchVersion: version });
      return { verdict, allowlist, table: torch.table };
    };
    // torch 1.13 also lacks the BINFLOAT opcode: no allowlist could make it load
    expect(await needs([1, 12])).toEqual({ verdict: 'unloadable', allowlist: [], table: '1.13' });
    expect(await needs([2, 4])).toEqual({ verdict: 'needs-allowlist', allowlist: ['builtins.set', '_codecs.encode', 'builtins.bytearray', 'builtins.complex'], table: '2.4' });
    expect(await needs([2, 5])).toEqual({ verdict: 'needs-allowlist', allowlist: ['builtins.set', '_codecs.encode', 'builtins.bytearray', 'builtins.complex'], table: '2.4' });
    expect(await needs([2, 6])).toEqual({ verdict: 'safe', allowlist: [], table: '2.6' });
    expect(await needs([3, 0])).toEqual({ verdict: 'safe', allowlist: [], table: '2.10' });
  });

  test('tables: 1.13 and 2.10 equal the shared lists; 2.4 and 2.6 have the sizes read from the wheels', () => {
    const shared = (name: string) => new Set(fs.readFileSync(path.join(sharedDir(), name), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    const table = (v: string) => ALLOWLISTS.find((t) => t.version.join('.') === v)!.names;
    expect(table('2.10')).toEqual(shared('allowed_globals.txt'));
    expect(table('1.13')).toEqual(shared('allowed_globals_torch1.13.txt'));
    expect([table('2.4').size, table('2.6').size]).toEqual([119, 128]);
    expect([table('2.4').has('torch.device'), table('2.4').has('builtins.set'), table('2.6').has('builtins.set'), table('2.6').has('torch.uint1')]).toEqual([true, false, true, false]);
  });

  test('parity with torch 1.13 (shared/checkpoints/WO_RESULTS_torch1.13.tsv): accepted exactly when safe, but two by design', async () => {
    const rows = fs.readFileSync(path.join(dir, 'WO_RESULTS_torch1.13.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
    expect(rows).toHaveLength(18);
    // by design: torch ignores data after STOP (we report it), and 1.13 hands TorchScript to torch.jit.load, which
    // runs the archive's code (a bypass fixed in 2.6): both dangerous
    const byDesign: Record<string, string> = { 'trailing_pickle_after_stop.pt': 'dangerous', 'scripted.pt': 'dangerous' };
    for (const [file, , outcome, text] of rows) {
      const result = await inspectCheckpoint(path.join(dir, file), { torchVersion: [1, 13] });
      if (byDesign[file]) {
        expect([file, outcome, result.verdict]).toEqual([file, 'ACCEPTED', byDesign[file]]);
        continue;
      }
      expect([file, result.verdict === 'safe']).toEqual([file, outcome === 'ACCEPTED']);
      // torch stops at the first refusal: that class is one we do not allow, that opcode one we flag
      const refusedClass = /Unsupported class (\S+)/.exec(text)?.[1]?.replace(/^__builtin__\./, 'builtins.');
      if (refusedClass) expect([file, result.globals.find((g) => g.name === refusedClass)?.status]).not.toEqual([file, 'allowed']);
      if (refusedClass) expect(result.globals.map((g) => g.name)).toContain(refusedClass);
      const operand = /Unsupported operand (\d+)/.exec(text)?.[1];
      if (operand) expect(result.messages.join('\n')).toMatch(new RegExp(`opcode ${opcodeName(Number(operand))} at byte \\d+ is not supported`));
    }
  });

  test('numpy tuple entries only where torch has them (2.6+)', async () => {
    const at = async (version: [number, number]) => (await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'), { torchVersion: version })).allowlist.filter((e) => e.includes('scalar'));
    expect(await at([2, 5])).toEqual(['numpy.core.multiarray.scalar']);
    expect(await at([2, 6])).toEqual(['(numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")']);
  });
});

describe('inspectCheckpoint on hostile and odd files', () => {
  test('a .pt that is really a text file, an empty file, a truncated zip', async () => {
    const tmp = tempRepo({ 'notes.pt': 'just some text\n', 'empty.pt': '' });
    const zip = fs.readFileSync(path.join(dir, 'state_dict.pt'));
    fs.writeFileSync(path.join(tmp, 'cut.pt'), zip.subarray(0, 300));
    for (const name of ['notes.pt', 'empty.pt', 'cut.pt']) {
      const result = await inspectCheckpoint(path.join(tmp, name));
      expect([name, result.verdict]).toEqual([name, 'not-a-checkpoint']);
      expect(result.messages.length).toBe(1);
    }
  });

  test('a missing file is a message, not a throw', async () => {
    const result = await inspectCheckpoint('/nonexistent/x.pt');
    expect(result.verdict).toBe('not-a-checkpoint');
    expect(result.messages[0]).toMatch(/^cannot read: /);
  });
});

describe('pylint-torch inspect', () => {
  test('json output, exit 1 when any file is not safe, 0 when all are', async () => {
    const bad = await cli(dir, 'inspect', '-f', 'json', 'state_dict.pt', 'malicious_os_system.pt');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).map((r: { filePath: string; format: string; verdict: string }) => [path.basename(r.filePath), r.format, r.verdict])).toEqual([
      ['state_dict.pt', 'torch-zip', 'safe'],
      ['malicious_os_system.pt', 'torch-zip', 'dangerous'],
    ]);
    expect(JSON.parse(bad.stdout)[1].globals).toEqual([{ name: 'posix.system', opcode: 'GLOBAL', offset: expect.any(Number), member: 'malicious_os_system/data.pkl', afterStop: false, status: 'blocked' }]);
    expect((await cli(dir, 'inspect', 'state_dict.pt', 'legacy_state_dict.pt')).code).toBe(0);
  });

  test('sarif output validates and has one result per unsafe file, without regions', async () => {
    const { stdout, code } = await cli(dir, 'inspect', '-f', 'sarif', 'state_dict.pt', 'malicious_eval_in_dict.pt', 'plain_pickle.pkl');
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results.map((r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: unknown } }[] }) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region])).toEqual([
      ['checkpoint-unsafe-globals', 'error', 'malicious_eval_in_dict.pt', undefined],
      ['checkpoint-unsafe-globals', 'warning', 'plain_pickle.pkl', undefined],
    ]);
  });

  test('a folder is walked for checkpoint files; bad usage exits 2', async () => {
    const all = await cli(dir, 'inspect', '.', '-f', 'json');
    expect(JSON.parse(all.stdout)).toHaveLength(18);
    expect(await cli(dir, 'inspect', 'nope.pt')).toEqual({ code: 2, stdout: '', stderr: 'pylint-torch: no such file or directory: nope.pt\n' });
    expect((await cli(dir, 'inspect', 'state_dict.pt', '--torch-version', 'latest')).code).toBe(2);
    expect((await cli(dir, 'inspect')).code).toBe(2);
  });
});

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOWLISTS } from '../../src/checkpoint/allowlists';
import { allowlistFor, inspectCheckpoint } from '../../src/checkpoint/inspect';
import { opcodeName } from '../../src/checkpoint/pickle';
import { cli, tempRepo } from '../helpers/cli';
import { copyFixtures, FIXTURE_GLOBALS, FIXTURES_DIR } from '../helpers/fixtures';
import { torchPython } from '../helpers/python';
import { sarifSchemaErrors } from '../helpers/sarif';

const dir = FIXTURES_DIR;
/**
 * The CLI runs in a copy of the fixtures: inside the repository it would pick up the repository's own
 * .pylintrc-ts.json (configuration is looked up from the working folder upwards).
 */
const cliDir = copyFixtures(tempRepo({}), Object.fromEntries(Object.keys(FIXTURE_GLOBALS).map((f) => [f, f])));

/** The verdict contract of the fixtures (torch >= 2.6 defaults), from what each holds (test/fixtures/make_checkpoints.py). */
const CONTRACT: [string, string, string][] = [
  ['state_dict.pt', 'torch-zip', 'safe'],
  ['allowed_extras.pt', 'torch-zip', 'safe'],
  ['legacy_state_dict.pt', 'torch-legacy', 'safe'],
  // without a project (as `pylint-torch inspect`), myapp's classes, __main__ classes and torch.nn modules are unknown
  ['full_model.pt', 'torch-zip', 'needs-review'],
  ['full_model_main_only.pt', 'torch-zip', 'needs-review'],
  ['training_ckpt.pt', 'torch-zip', 'needs-review'],
  ['legacy_training_ckpt.pt', 'torch-legacy', 'needs-review'],
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

describe('inspectCheckpoint on the checkpoint fixtures', () => {
  test.each(CONTRACT)('%s: %s, %s, the globals the generator wrote', async (file, format, verdict) => {
    const result = await inspectCheckpoint(path.join(dir, file));
    expect([result.format, result.verdict]).toEqual([format, verdict]);
    expect([...new Set(result.globals.map((g) => g.name))]).toEqual(FIXTURE_GLOBALS[file]);
  });

  test('the contract covers every fixture', () => {
    expect(CONTRACT.map(([file]) => file).sort()).toEqual(Object.keys(FIXTURE_GLOBALS).sort());
  });

  test('needs-allowlist lists exactly the names to allowlist, numpy in the tuple form', async () => {
    // the project vouches for its class (the lint resolves it in the project index)
    const vouchers = { projectClass: (name: string) => name === 'myapp.models.Config' };
    const result = await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'), { vouchers });
    expect(result.verdict).toBe('needs-allowlist');
    expect(result.globals.filter((g) => g.status !== 'allowed').map((g) => `${g.name} ${g.status}`)).toEqual([
      'argparse.Namespace known-data',
      'numpy.core.multiarray._reconstruct known-data',
      'numpy.ndarray known-data',
      'numpy.dtype known-data',
      'numpy.core.multiarray.scalar known-data',
      'myapp.models.Config project-class',
    ]);
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
    expect(await needs([2, 4])).toEqual({
      verdict: 'needs-allowlist',
      allowlist: ['builtins.set', '_codecs.encode', 'builtins.bytearray', 'builtins.complex'],
      table: '2.4',
    });
    expect(await needs([2, 5])).toEqual({
      verdict: 'needs-allowlist',
      allowlist: ['builtins.set', '_codecs.encode', 'builtins.bytearray', 'builtins.complex'],
      table: '2.4',
    });
    expect(await needs([2, 6])).toEqual({ verdict: 'safe', allowlist: [], table: '2.6' });
    expect(await needs([3, 0])).toEqual({ verdict: 'safe', allowlist: [], table: '2.10' });
  });

  test("tables: the sizes and some members of torch's lists; 2.4 and 2.6 have the sizes read from the wheels", () => {
    // The 2.10 (144 names) and 1.13 (90) lists are the keys of torch's _weights_only_unpickler._get_allowed_globals()
    // at torch 2.10.0a0 and Debian's python3-torch 1.13.1, as src/checkpoint/allowlists.ts's header says; the files
    // they were collected into are not part of this repository. The 1.13 table is compared name by name with a real
    // torch 1.13 below, where one is installed.
    const table = (v: string) => ALLOWLISTS.find((t) => t.version.join('.') === v)!.names;
    expect([table('1.13').size, table('2.4').size, table('2.6').size, table('2.10').size]).toEqual([90, 119, 128, 144]);
    const members = [
      'collections.OrderedDict',
      'torch._utils._rebuild_tensor_v2',
      'torch._utils._rebuild_parameter',
      'torch.FloatStorage',
      'torch.nn.parameter.Parameter',
      'torch.Size',
      'torch.float16',
    ];
    for (const v of ['1.13', '2.10']) expect([v, members.filter((name) => !table(v).has(name))]).toEqual([v, []]);
    expect(
      ['torch.device', 'builtins.set', '_codecs.encode', 'builtins.complex', 'collections.Counter', 'torch.BFloat16Storage'].filter(
        (name) => !table('2.10').has(name),
      ),
    ).toEqual([]);
    expect(['torch.device', 'builtins.set', '_codecs.encode', 'argparse.Namespace', 'posix.system'].filter((name) => table('1.13').has(name))).toEqual([]);
    expect(['argparse.Namespace', 'builtins.eval', 'posix.system', 'numpy.ndarray'].filter((name) => table('2.10').has(name))).toEqual([]);
    expect([table('2.4').has('torch.device'), table('2.4').has('builtins.set'), table('2.6').has('builtins.set'), table('2.6').has('torch.uint1')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  test('a TorchScript archive judged for torch < 2.6 is dangerous: torch.load hands it to torch.jit.load, which runs its code', async () => {
    const result = await inspectCheckpoint(path.join(dir, 'scripted.pt'), { torchVersion: [1, 13] });
    expect([result.format, result.verdict]).toEqual(['torchscript', 'dangerous']);
    expect(result.messages).toContain(
      'a TorchScript archive: torch 1.13 hands it to torch.jit.load even with weights_only=True, which runs its code (a bypass fixed in torch 2.6)',
    );
  });

  test('without a project, its class is unknown code: needs-review, nothing to paste, the note names it to review', async () => {
    const result = await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'));
    expect([result.verdict, result.allowlist]).toEqual(['needs-review', []]);
    expect(result.needs).toEqual([
      'argparse.Namespace',
      'numpy.core.multiarray._reconstruct',
      'numpy.ndarray',
      'numpy.dtype',
      'numpy.core.multiarray.scalar',
      'myapp.models.Config',
    ]);
    expect(result.globals.find((g) => g.name === 'myapp.models.Config')?.status).toBe('unknown');
    expect(result.messages).toEqual([
      'unknown code: review before allowlisting: myapp.models.Config (torch does not allow it by default and nothing vouches that it only builds data; unpickling calls it with arguments the file chooses)',
    ]);
    // the config's trustedGlobals vouch for it as well
    expect((await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'), { vouchers: { trusted: ['myapp.models.Config'] } })).verdict).toBe('needs-allowlist');
  });

  test('numpy tuple entries only where torch has them (2.6+)', async () => {
    const vouchers = { trusted: ['myapp.models.Config'] };
    const at = async (version: [number, number]) =>
      (await inspectCheckpoint(path.join(dir, 'training_ckpt.pt'), { torchVersion: version, vouchers })).allowlist.filter((e) => e.includes('scalar'));
    expect(await at([2, 5])).toEqual(['numpy.core.multiarray.scalar']);
    expect(await at([2, 6])).toEqual(['(numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")']);
  });
});

/**
 * A real torch where one is installed (Debian's python3-torch 1.13 here and in CI): `torch.load(f, weights_only=True)`
 * of each fixture, in a subprocess whose working folder is empty (a payload that ran would leave its marker file
 * there), and never any other way. scripted.pt is not handed to it: torch < 2.6 passes a TorchScript archive to
 * torch.jit.load even with weights_only=True, which runs the archive's code.
 */
const python = torchPython();
if (!python) console.warn('inspect.test.ts: the torch parity tests are skipped, no python3 imports torch (apt-get install python3-torch)');

(python ? describe : describe.skip)('parity with a real torch (torch.load with weights_only=True only)', () => {
  const handed = Object.keys(FIXTURE_GLOBALS)
    .filter((file) => file !== 'scripted.pt')
    .sort();
  const script = [
    'import json, os, sys, warnings',
    'import torch',
    'from torch import _weights_only_unpickler as wo',
    'warnings.simplefilter("ignore")',
    'results = []',
    'for path in sys.argv[1:]:',
    '    try:',
    '        obj = torch.load(path, weights_only=True)',
    '        keys = ",".join(map(str, obj)) if isinstance(obj, dict) else ""',
    '        results.append([os.path.basename(path), "ACCEPTED", "%s %s" % (type(obj).__name__, keys)])',
    '    except Exception as e:',
    '        results.append([os.path.basename(path), "REJECTED", "%s: %s" % (type(e).__name__, e)])',
    'allowed = sorted(wo._get_allowed_globals()) if hasattr(wo, "_get_allowed_globals") else None',
    'print(json.dumps({"version": torch.__version__, "allowed": allowed, "results": results}))',
  ].join('\n');
  let cwd = '';
  let run: { version: string; allowed: string[] | null; results: [string, string, string][] };
  let version: [number, number];
  beforeAll(() => {
    cwd = tempRepo({});
    const out = spawnSync(python!, ['-c', script, ...handed.map((file) => path.join(dir, file))], { cwd, encoding: 'utf8', timeout: 120_000 });
    if (out.status !== 0) throw new Error(`torch run failed: ${out.stderr}`);
    run = JSON.parse(out.stdout.trim().split('\n').pop()!);
    const [major, minor] = run.version.split('.').map((n) => parseInt(n, 10));
    version = [major, minor];
  }, 150_000);

  test('accepted exactly when the inspector says safe for that torch, but trailing data by design; no payload ran', async () => {
    expect(run.results.map(([file]) => file)).toEqual(handed);
    // by design: torch stops at the first STOP and ignores the pickle after it; we report it (a tampered file)
    const byDesign: Record<string, string> = { 'trailing_pickle_after_stop.pt': 'dangerous' };
    for (const [file, outcome, text] of run.results) {
      const result = await inspectCheckpoint(path.join(dir, file), { torchVersion: version });
      if (byDesign[file]) {
        expect([file, outcome, result.verdict]).toEqual([file, 'ACCEPTED', byDesign[file]]);
        continue;
      }
      expect([file, result.verdict === 'safe', text]).toEqual([file, outcome === 'ACCEPTED', text]);
      // torch stops at the first refusal: that class is one we do not allow, that opcode one we flag
      const refusedClass = /Unsupported class (\S+)/.exec(text)?.[1]?.replace(/^__builtin__\./, 'builtins.');
      if (refusedClass) expect([file, result.globals.find((g) => g.name === refusedClass)?.status]).not.toEqual([file, 'allowed']);
      if (refusedClass) expect(result.globals.map((g) => g.name)).toContain(refusedClass);
      const operand = /Unsupported operand (\d+)/.exec(text)?.[1];
      if (operand) expect(result.messages.join('\n')).toMatch(new RegExp(`opcode ${opcodeName(Number(operand))} at byte \\d+ is not supported`));
    }
    // the state_dicts torch accepts are the generator's, in both formats
    const detail = Object.fromEntries(run.results.map(([file, , text]) => [file, text]));
    for (const file of ['state_dict.pt', 'legacy_state_dict.pt'])
      expect([file, detail[file]]).toEqual([file, 'OrderedDict fc1.weight,fc1.bias,head.proj.weight,head.proj.bias']);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('the allowlist table for that torch holds exactly its _get_allowed_globals() keys', () => {
    const table = allowlistFor(version);
    // only a torch whose own table the inspector has (1.13 here) can be compared name by name
    if (run.allowed === null || table.version.join('.') !== version.join('.')) return;
    expect([...table.names].sort()).toEqual(run.allowed);
  });
});

describe('inspectCheckpoint on hostile and odd files', () => {
  test('a .pt that is really a text file, an empty file, a truncated zip', async () => {
    const tmp = tempRepo({ 'notes.pt': 'just some text\n', 'empty.pt': '' });
    const zip = fs.readFileSync(path.join(dir, 'state_dict.pt'));
    fs.writeFileSync(path.join(tmp, 'cut.pt'), zip.subarray(0, 300));
    for (const name of ['notes.pt', 'empty.pt']) {
      const result = await inspectCheckpoint(path.join(tmp, name));
      expect([name, result.verdict]).toEqual([name, 'not-a-checkpoint']);
      expect(result.messages.length).toBe(1);
    }
    // a zip's first bytes without its end record: torch cannot open it, in any mode
    const cut = await inspectCheckpoint(path.join(tmp, 'cut.pt'));
    expect([cut.verdict, cut.messages[cut.messages.length - 1]]).toEqual([
      'unloadable',
      'a zip file without its end-of-central-directory record (truncated?): torch cannot open it',
    ]);
  });

  test('a missing file is a message, not a throw', async () => {
    const result = await inspectCheckpoint('/nonexistent/x.pt');
    expect(result.verdict).toBe('not-a-checkpoint');
    expect(result.messages[0]).toMatch(/^cannot read: /);
  });
});

describe('pylint-torch inspect', () => {
  test("'-' and '' are usage errors (exit 2), not an inspection of the working folder", async () => {
    expect(await cli(cliDir, 'inspect', '-')).toEqual({
      code: 2,
      stdout: '',
      stderr: "pylint-torch: reading a checkpoint from stdin ('-') is not supported; name the files\n",
    });
    expect(await cli(cliDir, 'inspect', '')).toEqual({ code: 2, stdout: '', stderr: 'pylint-torch: an empty path names no file; name the files\n' });
    expect((await cli(cliDir, 'inspect', '-f', 'json', 'state_dict.pt')).code).toBe(0);
  });

  test('json output, exit 1 when any file is not safe, 0 when all are', async () => {
    const bad = await cli(cliDir, 'inspect', '-f', 'json', 'state_dict.pt', 'malicious_os_system.pt');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).map((r: { filePath: string; format: string; verdict: string }) => [path.basename(r.filePath), r.format, r.verdict])).toEqual([
      ['state_dict.pt', 'torch-zip', 'safe'],
      ['malicious_os_system.pt', 'torch-zip', 'dangerous'],
    ]);
    expect(JSON.parse(bad.stdout)[1].globals).toEqual([
      { name: 'posix.system', opcode: 'GLOBAL', offset: expect.any(Number), member: 'malicious_os_system/data.pkl', afterStop: false, status: 'blocked' },
    ]);
    expect((await cli(cliDir, 'inspect', 'state_dict.pt', 'legacy_state_dict.pt')).code).toBe(0);
  });

  test('sarif output validates and has one result per unsafe file, without regions', async () => {
    const { stdout, code } = await cli(cliDir, 'inspect', '-f', 'sarif', 'state_dict.pt', 'malicious_eval_in_dict.pt', 'plain_pickle.pkl');
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(
      log.runs[0].results.map(
        (r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: unknown } }[] }) => [
          r.ruleId,
          r.level,
          r.locations[0].physicalLocation.artifactLocation.uri,
          r.locations[0].physicalLocation.region,
        ],
      ),
    ).toEqual([
      ['checkpoint-unsafe-globals', 'error', 'malicious_eval_in_dict.pt', undefined],
      // it needs an allowlist: no code execution, so the compatibility twin (no security severity)
      ['checkpoint-unsafe-globals/compatibility', 'warning', 'plain_pickle.pkl', undefined],
    ]);
  });

  test('a folder is walked for checkpoint files; bad usage exits 2', async () => {
    const all = await cli(cliDir, 'inspect', '.', '-f', 'json');
    expect(JSON.parse(all.stdout)).toHaveLength(18);
    expect(await cli(cliDir, 'inspect', 'nope.pt')).toEqual({ code: 2, stdout: '', stderr: 'pylint-torch: no such file or directory: nope.pt\n' });
    expect((await cli(cliDir, 'inspect', 'state_dict.pt', '--torch-version', 'latest')).code).toBe(2);
    expect((await cli(cliDir, 'inspect')).code).toBe(2);
  });
});

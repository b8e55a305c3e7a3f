import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOWLISTS } from '../../src/checkpoint/allowlists';
import { classifyGlobal, KNOWN_DATA, knownDataReason, looksLikeClass, mayAllowlist } from '../../src/checkpoint/classify';
import { dangerReason } from '../../src/checkpoint/dangerous';
import { inspectCheckpoint, judgeInspection } from '../../src/checkpoint/inspect';
import { tempRepo } from '../helpers/cli';
import { IMAP4_STREAM, UNLISTED_GZIP_FILE, ISSUE_13_CODE_RUNNERS, NAMESPACE_AND_NUMPY, zipCheckpoint } from '../helpers/checkpoints';

const table = ALLOWLISTS.find((t) => t.version.join('.') === '2.10')!.names;
const table24 = ALLOWLISTS.find((t) => t.version.join('.') === '2.4')!.names;

describe('classifyGlobal: allowlistable only when a positive list vouches for it', () => {
  test('each status, code-running names first', () => {
    const vouchers = { projectClass: (name: string) => name.startsWith('myapp.') || name === 'os.Thing', trusted: ['vendor.Config', 'subprocess.Popen'] };
    expect(
      Object.fromEntries(
        [
          'torch._utils._rebuild_tensor_v2',
          'argparse.Namespace',
          'numpy.dtypes.Float64DType',
          'myapp.models.Config',
          'vendor.Config',
          'gzip.GzipFile',
          'imaplib.IMAP4_stream',
          'mylib.helpers.make_config',
          'posix.system',
          'os.Thing',
          'builtins.eval',
          'subprocess.Popen',
        ].map((name) => [name, classifyGlobal(name, table, vouchers)]),
      ),
    ).toEqual({
      'torch._utils._rebuild_tensor_v2': 'allowed',
      'argparse.Namespace': 'known-data',
      'numpy.dtypes.Float64DType': 'known-data',
      'myapp.models.Config': 'project-class',
      'vendor.Config': 'trusted',
      // a CapWords name from the file is no evidence: its constructor truncates the file it is given. On no denylist,
      // as the proof that an unlisted code-runner still gets no advice
      'gzip.GzipFile': 'unknown',
      // issue 13: the fix allowlisted it (its constructor runs a shell); now denylisted, for the message
      'imaplib.IMAP4_stream': 'dangerous',
      'mylib.helpers.make_config': 'unknown',
      'posix.system': 'blocked',
      'os.Thing': 'blocked', // a project class cannot unblock a module torch blocks
      'builtins.eval': 'dangerous',
      'subprocess.Popen': 'dangerous', // nor trustedGlobals a code-running one
    });
    expect(['allowed', 'project-class', 'trusted', 'known-data', 'unknown', 'blocked', 'dangerous', 'unsupported-opcode'].filter(mayAllowlist)).toEqual([
      'allowed',
      'project-class',
      'trusted',
      'known-data',
    ]);
  });

  test("a name torch's newer table allows is known data on an older torch (torch reviewed it)", () => {
    expect([classifyGlobal('builtins.set', table24), classifyGlobal('builtins.set', table), knownDataReason('builtins.set')]).toEqual([
      'known-data',
      'allowed',
      "torch 2.10's default weights_only allowlist has it",
    ]);
  });

  test('the known-data list stays short and reviewed: these names, each with a reason and a source, none code-running', () => {
    expect(KNOWN_DATA.flatMap((entry) => (entry.names instanceof RegExp ? [String(entry.names)] : entry.names))).toEqual([
      'argparse.Namespace',
      'numpy.core.multiarray._reconstruct',
      'numpy._core.multiarray._reconstruct',
      'numpy.core.multiarray.scalar',
      'numpy._core.multiarray.scalar',
      'numpy.ndarray',
      'numpy.dtype',
      '/^numpy\\.dtypes\\.[A-Z][A-Za-z0-9]*DType$/',
      'pathlib.PosixPath',
      'pathlib.WindowsPath',
      'pathlib.PurePosixPath',
      'pathlib.PureWindowsPath',
      'pathlib._local.PosixPath',
      'pathlib._local.WindowsPath',
      'pathlib._local.PurePosixPath',
      'pathlib._local.PureWindowsPath',
    ]);
    for (const entry of KNOWN_DATA) {
      expect(entry.reason.length).toBeGreaterThan(40);
      expect(entry.source.length).toBeGreaterThan(10);
      for (const name of entry.names instanceof RegExp ? [] : entry.names) expect([name, dangerReason(name)]).toEqual([name, undefined]);
    }
    // what was considered and left out: omegaconf containers (interpolations reach the program's resolvers),
    // torch.nn module classes (not reviewed one by one), anything merely CapWords
    for (const name of [
      'omegaconf.dictconfig.DictConfig',
      'omegaconf.listconfig.ListConfig',
      'omegaconf.base.ContainerMetadata',
      'torch.nn.modules.linear.Linear',
      'numpy.dtypes.evil',
      'collections.defaultdict',
    ])
      expect([name, classifyGlobal(name, table)]).toEqual([name, 'unknown']);
  });

  test("issue 13's code-running callables are on the dangerous list (for the message and severity)", () => {
    expect(ISSUE_13_CODE_RUNNERS.filter((name) => !dangerReason(name))).toEqual([]);
    expect(ISSUE_13_CODE_RUNNERS.map((name) => classifyGlobal(name, table)).filter((s) => s !== 'dangerous')).toEqual([]);
  });

  test('trustedGlobals take classes only: CapWords, lowercase builtin classes, known data', () => {
    expect(['app.Config', 'builtins.frozenset', 'numpy.core.multiarray.scalar', 'app.make_config', 'numpy.load'].map(looksLikeClass)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('verdicts from the classification', () => {
  const dir = tempRepo({});
  const write = (name: string, data: Buffer) => {
    fs.writeFileSync(path.join(dir, name), data);
    return path.join(dir, name);
  };

  test('gzip.GzipFile (on no denylist): needs-review, nothing to paste, the note names it to review', async () => {
    const result = await inspectCheckpoint(write('gz.pt', zipCheckpoint(UNLISTED_GZIP_FILE, 'gz')));
    expect({
      verdict: result.verdict,
      allowlist: result.allowlist,
      needs: result.needs,
      globals: result.globals.map((g) => `${g.name} ${g.status}`),
      messages: result.messages,
    }).toEqual({
      verdict: 'needs-review',
      allowlist: [],
      needs: ['gzip.GzipFile'],
      globals: ['gzip.GzipFile unknown'],
      messages: [
        'unknown code: review before allowlisting: gzip.GzipFile (torch does not allow it by default and nothing vouches that it only builds data; unpickling calls it with arguments the file chooses)',
      ],
    });
    // a trustedGlobals entry is the project's own review: then it may be allowlisted (torch 2.5 and later)
    expect(judgeInspection(result, { trusted: ['gzip.GzipFile'] })).toMatchObject({
      verdict: 'needs-allowlist',
      allowlist: ['gzip.GzipFile'],
      messages: [],
    });
  });

  test('imaplib.IMAP4_stream (issue 13: the fix allowlisted it): dangerous, nothing to paste', async () => {
    const result = await inspectCheckpoint(write('imap.pt', zipCheckpoint(IMAP4_STREAM, 'imap')));
    expect([result.verdict, result.allowlist, result.needs, result.globals.map((g) => `${g.name} ${g.status}`)]).toEqual([
      'dangerous',
      [],
      [],
      ['imaplib.IMAP4_stream dangerous'],
    ]);
  });

  test('argparse.Namespace and a numpy scalar: needs-allowlist with the exact entries', async () => {
    const result = await inspectCheckpoint(write('run.pt', zipCheckpoint(NAMESPACE_AND_NUMPY, 'run')));
    expect([result.verdict, result.allowlist]).toEqual([
      'needs-allowlist',
      ['argparse.Namespace', '(numpy.core.multiarray.scalar, "numpy.core.multiarray.scalar")', 'numpy.dtype', 'type(numpy.dtype("f8"))'],
    ]);
  });

  test('a project class: needs-review without the project, needs-allowlist with it; judged again per reader', async () => {
    const file = write('cfg.pt', zipCheckpoint('{"cfg": R(fake("myapp.models.Config", "class")), "args": argparse.Namespace(a=1)}', 'cfg'));
    const alone = await inspectCheckpoint(file);
    expect([alone.verdict, alone.allowlist]).toEqual(['needs-review', []]);
    const project = { projectClass: (name: string) => name === 'myapp.models.Config' };
    expect([(await inspectCheckpoint(file, { vouchers: project })).allowlist, judgeInspection(alone, project).allowlist]).toEqual([
      ['myapp.models.Config', 'argparse.Namespace'],
      ['myapp.models.Config', 'argparse.Namespace'],
    ]);
    expect(judgeInspection(judgeInspection(alone, project), {})).toEqual(alone);
  });

  test("only globals of torch's default table: safe", async () => {
    const file = write(
      'sd.pt',
      zipCheckpoint('{"step": 3, "shape": R(fake("torch.Size", "class"), [[2, 2]]), "dev": R(fake("torch.device", "class"), ["cpu"])}', 'sd'),
    );
    expect(await inspectCheckpoint(file)).toMatchObject({ verdict: 'safe', allowlist: [], needs: [], messages: [] });
    expect((await inspectCheckpoint(file)).globals.map((g) => g.status)).toEqual(['allowed', 'allowed']);
  });
});

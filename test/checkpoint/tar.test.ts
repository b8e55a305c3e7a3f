import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectCheckpoint } from '../../src/checkpoint/inspect';
import { isTarFile, listTar } from '../../src/checkpoint/tar';
import { cli, tempRepo } from '../helpers/cli';

// tar archives written by make_tars.py with Python's tarfile (the reader torch's legacy loader uses) into a fresh
// folder; it prints what tarfile lists in each (null: tarfile.open fails, so torch does not take it for a tar)
const dir = tempRepo({});
const pythonListing: Record<string, string[] | null> = JSON.parse(execFileSync('python3', [path.join(__dirname, 'make_tars.py'), dir], { encoding: 'utf8' }));
const file = (name: string) => path.join(dir, name);
const brief = async (name: string, options = {}) => {
  const i = await inspectCheckpoint(file(name), options);
  return { format: i.format, verdict: i.verdict, globals: i.globals.map((g) => `${g.name} in ${g.member} ${g.status}`), messages: i.messages };
};
const REFUSED = 'a tar archive (torch < 1.6 legacy format): torch 2.6+ refuses it with weights_only=True';
const notTorch = (missing: string) =>
  `a tar archive without ${missing} (torch's legacy tar format has \`storages\`, \`tensors\` and \`pickle\`): not a torch checkpoint`;

describe('tar archives: read like Python tarfile, reported only in torch legacy layout', () => {
  test('the member lists are the ones tarfile gives (pax paths, GNU long names, ustar prefix, a bad header ends it)', () => {
    // (huge_pax.tar is the one where a limit stops this reader: below)
    const names = Object.keys(pythonListing).filter((name) => name !== 'huge_pax.tar');
    const ours = Object.fromEntries(names.map((name) => [name, isTarFile(file(name)) ? listTar(file(name)).members.map((m) => m.name) : null]));
    expect(ours).toEqual(Object.fromEntries(names.map((name) => [name, pythonListing[name]])));
    expect(names.length).toBe(18);
  });

  test("torch's legacy layout: unloadable with weights_only, the pickles it unpickles with full pickle are read", async () => {
    expect(await brief('legacy.pt')).toEqual({
      format: 'torch-legacy',
      verdict: 'unloadable',
      globals: ['collections.OrderedDict in pickle allowed'],
      messages: [REFUSED],
    });
    for (const name of ['gnu_long.tar', 'odd_checksum.tar']) expect((await brief(name)).verdict).toBe('unloadable');
  });

  test('a payload in `pickle`, in the first pickle of `storages`, in a shadowed `pickle` or behind pax names: dangerous', async () => {
    expect(await brief('legacy_evil.pt')).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: ['posix.system in pickle blocked'],
      messages: [REFUSED],
    });
    expect((await brief('legacy_evil_storages.tar')).globals).toEqual(['collections.OrderedDict in pickle allowed', 'posix.system in storages blocked']);
    expect((await brief('legacy_dup_pickle.tar')).globals).toEqual(['posix.system in pickle blocked', 'collections.OrderedDict in pickle allowed']);
    expect((await brief('pax_names.tar')).globals).toEqual(['posix.system in pickle blocked']);
    for (const name of ['legacy_evil_storages.tar', 'legacy_dup_pickle.tar', 'pax_names.tar']) expect((await brief(name)).verdict).toBe('dangerous');
  });

  test("every pickle torch's loader unpickles in `storages` and `tensors` is walked, found by their layout", async () => {
    const storage = 'torch.FloatStorage in storages allowed';
    expect(await brief('legacy_evil_storage_args.tar')).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: ['collections.OrderedDict in pickle allowed', storage, 'posix.system in storages blocked'],
      messages: [REFUSED],
    });
    // after the first storage's 8 raw bytes: the storage views
    expect((await brief('legacy_evil_views.tar')).globals).toEqual(['collections.OrderedDict in pickle allowed', storage, 'posix.system in storages blocked']);
    expect((await brief('legacy_evil_tensor_args.tar')).globals).toEqual([
      'collections.OrderedDict in pickle allowed',
      'torch.FloatTensor in tensors allowed',
      'posix.system in tensors blocked',
    ]);
    for (const name of ['legacy_evil_views.tar', 'legacy_evil_tensor_args.tar']) expect((await brief(name)).verdict).toBe('dangerous');
    // the control: the same bytes as a storage's raw data, which torch reads as floats, not as a pickle
    expect(await brief('legacy_payload_as_data.tar')).toEqual({
      format: 'torch-legacy',
      verdict: 'unloadable',
      globals: ['collections.OrderedDict in pickle allowed', storage],
      messages: [REFUSED],
    });
  });

  test('any other tar is not a checkpoint, and says why', async () => {
    const none = { format: 'unknown', verdict: 'not-a-checkpoint', globals: [] };
    expect(await brief('shard-000000.tar')).toEqual({ ...none, messages: [notTorch('`storages`, `tensors`, `pickle`')] });
    expect(await brief('source.tar')).toEqual({ ...none, messages: [notTorch('`storages`, `tensors`, `pickle`')] });
    expect(await brief('ustar_prefix.tar')).toEqual({ ...none, messages: [notTorch('`storages`, `tensors`, `pickle`')] });
    expect(await brief('partial.tar')).toEqual({ ...none, messages: [notTorch('`tensors`')] });
    // torch's members sit behind a header tarfile rejects: torch never sees them (KeyError)
    expect(await brief('bad_second_header.tar')).toEqual({ ...none, messages: [notTorch('`storages`, `tensors`, `pickle`')] });
    // gzip: tarfile's "r:" does not decompress it, and it is no pickle either
    expect(await brief('compressed.tar')).toEqual({ ...none, messages: ['neither a zip, a legacy torch file, a pickle nor safetensors'] });
  });

  test('a link in the place of a member torch reads fails closed: the member it names is not checked', async () => {
    expect(await brief('link_pickle.tar')).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: [],
      messages: [
        'the `pickle` member torch reads is a link or other non-file (tar type "2"), not checked',
        REFUSED,
        'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
      ],
    });
  });

  test('a long-name or pax header larger than any real one fails closed: it may hide the next name', async () => {
    expect(pythonListing['huge_pax.tar']).toEqual(['readme', 'sys_info', 'pickle', 'tensors', 'storages']);
    expect(await brief('huge_pax.tar')).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: [],
      messages: [
        'a tar "x" header of 2000017 bytes, more than the 1048576 read: the tar archive was read only in part',
        REFUSED,
        'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
      ],
    });
  });

  test('a header limit before the end fails closed: torch members may follow', async () => {
    const tarLimits = { maxHeaders: 2, maxMillis: 10_000 };
    expect(await brief('shard-000000.tar', { tarLimits })).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: [],
      messages: [
        'more than 2 tar headers, the most read: the tar archive was read only in part',
        REFUSED,
        'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
      ],
    });
  });
});

describe('tar archives in the lint run and in inspect', () => {
  const repo = tempRepo({ 'train.py': 'import torch\n' });
  for (const name of ['shard-000000.tar', 'source.tar', 'partial.tar']) fs.copyFileSync(file(name), path.join(repo, name));

  test('only the legacy layout is reported; other tars get no finding', async () => {
    fs.mkdirSync(path.join(repo, 'data'), { recursive: true });
    for (const name of ['legacy.pt', 'legacy_evil.pt']) fs.copyFileSync(file(name), path.join(repo, 'data', name));
    const { code, stdout } = await cli(repo, '-f', 'json');
    const found = JSON.parse(stdout).flatMap((r: { filePath: string; messages: { ruleId: string; messageId: string; severity: number; line: number }[] }) =>
      r.messages.map((m) => [path.relative(repo, r.filePath), m.ruleId, m.messageId, m.severity, m.line]),
    );
    expect(found).toEqual([
      ['data/legacy.pt', 'checkpoint-unsafe-globals', 'unloadable', 1, 1],
      ['data/legacy_evil.pt', 'checkpoint-unsafe-globals', 'dangerous', 2, 1],
    ]);
    expect(code).toBe(1);
    fs.rmSync(path.join(repo, 'data'), { recursive: true });
    expect(await cli(repo)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('a tar over maxBytes costs its headers: inspected, not "not inspected"', async () => {
    const big = tempRepo({ '.pylintrc-ts.json': JSON.stringify({ rules: { 'checkpoint-unsafe-globals': ['warn', { maxBytes: 100 }] } }) });
    fs.copyFileSync(file('shard-000000.tar'), path.join(big, 'shard.tar'));
    fs.copyFileSync(file('legacy_evil.pt'), path.join(big, 'old.pt'));
    const results = JSON.parse((await cli(big, '-f', 'json')).stdout);
    expect(
      results.map((r: { filePath: string; messages: { messageId: string }[] }) => [path.basename(r.filePath), r.messages.map((m) => m.messageId)]),
    ).toEqual([
      ['old.pt', ['dangerous']],
      ['shard.tar', []],
    ]);
  });

  test('inspect says plainly that a tar is not a torch checkpoint (exit 1, as for any file that is not safe)', async () => {
    const run = await cli(repo, 'inspect', 'shard-000000.tar');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        '',
        'shard-000000.tar  unknown  not-a-checkpoint  (torch 2.10: the newest torch known; allowlist of 2.10)',
        `  note: ${notTorch('`storages`, `tensors`, `pickle`')}`,
        '',
        '1 file(s): 0 safe, 0 need an allowlist, 0 need review, 0 dangerous, 0 unloadable, 1 not checkpoints',
        '',
      ].join('\n'),
    );
    const [json] = JSON.parse((await cli(repo, 'inspect', 'partial.tar', '-f', 'json')).stdout);
    expect([json.format, json.verdict, json.messages]).toEqual(['unknown', 'not-a-checkpoint', [notTorch('`tensors`')]]);
  });
});

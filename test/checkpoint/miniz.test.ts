/**
 * Zips torch's reader (miniz) refuses though yauzl reads them, and payloads only a streaming unzip reads (issue 13,
 * found by scripts/fuzz.js against torch 1.13): each archive is built here. Where a python3 imports torch (Debian's
 * 1.13), the last test loads each file with `weights_only=True` and checks that torch refuses exactly the ones said
 * to be unreadable by torch.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectCheckpoint } from '../../src/checkpoint/inspect';
import { tempRepo } from '../helpers/cli';
import { torchPython } from '../helpers/python';
import { zip, type ZipMember } from '../helpers/zip';

/** `cposix\nsystem\n` called with ("true",): what must never be judged safe. */
const EVIL = Buffer.from('\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R.', 'latin1');
/** An empty dict: what torch loads from a harmless archive. */
const SAFE = Buffer.from('\x80\x02}.', 'latin1');
const dataPkl: ZipMember = { name: 'archive/data.pkl', data: SAFE };
const version: ZipMember = { name: 'archive/version', data: Buffer.from('3\n') };

const dir = tempRepo({});
const files = new Map<string, Buffer>();
const write = (name: string, data: Buffer) => {
  files.set(name, data);
  fs.writeFileSync(path.join(dir, name), data);
  return path.join(dir, name);
};
const brief = async (name: string) => {
  const i = await inspectCheckpoint(path.join(dir, name));
  return { verdict: i.verdict, globals: i.globals.map((g) => `${g.name} in ${g.member}`), messages: i.messages };
};

// what each archive is, built once (the torch test below loads the same files)
const localHeaderAt = (bytes: Buffer, name: string) => bytes.indexOf(Buffer.from(name)) - 30;
write('local_only.pt', zip([dataPkl, version, { name: 'archive/extra.pkl', data: EVIL, localOnly: true }]));
write('broken_offset.pt', zip([dataPkl, version, { name: 'archive/extra.pkl', data: EVIL, centralOffset: 0xdd000000 }]));
// a deflate stream that inflates past the size both headers state: the harmless pickle, then the payload
write('deflate_past_size.pt', zip([{ name: 'archive/data.pkl', data: Buffer.concat([SAFE, EVIL]), deflate: { statedSize: SAFE.length } }, version]));
{
  // a pickle whose central entry is flagged as encrypted (yauzl refuses to read it), and one whose local header
  // names another file (found by scripts/fuzz.js, seed 1055210873, input 614)
  const encrypted = zip([dataPkl, version, { name: 'archive/extra.pkl', data: EVIL }]);
  const entry = encrypted.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
  encrypted.writeUInt16LE(1, entry + 8);
  write('encrypted_flag.pt', encrypted);
  const renamed = zip([{ name: 'archive/extra.pkl', data: EVIL }, dataPkl, version]);
  renamed[30 + 'archive/extra.'.length] = 0x0e;
  write('local_renamed.pt', renamed);
}
write('plain.pt', zip([dataPkl, version, { name: 'archive/data/0', data: Buffer.alloc(16, 7) }]));
// a 65,535-byte comment cut short: the end record lies ~20 KB before the end of a small file
write('cut_comment.pt', zip([dataPkl, version], undefined, Buffer.alloc(0xffff, 0x20)).subarray(0, 20_000));
write('short_comment.pt', zip([dataPkl, version], undefined, Buffer.alloc(4000, 0x20)));
// the same cut comment after 100 KB of tensor data: miniz's 4 KiB steps find the record before reaching byte 0
write(
  'cut_comment_big.pt',
  zip([dataPkl, version, { name: 'archive/data/0', data: Buffer.alloc(100_000, 1) }], undefined, Buffer.alloc(0xffff, 0x20)).subarray(0, 120_000),
);
{
  // a ZIP64 end record whose "entries on this disk" differs from its total (one flipped byte, as the fuzzer made)
  const bytes = zip([dataPkl, version], 0n);
  const record = bytes.indexOf(Buffer.from('PK\x06\x06', 'latin1'));
  bytes.writeBigUInt64LE(BigInt(bytes.indexOf(Buffer.from('PK\x01\x02', 'latin1'))), record + 48);
  write('zip64_ok.pt', Buffer.from(bytes));
  bytes[record + 26] = 0x6f;
  write('zip64_multidisk.pt', bytes);
}
{
  // a stored member whose central entry states 1 compressed byte for 2
  const bytes = zip([dataPkl, version]);
  bytes.writeUInt32LE(1, bytes.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1')) + 20);
  write('stored_sizes.pt', bytes);
}
{
  // a local header without its signature: of a storage torch does not read here, and of the version record
  const storage = zip([dataPkl, version, { name: 'archive/data/0', data: Buffer.alloc(16, 7) }]);
  storage[localHeaderAt(storage, 'archive/data/0')] = 0x51;
  write('bad_local_storage.pt', storage);
  const record = zip([dataPkl, version]);
  record[localHeaderAt(record, 'archive/version')] = 0x51;
  write('bad_local_version.pt', record);
}

describe('a payload in a member only a streaming unzip reads is dangerous, and says which reading found it', () => {
  test('a member with a local header and no central-directory entry', async () => {
    expect(await brief('local_only.pt')).toEqual({
      verdict: 'dangerous',
      globals: [
        `posix.system in archive/extra.pkl (its local header at byte ${localHeaderAt(files.get('local_only.pt')!, 'archive/extra.pkl')}, as a streaming unzip reads it)`,
      ],
      messages: [],
    });
  });

  test('a member whose central-directory offset is broken (torch cannot open the archive either)', async () => {
    const at = localHeaderAt(files.get('broken_offset.pt')!, 'archive/extra.pkl');
    const result = await brief('broken_offset.pt');
    expect(result.verdict).toBe('dangerous');
    expect(result.globals).toEqual([`posix.system in archive/extra.pkl (its local header at byte ${at}, as a streaming unzip reads it)`]);
    expect(result.messages[0]).toBe(
      `torch cannot read this file: central directory entry 3 (\`archive/extra.pkl\`) states a member (${EVIL.length} bytes at byte ${0xdd000000}) that runs past the end of the file`,
    );
  });

  test('a deflate stream read to its end, past the size its headers state (torch stops there)', async () => {
    expect(await brief('deflate_past_size.pt')).toEqual({
      verdict: 'dangerous',
      globals: ['posix.system in archive/data.pkl (its local header at byte 0, as a streaming unzip reads it)'],
      messages: [
        'archive/data.pkl (its local header at byte 0, as a streaming unzip reads it): data after the first STOP (torch ignores it; a tampered file?)',
      ],
    });
  });

  test('a central entry flagged as encrypted, and a local header naming another file, are read by that header', async () => {
    const encrypted = await brief('encrypted_flag.pt');
    const at = localHeaderAt(files.get('encrypted_flag.pt')!, 'archive/extra.pkl');
    expect([encrypted.verdict, encrypted.globals]).toEqual([
      'dangerous',
      [`posix.system in archive/extra.pkl (its local header at byte ${at}, as a streaming unzip reads it)`],
    ]);
    const renamed = await brief('local_renamed.pt');
    expect([renamed.verdict, renamed.globals]).toEqual([
      'dangerous',
      // the central reading finds it too here (yauzl does not compare the two names)
      ['posix.system in archive/extra.pkl', 'posix.system in archive/extra.\\u000ekl (its local header at byte 0, as a streaming unzip reads it)'],
    ]);
  });

  test('the control: where both readings agree, nothing is read twice and nothing is said', async () => {
    expect(await brief('plain.pt')).toEqual({ verdict: 'safe', globals: [], messages: [] });
  });
});

describe("what torch's zip reader (miniz) refuses is unloadable, with the reason", () => {
  test('a cut comment leaves the end record more than 4 KiB before the end of a small file', async () => {
    expect(await brief('cut_comment.pt')).toEqual({
      verdict: 'unloadable',
      globals: [],
      messages: [
        `torch cannot read this file: its end-of-central-directory record lies ${20_000 - files.get('cut_comment.pt')!.indexOf(Buffer.from('PK\x05\x06', 'latin1'))} bytes before the end of the file (a long or cut comment, or appended data), and torch's zip reader (miniz), searching back for it in 4 KiB steps, then reads before the start of a file this small (torch 1.13: "OSError: [Errno 22] Invalid argument")`,
      ],
    });
    // the controls: a comment within miniz's first 4 KiB window, and a cut comment in a file large enough
    expect(await brief('short_comment.pt')).toEqual({ verdict: 'safe', globals: [], messages: [] });
    expect(await brief('cut_comment_big.pt')).toEqual({ verdict: 'safe', globals: [], messages: [] });
  });

  test('a ZIP64 end record whose entry counts differ (one flipped byte)', async () => {
    expect(await brief('zip64_ok.pt')).toEqual({ verdict: 'safe', globals: [], messages: [] });
    expect(await brief('zip64_multidisk.pt')).toEqual({
      verdict: 'unloadable',
      globals: [],
      messages: [
        'torch cannot read this file: its end record states 2 entries in all but 7274498 on this disk (a multi-disk archive to miniz: "unsupported multidisk archive")',
      ],
    });
  });

  test('a stored member whose sizes differ', async () => {
    expect(await brief('stored_sizes.pt')).toEqual({
      verdict: 'unloadable',
      globals: [],
      messages: ['torch cannot read this file: central directory entry 2 (`archive/version`) states sizes miniz rejects (1 bytes stored for 2)'],
    });
  });

  test('a broken local header: unloadable for the version record, said for a member torch may not read', async () => {
    const storage = localHeaderAt(files.get('bad_local_storage.pt')!, 'archive/data/0');
    expect(await brief('bad_local_storage.pt')).toEqual({
      verdict: 'safe',
      globals: [],
      messages: [`archive/data/0: its local header at byte ${storage} has no local header signature (torch fails to load the file if it reads this member)`],
    });
    const record = localHeaderAt(files.get('bad_local_version.pt')!, 'archive/version');
    expect(await brief('bad_local_version.pt')).toEqual({
      verdict: 'unloadable',
      globals: [],
      messages: [`torch cannot read this file: archive/version: its local header at byte ${record} has no local header signature`],
    });
  });
});

const python = torchPython();
if (!python) console.warn('miniz.test.ts: torch check skipped, no python3 imports torch (apt-get install python3-torch)');
(python ? test : test.skip)(
  'torch itself (weights_only=True only) refuses exactly the files said to be unreadable by torch',
  async () => {
    const probe = String.raw`
import os, sys, torch
for name in sorted(os.listdir(sys.argv[1])):
    try:
        torch.load(os.path.join(sys.argv[1], name), weights_only=True)
        print(name + "\taccepts")
    except Exception as e:
        print(name + "\trefuses " + type(e).__name__)
`;
    const run = spawnSync(python!, ['-c', probe, dir], { encoding: 'utf8', timeout: 120_000 });
    const torch: Record<string, string> = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t')),
    );
    const ours: Record<string, string> = {};
    for (const name of [...files.keys()].sort()) {
      const i = await inspectCheckpoint(path.join(dir, name));
      ours[name] = i.messages.some((m) => m.startsWith('torch cannot read this file')) ? 'refuses' : 'accepts';
    }
    // torch's exception names, as measured on torch 1.13
    expect(torch).toEqual({
      'bad_local_storage.pt': 'accepts',
      'bad_local_version.pt': 'refuses RuntimeError',
      'broken_offset.pt': 'refuses RuntimeError',
      'cut_comment.pt': 'refuses OSError',
      'cut_comment_big.pt': 'accepts',
      'deflate_past_size.pt': 'accepts',
      'encrypted_flag.pt': 'accepts',
      'local_renamed.pt': 'accepts',
      'local_only.pt': 'accepts',
      'plain.pt': 'accepts',
      'short_comment.pt': 'accepts',
      'stored_sizes.pt': 'refuses RuntimeError',
      'zip64_multidisk.pt': 'refuses RuntimeError',
      'zip64_ok.pt': 'accepts',
    });
    expect(ours).toEqual(Object.fromEntries(Object.entries(torch).map(([name, what]) => [name, what.split(' ')[0]])));
  },
  180_000,
);

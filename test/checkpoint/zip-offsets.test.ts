/**
 * Offsets past the end of the file (found by scripts/fuzz.js): a ZIP64 field can state up to 2^64, and yauzl handed
 * such an offset to fs.read, which threw inside yauzl's callback: an uncaught exception that ended the whole run
 * with a stack trace and exit 1. Now the archive fails closed with a message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectCheckpoint } from '../../src/checkpoint/inspect';
import { tempRepo } from '../helpers/cli';
import { zip } from '../helpers/zip';

/** `cposix\nsystem\n` called with ("true",): the pickle the tests must never see judged safe. */
const EVIL = Buffer.from('\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R.', 'latin1');

const dir = tempRepo({});
const write = (name: string, data: Buffer) => {
  fs.writeFileSync(path.join(dir, name), data);
  return path.join(dir, name);
};
const version = { name: 'archive/version', data: Buffer.from('3\n') };

describe('zip offsets past the end of the file fail closed, without an uncaught exception', () => {
  test('the control: the same archive with true offsets is read and its global found', async () => {
    const result = await inspectCheckpoint(write('plain.pt', zip([{ name: 'archive/data.pkl', data: EVIL }, version])));
    expect([result.verdict, result.globals.map((g) => g.name)]).toEqual(['dangerous', ['posix.system']]);
  });

  test('a ZIP64 end record whose central directory offset is near 2^63', async () => {
    const file = write('cd.pt', zip([{ name: 'archive/data.pkl', data: EVIL }, version], 2n ** 63n - 5n));
    const result = await inspectCheckpoint(file);
    expect({ verdict: result.verdict, messages: result.messages }).toEqual({
      verdict: 'dangerous',
      messages: [
        `cannot read the zip archive: the central directory offset ${Number(2n ** 63n - 5n)} lies past the end of the file (${fs.statSync(file).size} bytes)`,
        `torch cannot read this file: its central directory offset ${2n ** 63n - 5n} lies past the end of the file`,
        'a zip archive another reader may still read, whose pickles could not be checked: judged dangerous',
      ],
    });
  });

  test('a ZIP64 locator whose end record offset is near 2^62 (found by scripts/fuzz.js)', async () => {
    const bytes = zip([{ name: 'archive/data.pkl', data: EVIL }, version], 0n);
    bytes.writeBigUInt64LE(2n ** 62n, bytes.length - 22 - 20 + 8);
    const file = write('locator.pt', bytes);
    const result = await inspectCheckpoint(file);
    expect({ verdict: result.verdict, messages: result.messages }).toEqual({
      verdict: 'dangerous',
      messages: [
        `cannot read the zip archive: the ZIP64 end record offset ${2n ** 62n} lies past the end of the file (${bytes.length} bytes)`,
        `torch cannot read this file: its ZIP64 end record offset ${2n ** 62n} lies past the end of the file`,
        'a zip archive another reader may still read, whose pickles could not be checked: judged dangerous',
      ],
    });
  });

  test("a ZIP64 extra field that puts data.pkl's local header past the end of the file", async () => {
    const file = write('local.pt', zip([{ name: 'archive/data.pkl', data: EVIL, zip64Offset: 2n ** 60n }, version]));
    const result = await inspectCheckpoint(file);
    const size = fs.statSync(file).size;
    expect({ verdict: result.verdict, messages: result.messages }).toEqual({
      verdict: 'dangerous',
      messages: [
        `torch cannot read this file: central directory entry 1 (\`archive/data.pkl\`) states a member (28 bytes at byte ${2 ** 60}) that runs past the end of the file`,
        `cannot read archive/data.pkl: member archive/data.pkl: its local header offset ${2 ** 60} lies past the end of the file (${size} bytes)`,
        "archive/data.pkl could not be read whole here, but torch's reader may still read it",
        'what torch would read could not be read whole, so it cannot be shown safe: judged dangerous',
      ],
    });
  });
});

describe('unknown code where torch does not read it', () => {
  // `gzip.GzipFile("victim.txt", "wb")` truncates a file and is on no denylist (test/helpers/checkpoints.ts)
  const GZIP = Buffer.from('\x80\x02cgzip\nGzipFile\nX\x0a\x00\x00\x00victim.txtX\x02\x00\x00\x00wb\x86R.', 'latin1');
  const SAFE = Buffer.from('\x80\x02}.', 'latin1');
  const NAMESPACE = Buffer.from('\x80\x02cargparse\nNamespace\n)R.', 'latin1');
  const HIDDEN = ': unknown code where torch does not read it (a payload for a looser reader?), so the file cannot be shown safe: judged dangerous';

  test('in a member named data.pKl with a KELVIN SIGN (found by scripts/fuzz.js): dangerous, not safe', async () => {
    const kelvin = 'archive/data.p\u212al';
    const file = write('kelvin.pt', zip([{ name: 'archive/data.pkl', data: SAFE }, { name: kelvin, data: GZIP }, version]));
    const result = await inspectCheckpoint(file);
    expect([result.verdict, result.messages[result.messages.length - 1]]).toEqual(['dangerous', `archive/data.p\\u212al: gzip.GzipFile${HIDDEN}`]);
  });

  test('after the STOP of the data.pkl torch reads: dangerous', async () => {
    const file = write('after-stop.pt', zip([{ name: 'archive/data.pkl', data: Buffer.concat([SAFE, GZIP]) }, version]));
    const result = await inspectCheckpoint(file);
    expect([result.verdict, result.messages]).toEqual([
      'dangerous',
      ['archive/data.pkl: data after the first STOP (torch ignores it; a tampered file?)', `archive/data.pkl: gzip.GzipFile${HIDDEN}`],
    ]);
  });

  test('a known data class there leaves the file safe; the same member without a payload too', async () => {
    for (const data of [NAMESPACE, SAFE]) {
      const file = write('namespace.pt', zip([{ name: 'archive/data.pkl', data: SAFE }, { name: 'archive/extra.pkl', data }, version]));
      expect((await inspectCheckpoint(file)).verdict).toBe('safe');
    }
  });
});

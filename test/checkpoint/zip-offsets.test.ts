/**
 * Offsets past the end of the file (found by scripts/fuzz.js): a ZIP64 field can state up to 2^64, and yauzl handed
 * such an offset to fs.read, which threw inside yauzl's callback: an uncaught exception that ended the whole run
 * with a stack trace and exit 1. Now the archive fails closed with a message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectCheckpoint } from '../../src/checkpoint/inspect';
import { tempRepo } from '../helpers/cli';

/** `cposix\nsystem\n` called with ("true",): the pickle the tests must never see judged safe. */
const EVIL = Buffer.from('\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R.', 'latin1');

interface Member {
  name: string;
  data: Buffer;
  /** Write the central directory's local header offset as 0xFFFFFFFF with this ZIP64 value instead. */
  zip64Offset?: bigint;
}

/** A stored zip of `members`; `zip64CentralOffset` adds a ZIP64 end record stating that central directory offset. */
function zip(members: Member[], zip64CentralOffset?: bigint): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(m.name.length, 26);
    locals.push(local, Buffer.from(m.name), m.data);
    const extra = Buffer.alloc(m.zip64Offset === undefined ? 0 : 12);
    if (m.zip64Offset !== undefined) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(m.zip64Offset, 4);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt32LE(m.data.length, 20);
    central.writeUInt32LE(m.data.length, 24);
    central.writeUInt16LE(m.name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(m.zip64Offset === undefined ? offset : 0xffffffff, 42);
    centrals.push(central, Buffer.from(m.name), extra);
    offset += 30 + m.name.length + m.data.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64CentralOffset !== undefined) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(members.length), 24);
    record.writeBigUInt64LE(BigInt(members.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(zip64CentralOffset, 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(zip64CentralOffset === undefined ? offset : 0xffffffff, 16);
  return Buffer.concat([...locals, directory, ...tail, end]);
}

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
        'a zip archive torch may still read, whose pickles could not be checked: judged dangerous',
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
        `cannot read archive/data.pkl: member archive/data.pkl: its local header offset ${2 ** 60} lies past the end of the file (${size} bytes)`,
        "archive/data.pkl could not be read whole here, but torch's reader may still read it",
        'what torch would read could not be read whole, so it cannot be shown safe: judged dangerous',
      ],
    });
  });
});

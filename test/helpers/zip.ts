import { deflateRawSync } from 'node:zlib';

/**
 * A stored zip written byte by byte, for archives no zip library writes (ZIP64 offsets past the file, names torch
 * and looser readers read differently). CRCs are 0: torch and the inspector ignore them.
 */
export interface ZipMember {
  name: string;
  data: Buffer;
  /** Write the central directory's local header offset as 0xFFFFFFFF with this ZIP64 value instead. */
  zip64Offset?: bigint;
  /** A member with a local header only, left out of the central directory. */
  localOnly?: boolean;
  /** The local header offset the central directory states, instead of the true one. */
  centralOffset?: number;
  /** Deflate the data (method 8), and state this uncompressed size in both headers instead of the true one. */
  deflate?: { statedSize?: number };
}

/**
 * A stored zip of `members`; `zip64CentralOffset` adds a ZIP64 end record stating that central directory offset;
 * `comment` is written after the end record (its length in the record).
 */
export function zip(members: ZipMember[], zip64CentralOffset?: bigint, comment: Buffer = Buffer.alloc(0)): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const data = m.deflate ? deflateRawSync(m.data) : m.data;
    const stated = m.deflate?.statedSize ?? m.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(stated, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    if (m.localOnly) {
      offset += 30 + name.length + data.length;
      continue;
    }
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
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(stated, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(m.zip64Offset === undefined ? (m.centralOffset ?? offset) : 0xffffffff, 42);
    centrals.push(central, name, extra);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const entries = members.filter((m) => !m.localOnly).length;
  const tail: Buffer[] = [];
  if (zip64CentralOffset !== undefined) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries), 24);
    record.writeBigUInt64LE(BigInt(entries), 32);
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
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(zip64CentralOffset === undefined ? offset : 0xffffffff, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, directory, ...tail, end, comment]);
}

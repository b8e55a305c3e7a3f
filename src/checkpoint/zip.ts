/**
 * Reading torch's zip checkpoints with yauzl (ZIP64, data descriptors, stored and deflated members). Like torch, CRC-32
 * is not checked (a scanner stricter than torch can be blinded by a file torch still loads; docs/torch-facts.md), and a
 * member is
 * read up to the size its central-directory record declares. Bounded: a member declared larger than
 * `maxMemberBytes`, or deflated more than `maxRatio` times, is a {@link ZipLimitError}, not a crash.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import yauzl from 'yauzl';
import { readBytes } from '../io/read';
import { displayName } from './records';

export interface ZipLimits {
  /** Largest member (uncompressed) that is read into memory, in bytes. */
  maxMemberBytes: number;
  /** Largest compression ratio accepted for a deflated member (zip bombs). */
  maxRatio: number;
  /** Largest sum of the members read from one archive (uncompressed), in bytes. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxMemberBytes: 256 * 1024 * 1024,
  maxRatio: 1000,
  maxTotalBytes: 512 * 1024 * 1024,
};

/** A central-directory entry (sizes in bytes, offsets from byte 0), as yauzl read it. */
export interface CentralEntry {
  rawName: Buffer;
  /** The general purpose bit flag (bit 0: encrypted, which yauzl refuses to read). */
  flags: number;
  localOffset: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** A read refused by a {@link ZipLimits} limit: the archive may be valid, but it was not read to the end. */
export class ZipLimitError extends Error {}

export interface ZipArchive {
  /**
   * Member names as their central-directory records hold them, in that order, duplicates included: raw bytes, as
   * torch's reader (miniz) compares them, never decoded and never rejected for `..`, backslashes or absolute paths
   * (nothing is extracted). records.ts reads them as torch does.
   */
  rawNames: Buffer[];
  /** The same names for messages ({@link displayName}: anything but printable ASCII escaped). */
  names: string[];
  /** The central-directory entries of `rawNames`, in the same order (offsets and sizes in bytes). */
  entries: CentralEntry[];
  /** Reads the member at `index` of `names` fully. Rejects with a message for users on limits and corrupt data. */
  read(index: number): Promise<Buffer>;
  /**
   * For a deflated member whose stream breaks (cut, corrupt): the bytes it inflates to before the break, at most its
   * declared size; rejects when even its compressed bytes cannot be read. torch's reader (miniz) hands a partial
   * member to the unpickler too (torch 1.13), so what it holds is judged.
   */
  salvage(index: number): Promise<Buffer>;
  close(): void;
}

/**
 * Opens a zip file; rejects when it is not a zip (or is truncated/corrupt). Like torch's reader (miniz), bytes after
 * the end-of-central-directory record (appended junk, a wrong comment length) do not stop it: yauzl refuses those,
 * so the archive is opened again up to the end of that record. `read` rejects with a {@link ZipLimitError} on limits
 * and a plain Error on corrupt data.
 */
export async function openZip(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
  const past = zip64RecordPastTheEnd(file);
  if (past) throw new Error(past);
  try {
    return await openWith((options, done) => yauzl.open(file, options, done), limits);
  } catch (error) {
    const end = endOfCentralDirectory(file);
    if (end === undefined || !/comment length/i.test((error as Error).message)) throw error;
    // present the record's comment length as reaching the end of the file (at most 65,535 bytes past the record): a
    // member stored after the record stays readable, as it is for torch
    const shown = end + Math.min(fs.statSync(file).size - end, 0xffff);
    return openWith(
      (options, done) => yauzl.fromRandomAccessReader(new FileRangeReader(file, end, shown), shown, options, done),
      limits,
    );
  }
}

type Opener = (options: yauzl.Options, done: (error: Error | null, zip?: yauzl.ZipFile) => void) => void;

function openWith(open: Opener, limits: ZipLimits): Promise<ZipArchive> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false: yauzl then neither refuses names torch accepts (`a/../x`, backslashes) nor decodes them
    // (by the flag bit 11 or an Info-ZIP Unicode Path extra field, which miniz never reads): `fileNameRaw` is the
    // central directory's bytes
    open(
      { lazyEntries: true, autoClose: false, validateEntrySizes: false, strictFileNames: false, decodeStrings: false },
      (error, zip) => {
        if (error || !zip) return reject(error ?? new Error('cannot open zip'));
        const entries: yauzl.Entry[] = [];
        const rawNames: Buffer[] = [];
        const names: string[] = [];
        const central: CentralEntry[] = [];
        zip.on('entry', (entry: yauzl.Entry) => {
          const raw = Buffer.from(entry.fileNameRaw);
          rawNames.push(raw);
          names.push(displayName(raw));
          entries.push(entry);
          central.push({
            rawName: raw,
            flags: entry.generalPurposeBitFlag,
            localOffset: entry.relativeOffsetOfLocalHeader,
            method: entry.compressionMethod,
            compressedSize: entry.compressedSize,
            uncompressedSize: entry.uncompressedSize,
          });
          zip.readEntry();
        });
        zip.on('error', (e: Error) => reject(e));
        // yauzl reads the central directory at the offset the end record (or its ZIP64 locator) states; an offset
        // past the file (a ZIP64 field up to 2^64) makes fs.read throw inside yauzl's callback, out of any promise
        const cursor = (zip as unknown as { readEntryCursor: number }).readEntryCursor;
        if (!Number.isSafeInteger(cursor) || cursor > zip.fileSize) {
          zip.close();
          return reject(
            new Error(`the central directory offset ${cursor} lies past the end of the file (${zip.fileSize} bytes)`),
          );
        }
        let budget = limits.maxTotalBytes;
        zip.on('end', () =>
          resolve({
            rawNames,
            names,
            entries: central,
            close: () => zip.close(),
            read: async (index) => {
              const data = await readEntry(zip, entries[index], names[index] ?? '?', {
                ...limits,
                maxMemberBytes: Math.min(limits.maxMemberBytes, budget),
              });
              budget -= data.length;
              return data;
            },
            salvage: async (index) => {
              const data = await salvageEntry(zip, entries[index], {
                ...limits,
                maxMemberBytes: Math.min(limits.maxMemberBytes, budget),
              });
              budget -= data.length;
              return data;
            },
          }),
        );
        zip.readEntry();
      },
    );
  });
}

function readEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry | undefined,
  name: string,
  limits: ZipLimits,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!entry) return reject(new Error(`no member ${name}`));
    if (entry.uncompressedSize > limits.maxMemberBytes)
      return reject(new ZipLimitError(`member ${name} is larger than ${limits.maxMemberBytes} bytes`));
    if (
      entry.compressionMethod === 8 &&
      entry.compressedSize > 0 &&
      entry.uncompressedSize / entry.compressedSize > limits.maxRatio
    ) {
      return reject(new ZipLimitError(`member ${name} inflates more than ${limits.maxRatio} times (zip bomb?)`));
    }
    const outside = pastTheEnd(zip, entry);
    if (outside) return reject(new Error(`member ${name}: ${outside}`));
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(error ?? new Error(`cannot read ${name}`));
      // Like torch, read the size the central directory declares (checked against the limits above) and no more: a
      // stream that inflates further is cut there, so a lying header cannot make us inflate a bomb.
      const kept = capped(entry.uncompressedSize);
      const finish = () => {
        stream.destroy();
        resolve(kept.bytes());
      };
      stream.on('data', (chunk: Buffer) => {
        if (kept.add(chunk)) finish();
      });
      stream.on('error', (e: Error) => reject(e));
      stream.on('end', finish);
    });
  });
}

/** Chunks kept up to `cap` bytes in all: `add` says whether the cap is reached; `bytes` joins what was kept. */
function capped(cap: number): { add: (chunk: Buffer) => boolean; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  let total = 0;
  return {
    add(chunk) {
      const room = cap - total;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      total += Math.min(chunk.length, room);
      return total >= cap;
    },
    bytes: () => Buffer.concat(chunks),
  };
}

/**
 * Why a member's local header cannot be read (its offset lies past the file: a ZIP64 extra field can state up to
 * 2^64, where fs.read throws inside yauzl's callback instead of failing the read), or undefined.
 */
function pastTheEnd(zip: yauzl.ZipFile, entry: yauzl.Entry): string | undefined {
  const at = entry.relativeOffsetOfLocalHeader;
  if (Number.isSafeInteger(at) && at + 30 <= zip.fileSize) return undefined;
  return `its local header offset ${at} lies past the end of the file (${zip.fileSize} bytes)`;
}

/**
 * The bytes a deflated member inflates to before its stream breaks, at most its declared size (and the limits'):
 * the compressed bytes are read raw and inflated chunk by chunk until the first error.
 */
function salvageEntry(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined, limits: ZipLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!entry || entry.compressionMethod !== 8) return reject(new Error('not a deflated member'));
    const outside = pastTheEnd(zip, entry);
    if (outside) return reject(new Error(outside));
    const cap = Math.min(entry.uncompressedSize, limits.maxMemberBytes);
    zip.openReadStream(entry, { decompress: false }, (error, raw) => {
      if (error || !raw) return reject(error ?? new Error('cannot read'));
      const inflate = zlib.createInflateRaw();
      const kept = capped(cap);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        raw.destroy();
        inflate.destroy();
        resolve(kept.bytes());
      };
      inflate.on('data', (chunk: Buffer) => {
        if (kept.add(chunk)) finish();
      });
      inflate.on('error', finish);
      inflate.on('end', finish);
      raw.on('error', () => inflate.end());
      raw.pipe(inflate);
    });
  });
}

/**
 * Why the ZIP64 end record cannot be read (the locator before the last end record states an offset past the file,
 * up to 2^64, which yauzl hands to fs.read, where it throws inside yauzl's callback), or undefined.
 */
function zip64RecordPastTheEnd(file: string): string | undefined {
  const end = endOfCentralDirectory(file);
  if (end === undefined || end < 22 + 20) return undefined;
  const locator = readBytes(file, end - 22 - 20, 20);
  if (locator.readUInt32LE(0) !== 0x07064b50) return undefined;
  const at = locator.readBigUInt64LE(8);
  const size = fs.statSync(file).size;
  if (at + 56n <= BigInt(size)) return undefined;
  return `the ZIP64 end record offset ${at} lies past the end of the file (${size} bytes)`;
}

/**
 * The offset just past the last end-of-central-directory record (its 22 bytes, without the comment), searched in
 * the last ~65 KiB as torch's reader does, or undefined when there is none: without one no zip reader opens the file.
 */
export function endOfCentralDirectory(file: string): number | undefined {
  const size = fs.statSync(file).size;
  const length = Math.min(size, 0xffff + 22 + 1024);
  const tail = readBytes(file, size - length, length);
  for (let i = length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) return size - length + i + 22;
  return undefined;
}

/**
 * A yauzl reader over the first `shown` bytes of a file, `end` being the end of its end-of-central-directory record:
 * that record's comment length reads as `shown - end` (whatever comment or junk followed it).
 */
class FileRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly file: string,
    private readonly end: number,
    private readonly shown: number,
  ) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    // ranges touching the field are small (yauzl reads the tail, ~65 KiB): read them here and patch the field
    if (start < this.end && end > this.end - 2) {
      const data = readBytes(this.file, start, end - start);
      const field = this.end - 2 - start;
      if (field >= 0 && field + 2 <= data.length) data.writeUInt16LE(this.shown - this.end, field);
      return Readable.from([data]);
    }
    return fs.createReadStream(this.file, { start, end: end - 1 });
  }
}

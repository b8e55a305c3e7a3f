/**
 * Reading torch's zip checkpoints with yauzl (ZIP64, data descriptors, stored and deflated members). Like torch, CRC-32
 * is not checked (a scanner stricter than torch can be blinded by a file torch still loads; FACTS.md), and a member is
 * read up to the size its central-directory record declares. Bounded: a member declared larger than
 * `maxMemberBytes`, or deflated more than `maxRatio` times, is a {@link ZipLimitError}, not a crash.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  /** Largest member (uncompressed) that is read into memory, in bytes. */
  maxMemberBytes: number;
  /** Largest compression ratio accepted for a deflated member (zip bombs). */
  maxRatio: number;
  /** Largest sum of the members read from one archive (uncompressed), in bytes. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxMemberBytes: 256 * 1024 * 1024, maxRatio: 1000, maxTotalBytes: 512 * 1024 * 1024 };

/** A read refused by a {@link ZipLimits} limit: the archive may be valid, but it was not read to the end. */
export class ZipLimitError extends Error {}

export interface ZipArchive {
  /**
   * Member names in central-directory order, duplicates included (UTF-8 when the entry says so, else Latin-1;
   * never rejected for `..` or absolute paths: nothing is extracted).
   */
  names: string[];
  /** Reads the member at `index` of `names` fully. Rejects with a message for users on limits and corrupt data. */
  read(index: number): Promise<Buffer>;
  close(): void;
}

/**
 * Opens a zip file; rejects when it is not a zip (or is truncated/corrupt). `read` rejects with a
 * {@link ZipLimitError} on limits and a plain Error on corrupt data.
 */
export function openZip(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false, so that yauzl does not refuse names torch accepts (`a/../x`, backslashes)
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: false, strictFileNames: false, decodeStrings: false }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('cannot open zip'));
      const entries: yauzl.Entry[] = [];
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer;
        names.push(raw.toString(entry.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1'));
        entries.push(entry);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => reject(e));
      let budget = limits.maxTotalBytes;
      zip.on('end', () =>
        resolve({
          names,
          close: () => zip.close(),
          read: async (index) => {
            const data = await readEntry(zip, entries[index], names[index] ?? '?', { ...limits, maxMemberBytes: Math.min(limits.maxMemberBytes, budget) });
            budget -= data.length;
            return data;
          },
        }),
      );
      zip.readEntry();
    });
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined, name: string, limits: ZipLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!entry) return reject(new Error(`no member ${name}`));
    if (entry.uncompressedSize > limits.maxMemberBytes) return reject(new ZipLimitError(`member ${name} is larger than ${limits.maxMemberBytes} bytes`));
    if (entry.compressionMethod === 8 && entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
      return reject(new ZipLimitError(`member ${name} inflates more than ${limits.maxRatio} times (zip bomb?)`));
    }
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(error ?? new Error(`cannot read ${name}`));
      const chunks: Buffer[] = [];
      let total = 0;
      // Like torch, read the size the central directory declares (checked against the limits above) and no more: a
      // stream that inflates further is cut there, so a lying header cannot make us inflate a bomb.
      const declared = entry.uncompressedSize;
      const finish = () => {
        stream.destroy();
        resolve(Buffer.concat(chunks));
      };
      stream.on('data', (chunk: Buffer) => {
        const room = declared - total;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        total += Math.min(chunk.length, room);
        if (total >= declared) finish();
      });
      stream.on('error', (e: Error) => reject(e));
      stream.on('end', finish);
    });
  });
}

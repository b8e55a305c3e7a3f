/**
 * What torch's zip reader refuses before it reads any member: miniz's `mz_zip_reader_read_central_dir` (called by
 * caffe2/serialize/inline_container.cc `PyTorchStreamReader::init` through `mz_zip_reader_init`), re-done here check
 * by check, and the local header test its extraction makes (`mz_zip_reader_extract_iter_new` /
 * `mz_zip_reader_extract_to_mem_no_alloc`) for each member. yauzl, which reads the members here, is more lenient in
 * places (it ignores the ZIP64 entry counts and disk numbers), so without these checks a file torch cannot open was
 * called `safe` with no reason (issue 13, found by scripts/fuzz.js against torch 1.13).
 *
 * Sources: pytorch/pytorch third_party/miniz-3.0.2/miniz.c (`mz_zip_reader_locate_header_sig`,
 * `mz_zip_reader_read_central_dir`); torch 1.13 ships miniz 2.1.0, whose checks are the same for what is re-done here
 * (measured on Debian's torch 1.13 with `weights_only=True` on the archives of test/checkpoint/miniz.test.ts).
 */
import { readBytes } from '../io/read';
import { displayName } from './records';

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const U32_MAX = 0xffffffff;
/** miniz's search buffer (`buf_u32[4096 / sizeof(mz_uint32)]`), in bytes. */
const SEARCH_BUFFER = 4096;
/** Largest central directory checked entry by entry here (it is read into memory), in bytes. */
const MAX_CENTRAL_BYTES = 64 * 1024 * 1024;

/** The end-of-central-directory record as miniz finds it: its offset, or why it finds none. */
type Located = { offset: number } | { refusal: string };

/**
 * miniz's backward search for the end record (`mz_zip_reader_locate_header_sig`): 4 KiB windows from the end, each
 * 4,093 bytes before the last, giving up ~64 KiB from the end. Its step is computed in unsigned arithmetic
 * (`MZ_MAX(cur_file_ofs - (sizeof(buf_u32) - 3), 0)`), so from a window that starts within 4,093 bytes of the file's
 * start the next one starts before byte 0: the read there fails (torch 1.13: `OSError: [Errno 22] Invalid
 * argument`). A small file whose record lies more than 4 KiB before its end (a long comment, a cut comment, appended
 * data) is refused that way.
 */
function locateEnd(file: string, size: number): Located {
  if (size < 22) return { refusal: 'it is shorter than an end-of-central-directory record (22 bytes)' };
  let cur = Math.max(size - SEARCH_BUFFER, 0);
  for (;;) {
    const n = Math.min(SEARCH_BUFFER, size - cur);
    const window = readBytes(file, cur, n);
    for (let i = n - 4; i >= 0; i--)
      if (window.readUInt32LE(i) === EOCD_SIG && size - (cur + i) >= 22) return { offset: cur + i };
    if (cur === 0 || size - cur >= 0xffff + 22)
      return { refusal: 'it has no end-of-central-directory record in its last 64 KiB' };
    if (cur < SEARCH_BUFFER - 3) {
      const end = lastEndRecord(file, size);
      return {
        refusal:
          end === undefined
            ? 'it has no end-of-central-directory record'
            : `its end-of-central-directory record lies ${size - end} bytes before the end of the file (a long or cut comment, or appended data), and torch's zip reader (miniz), searching back for it in 4 KiB steps, then reads before the start of a file this small (torch 1.13: "OSError: [Errno 22] Invalid argument")`,
      };
    }
    cur -= SEARCH_BUFFER - 3;
  }
}

/** The offset of the last end-record signature with 22 bytes after it, or undefined. */
function lastEndRecord(file: string, size: number): number | undefined {
  const length = Math.min(size, 0xffff + 22 + SEARCH_BUFFER);
  const tail = readBytes(file, size - length, length);
  for (let i = length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD_SIG) return size - length + i;
  return undefined;
}

/** What torch cannot read in an archive that miniz opens: members whose local header it refuses. */
export interface MinizReading {
  /** Why torch's reader refuses the whole archive (`torch cannot read this file: …`), or undefined. */
  refusal?: string;
  /**
   * Central-directory entries (by index) whose local header miniz refuses when the member is read: torch fails on
   * such a member when it reads it (the version record, data.pkl, a storage), each with a sentence.
   */
  badLocals: { index: number; why: string }[];
}

/**
 * Reads the end records and central directory of a zip as miniz does and says whether torch's reader opens it.
 * Never throws for bad content. `size` is the file's size in bytes.
 */
export function minizReading(file: string, size: number): MinizReading {
  const refuse = (why: string): MinizReading => ({ refusal: `torch cannot read this file: ${why}`, badLocals: [] });
  const located = locateEnd(file, size);
  if ('refusal' in located) return refuse(located.refusal);
  const end = readBytes(file, located.offset, 22);
  let totalFiles = end.readUInt16LE(10);
  let onThisDisk = end.readUInt16LE(8);
  let thisDisk = end.readUInt16LE(4);
  let centralDisk = end.readUInt16LE(6);
  let centralSize = end.readUInt32LE(12);
  let centralOffset = end.readUInt32LE(16);
  if (located.offset >= 20 + 56) {
    const locator = readBytes(file, located.offset - 20, 20);
    if (locator.readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
      const at = locator.readBigUInt64LE(8);
      if (at > BigInt(size - 56)) return refuse(`its ZIP64 end record offset ${at} lies past the end of the file`);
      const record = readBytes(file, Number(at), 56);
      if (record.readUInt32LE(0) === ZIP64_EOCD_SIG) {
        if (record.readBigUInt64LE(4) < 44n) return refuse('its ZIP64 end record states a size below 44 bytes');
        if (locator.readUInt32LE(16) !== 1) return refuse('its ZIP64 locator states more than one disk');
        const total = record.readBigUInt64LE(32);
        const onDisk = record.readBigUInt64LE(24);
        const directory = record.readBigUInt64LE(40);
        if (total > U32_MAX || onDisk > U32_MAX) return refuse(`its ZIP64 end record states ${total} entries`);
        if (directory > U32_MAX) return refuse(`its ZIP64 end record states a ${directory}-byte central directory`);
        totalFiles = Number(total);
        onThisDisk = Number(onDisk);
        centralSize = Number(directory);
        thisDisk = record.readUInt32LE(16);
        centralDisk = record.readUInt32LE(20);
        const offset = record.readBigUInt64LE(48);
        if (offset > BigInt(size))
          return refuse(`its central directory offset ${offset} lies past the end of the file`);
        centralOffset = Number(offset);
      }
    }
  }
  if (totalFiles !== onThisDisk)
    return refuse(
      `its end record states ${totalFiles} entries in all but ${onThisDisk} on this disk (a multi-disk archive to miniz: "unsupported multidisk archive")`,
    );
  if ((thisDisk | centralDisk) !== 0 && (thisDisk !== 1 || centralDisk !== 1))
    return refuse(
      `its end record names disk ${thisDisk} (a multi-disk archive to miniz: "unsupported multidisk archive")`,
    );
  if (centralSize < totalFiles * 46)
    return refuse(`its central directory (${centralSize} bytes) is too small for its ${totalFiles} entries`);
  if (centralOffset + centralSize > size)
    return refuse(
      `its central directory (${centralSize} bytes at byte ${centralOffset}) runs past the end of the file`,
    );
  if (totalFiles === 0 || centralSize > MAX_CENTRAL_BYTES) return { badLocals: [] };
  const central = readBytes(file, centralOffset, centralSize);
  const badLocals: MinizReading['badLocals'] = [];
  let p = 0;
  for (let i = 0; i < totalFiles; i++) {
    const n = centralSize - p;
    if (n < 46 || central.readUInt32LE(p) !== CENTRAL_SIG)
      return refuse(`central directory entry ${i + 1} of ${totalFiles} is missing or has a bad signature`);
    let comp = central.readUInt32LE(p + 20);
    let decomp = central.readUInt32LE(p + 24);
    let localOffset = central.readUInt32LE(p + 42);
    const nameLength = central.readUInt16LE(p + 28);
    const extraLength = central.readUInt16LE(p + 30);
    const entry = `central directory entry ${i + 1} (\`${displayName(central.subarray(p + 46, p + 46 + Math.min(nameLength, n - 46)))}\`)`;
    if (extraLength && Math.max(comp, decomp, localOffset) === U32_MAX) {
      // the ZIP64 extended information field; miniz reads an extra field that runs past the directory from the
      // directory's start (a miniz slip, kept: it is what torch reads)
      const extra =
        46 + nameLength + extraLength > n
          ? readBytes(file, centralOffset + 46 + nameLength, extraLength)
          : central.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
      let at = 0;
      let remaining = extraLength;
      do {
        if (remaining < 4) return refuse(`${entry} has a cut extra field`);
        const id = extra.readUInt16LE(at);
        const length = extra.readUInt16LE(at + 2);
        if (length + 4 > remaining) return refuse(`${entry} has an extra field longer than its extra data`);
        if (id === 1) break;
        at += 4 + length;
        remaining -= 4 + length;
      } while (remaining);
      if (remaining >= 4) {
        remaining -= 4;
        at += 4;
        const field = (): number | undefined => {
          if (remaining < 8) return undefined;
          const value = extra.readBigUInt64LE(at);
          remaining -= 8;
          at += 8;
          // beyond 2^53 only the comparison with the file's size matters, which a double keeps
          return Number(value);
        };
        if (decomp === U32_MAX) decomp = field() ?? decomp;
        if (comp === U32_MAX) comp = field() ?? comp;
        if (localOffset === U32_MAX) localOffset = field() ?? localOffset;
      }
    }
    // miniz reads the method as 4 bytes (with the modification time): "stored" only when both are 0
    if (comp !== U32_MAX && decomp !== U32_MAX) {
      if ((central.readUInt32LE(p + 10) === 0 && decomp !== comp) || (decomp && !comp))
        return refuse(`${entry} states sizes miniz rejects (${comp} bytes stored for ${decomp})`);
    }
    const disk = central.readUInt16LE(p + 34);
    if (disk === 0xffff || (disk !== thisDisk && disk !== 1))
      return refuse(`${entry} starts on disk ${disk} (a multi-disk archive to miniz: "unsupported multidisk archive")`);
    if (comp !== U32_MAX && localOffset + 30 + comp > size)
      return refuse(
        `${entry} states a member (${comp} bytes at byte ${localOffset}) that runs past the end of the file`,
      );
    if (central.readUInt16LE(p + 8) & 0x2000) return refuse(`${entry} is marked as encrypted`);
    const total = 46 + nameLength + extraLength + central.readUInt16LE(p + 32);
    if (total > n) return refuse(`${entry} runs past the end of the central directory`);
    const local = readBytes(file, localOffset, 30);
    if (localOffset + 30 > size || local.readUInt32LE(0) !== LOCAL_SIG)
      badLocals.push({ index: i, why: `its local header at byte ${localOffset} has no local header signature` });
    else if (localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28) + comp > size)
      badLocals.push({
        index: i,
        why: `its data, after its local header at byte ${localOffset}, runs past the end of the file`,
      });
    p += total;
  }
  return { badLocals };
}

/**
 * The member list of a tar archive as Python's `tarfile` reads it, which is what torch's legacy loader uses
 * (torch/serialization.py `_legacy_load`: `tarfile.open(fileobj=f, mode="r:")`, then `extract("storages")`,
 * `extract("tensors")`, `extractfile("pickle")`). Only the 512-byte headers are read, seeking from one to the next,
 * so a multi-gigabyte archive costs its headers; member data is read only when asked for.
 *
 * Read like CPython's Lib/tarfile.py (3.8–3.13): a header counts when its checksum matches (the unsigned or the
 * signed byte sum), numbers are octal text or base-256; the ustar `prefix`, GNU long names (`L`), pax `path` and
 * `size` records (`x`, and `g` for every later member), old GNU sparse extension blocks and the V7 directory
 * convention are applied; a bad or all-zero header after the first ends the list, as it does there. Where this
 * reader is more lenient than CPython it only reports more; it is never stricter.
 */
import * as fs from 'node:fs';

export const TAR_BLOCK = 512;

/** One member: its name as tarfile gives it, its type flag, where its data starts and how long it is. */
export interface TarMember {
  name: string;
  /** The header's type flag (`"0"` regular file, `"5"` folder, …; `"\0"` is an old-style regular file). */
  type: string;
  dataOffset: number;
  size: number;
}

export interface TarLimits {
  /** Headers read at most (meta headers included). */
  maxHeaders: number;
  /** Time budget in milliseconds. */
  maxMillis: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = { maxHeaders: 1_000_000, maxMillis: 10_000 };

export interface TarListing {
  members: TarMember[];
  /** Set when a limit stopped the walk before the end: later members may exist. */
  limitHit?: string;
}

/** Whether a 512-byte block is a tar header CPython's tarfile accepts (its checksum matches). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < TAR_BLOCK) return false;
  if (block.subarray(0, TAR_BLOCK).every((b) => b === 0)) return false;
  const stored = number(block.subarray(148, 156));
  if (stored === undefined) return false;
  let unsigned = 256; // the checksum field itself counts as eight spaces
  let signed = 256;
  for (let i = 0; i < TAR_BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += block[i];
    signed += block[i] > 127 ? block[i] - 256 : block[i];
  }
  return stored === unsigned || stored === signed;
}

/** Whether a file starts with a tar header (false when it cannot be read). */
export function isTarFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const block = Buffer.alloc(TAR_BLOCK);
      return fs.readSync(fd, block, 0, TAR_BLOCK, 0) === TAR_BLOCK && isTarHeader(block);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Types tarfile knows (Lib/tarfile.py SUPPORTED_TYPES); the data of any other type is skipped like a file's. */
const SUPPORTED_TYPES = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'L', 'K', 'S']);
const REGULAR_TYPES = new Set(['0', '\0', '7', 'S']);
/** GNU types, which take no ustar prefix. */
const GNU_TYPES = new Set(['L', 'K', 'S']);
/** Headers whose data says something about the next member (GNU long names, pax records). */
const META_TYPES = new Set(['L', 'K', 'x', 'g', 'X']);
const MAX_META_BYTES = 1024 * 1024;

/**
 * The members of the tar archive `file` (which must start with a header: see {@link isTarFile}), in archive order.
 * Never throws for bad content: the list ends where tarfile's would.
 */
export function listTar(file: string, limits: TarLimits = DEFAULT_TAR_LIMITS): TarListing {
  const members: TarMember[] = [];
  const deadline = Date.now() + limits.maxMillis;
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (position: number, length: number): Buffer => {
      const data = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      if (data.length) fs.readSync(fd, data, 0, data.length, position);
      return data;
    };
    const globalPax = new Map<string, string>();
    // what meta headers say of the next member; the first one in the file wins (tarfile applies them innermost first)
    let pendingName: string | undefined;
    let pendingSize: number | undefined;
    let offset = 0;
    for (let headers = 0; ; headers++) {
      if (headers >= limits.maxHeaders)
        return { members, limitHit: `more than ${limits.maxHeaders} tar headers, the most read` };
      if (Date.now() > deadline) return { members, limitHit: 'the time limit was reached while reading tar headers' };
      const header = read(offset, TAR_BLOCK);
      if (header.length < TAR_BLOCK || !isTarHeader(header)) break;
      const type = String.fromCharCode(header[156]);
      const headerSize = number(header.subarray(124, 136));
      if (headerSize === undefined || headerSize < 0) break;
      let dataOffset = offset + TAR_BLOCK;
      // a long name or pax header is read whole; one larger than any real one may hide the name (fails closed)
      if (META_TYPES.has(type) && headerSize > MAX_META_BYTES)
        return {
          members,
          limitHit: `a tar ${JSON.stringify(type)} header of ${headerSize} bytes, more than the ${MAX_META_BYTES} read`,
        };
      if (type === 'L' || type === 'K') {
        const name = text(read(dataOffset, headerSize));
        if (type === 'L') pendingName ??= name;
        offset = dataOffset + blocks(headerSize);
        continue;
      }
      if (type === 'x' || type === 'g' || type === 'X') {
        const records = paxRecords(read(dataOffset, headerSize));
        if (type === 'g') for (const [key, value] of records) globalPax.set(key, value);
        else {
          if (records.has('path')) pendingName ??= records.get('path')!.replace(/\/+$/, '');
          if (records.has('size')) pendingSize ??= paxNumber(records.get('size')!);
        }
        offset = dataOffset + blocks(headerSize);
        continue;
      }
      let name = text(header.subarray(0, 100));
      const prefix = text(header.subarray(345, 500));
      const effectiveType = type === '\0' && name.endsWith('/') ? '5' : type;
      if (effectiveType === '5') name = name.replace(/\/+$/, '');
      if (prefix && !GNU_TYPES.has(type)) name = `${prefix}/${name}`;
      if (type === 'S') {
        // old GNU sparse: extension blocks follow the header while the "isextended" flag is set
        let extended = header[482] !== 0;
        while (extended && dataOffset < size) {
          if (++headers >= limits.maxHeaders)
            return { members, limitHit: `more than ${limits.maxHeaders} tar headers, the most read` };
          extended = read(dataOffset, TAR_BLOCK)[504] !== 0;
          dataOffset += TAR_BLOCK;
        }
      }
      let next = dataOffset;
      if (REGULAR_TYPES.has(type) || !SUPPORTED_TYPES.has(type)) next += blocks(pendingSize ?? headerSize);
      if (globalPax.has('path')) name = globalPax.get('path')!.replace(/\/+$/, '');
      const memberSize = pendingSize ?? (globalPax.has('size') ? paxNumber(globalPax.get('size')!) : headerSize);
      members.push({ name: pendingName ?? name, type: effectiveType, dataOffset, size: memberSize });
      pendingName = undefined;
      pendingSize = undefined;
      offset = next;
    }
    return { members };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads up to `max` bytes of a member's data. */
export function readTarMember(file: string, member: TarMember, max: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const data = Buffer.alloc(Math.max(0, Math.min(member.size, max, fs.fstatSync(fd).size - member.dataOffset)));
    if (data.length) fs.readSync(fd, data, 0, data.length, member.dataOffset);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}

/** The space a member's data takes: whole blocks. */
function blocks(size: number): number {
  return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** A header string field: up to the first NUL. */
function text(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(field.subarray(0, end < 0 ? field.length : end)).toString('utf8');
}

/**
 * A header number field as tarfile's `nti` reads it: base-256 when the first byte is 0x80 or 0xff, else octal text
 * up to the first NUL as Python's `int(s.strip() or "0", 8)` takes it (sign, `0o` prefix, underscores between
 * digits); undefined when it is neither.
 */
function number(field: Uint8Array): number | undefined {
  if (field[0] === 0x80 || field[0] === 0xff) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return field[0] === 0xff ? n - 256 ** (field.length - 1) : n;
  }
  const digits = pythonStrip(text(field));
  if (digits === '') return 0;
  const match = /^([+-]?)(?:0[oO])?_?([0-7](?:_?[0-7])*)$/.exec(digits);
  if (!match) return undefined;
  const n = parseInt(match[2].replace(/_/g, ''), 8);
  return match[1] === '-' ? -n : n;
}

/** Python's `str.strip()` of ASCII text: also the separators 0x1c-0x1f count as white space. */
function pythonStrip(s: string): string {
  const space = (i: number) => {
    const c = s.charCodeAt(i);
    return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  };
  let start = 0;
  let end = s.length;
  while (start < end && space(start)) start++;
  while (end > start && space(end - 1)) end--;
  return s.slice(start, end);
}

/** A pax number (`size`): decimal; 0 when it is not one, as tarfile does. */
function paxNumber(value: string): number {
  return /^\s*\+?\d+\s*$/.test(value) ? Number(value) : 0;
}

/** The `length keyword=value\n` records of a pax header, read while they are well formed. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  const latin1 = data.toString('latin1');
  const record = /(\d+) ([^=]+)=/y;
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    record.lastIndex = pos;
    const match = record.exec(latin1);
    const length = match ? Number(match[1]) : 0;
    if (!match || length <= 0) break;
    const valueStart = pos + match[0].length;
    const valueEnd = pos + length - 1;
    if (valueEnd < valueStart || valueEnd > data.length) break;
    const keyword = Buffer.from(match[2], 'latin1').toString('utf8');
    records.set(keyword, data.subarray(valueStart, valueEnd).toString('utf8'));
    pos += length;
  }
  return records;
}

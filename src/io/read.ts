/** Bounded reads of files: whole regular files, or a byte range. */
import * as fs from 'node:fs';

/** Thrown by {@link readRegularFile} for a folder, FIFO, socket or device (or a link to one), which is never read. */
export class NotRegularFileError extends Error {
  constructor(readonly file: string) {
    super(`not a regular file (a folder, FIFO, socket or device): ${file}`);
  }
}

/** Thrown by {@link readRegularFile} for a file larger than the limit it was given. */
export class FileTooLargeError extends Error {
  constructor(
    readonly file: string,
    /** The limit, in bytes. */
    readonly maxBytes: number,
  ) {
    super(`larger than ${maxBytes} bytes: ${file}`);
  }
}

/**
 * Whether `file` (followed through symbolic links) exists and is a FIFO, socket or character or block device: what
 * the tool never reads (reading one blocks forever, or never ends, like `/dev/zero`). False for a missing file.
 */
export function isSpecialFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    return stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice() || stat.isBlockDevice();
  } catch {
    return false;
  }
}

/**
 * Reads a whole file, refusing anything but a regular file (a FIFO or device would block or never end). The file is
 * checked before it is opened, then opened without blocking and checked again on the open descriptor, so a FIFO
 * swapped in between is not read either.
 * `maxBytes`, when given, bounds the size (in bytes) read.
 * @throws NotRegularFileError for a FIFO, socket, device or folder; FileTooLargeError past `maxBytes`; and the file
 *   system's errors (ENOENT…).
 */
export function readRegularFile(file: string, maxBytes?: number): Buffer {
  // not even opened: opening a device can act (a tape rewinds, a terminal attaches)
  if (!fs.statSync(file).isFile()) throw new NotRegularFileError(file);
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(file);
    if (maxBytes !== undefined && stat.size > maxBytes) throw new FileTooLargeError(file, maxBytes);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads `length` bytes of a file from byte `position` (fewer when the file ends first: the rest stays zero).
 * @throws the file system's errors.
 */
export function readBytes(file: string, position: number, length: number): Buffer {
  const data = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, data, 0, length, position);
  } finally {
    fs.closeSync(fd);
  }
  return data;
}

/**
 * The text of a file that starts with a UTF-16 byte order mark (what PowerShell's `>` writes; pip and Python's own
 * tools read it), without the mark; undefined for any other file.
 */
export function decodeUtf16(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return undefined;
}

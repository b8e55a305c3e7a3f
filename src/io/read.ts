/** Bounded reads of files: whole regular files, or a byte range. */
import * as fs from 'node:fs';

/**
 * Reads a whole file, refusing anything but a regular file (a FIFO or device would block or never end).
 * @throws Error `not a regular file` for those, and the file system's errors.
 */
export function readRegularFile(file: string): Buffer {
  if (!fs.statSync(file).isFile()) throw new Error(`not a regular file: ${file}`);
  return fs.readFileSync(file);
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

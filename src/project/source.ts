/**
 * Decoding Python source files as Python does: UTF-8 by default (PEP 3120), a UTF-8 BOM, or the encoding declared
 * by a coding cookie on line 1 or 2 (PEP 263, `# -*- coding: latin-1 -*-`). Fixed text is encoded back the same way.
 */
import { TextDecoder } from 'node:util';
import { decodeUtf16 } from '../io/read';

/** A decoded file: its text (without BOM), and how to turn fixed text back into the file's bytes. */
export interface DecodedSource {
  text: string;
  /** `\uFEFF` when the file starts with a UTF-8 BOM (kept on write), else empty. */
  bom: string;
  /** The WHATWG name of the encoding used, e.g. `utf-8`, `windows-1252`. */
  encoding: string;
  /** False for encodings pylint-torch cannot write back (multi-byte ones other than UTF-8): fixes are not offered. */
  writable: boolean;
  /** The bytes for `text` (a fixed version of it), or undefined when the encoding cannot represent it. */
  encode(text: string): Buffer | undefined;
}

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * Decodes a non-Python file that a rule reads as text (a requirements file, a Dockerfile…): UTF-16 when it starts
 * with a UTF-16 byte order mark (what PowerShell's `>` writes), else as {@link decodePython} does. A UTF-16 text is
 * not writable (nothing rewrites these files).
 */
export function decodeText(bytes: Buffer): DecodedSource {
  const utf16 = decodeUtf16(bytes);
  if (utf16 === undefined) return decodePython(bytes);
  return { text: utf16, bom: '', encoding: 'utf-16', writable: false, encode: () => undefined };
}

/**
 * Decodes a Python file. Throws an Error with a message for users when the bytes are not valid in the declared (or
 * default UTF-8) encoding, or the declared encoding is unknown.
 */
export function decodePython(bytes: Buffer): DecodedSource {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const declared = hasBom ? undefined : codingCookie(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared ?? 'utf-8', { fatal: true, ignoreBOM: true });
  } catch {
    throw new Error(
      `The encoding ${JSON.stringify(declared)} declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch; nothing was checked.`,
    );
  }
  let decoded: string;
  try {
    decoded = decoder.decode(bytes);
  } catch {
    throw new Error(
      declared
        ? `Cannot decode the file as ${declared}, the encoding its coding comment declares; nothing was checked.`
        : 'Cannot decode the file as UTF-8, the default for Python source (PEP 3120), and it declares no other encoding (PEP 263); nothing was checked.',
    );
  }
  const bom = decoded.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const text = bom ? decoded.slice(1) : decoded;
  if (decoder.encoding === 'utf-8')
    return { text, bom, encoding: 'utf-8', writable: true, encode: (fixed) => Buffer.from(bom + fixed, 'utf8') };
  const table = singleByteTable(decoder.encoding);
  return {
    text,
    bom,
    encoding: decoder.encoding,
    writable: table !== undefined,
    encode: (fixed) => {
      if (!table) return undefined;
      const out = Buffer.alloc(fixed.length);
      for (let i = 0; i < fixed.length; i++) {
        const byte = table.get(fixed[i]);
        if (byte === undefined) return undefined;
        out[i] = byte;
      }
      return out;
    },
  };
}

/** The encoding named by a PEP 263 cookie on line 1, or on line 2 when line 1 is blank or a comment. */
function codingCookie(bytes: Buffer): string | undefined {
  const head = bytes
    .subarray(0, 400)
    .toString('latin1')
    .split(/\r\n|\r|\n/);
  const first = COOKIE.exec(head[0] ?? '');
  if (first) return normalize(first[1]);
  if (/^[ \t\f]*(#.*)?$/.test(head[0] ?? '')) {
    const second = COOKIE.exec(head[1] ?? '');
    if (second) return normalize(second[1]);
  }
  return undefined;
}

/** Python spellings that WHATWG labels lack (CPython Lib/encodings/aliases.py). */
function normalize(name: string): string {
  const lower = name.toLowerCase().replace(/_/g, '-');
  if (lower === 'utf-8-sig' || lower === 'utf8' || lower === 'utf') return 'utf-8';
  if (lower === 'latin-1' || lower === 'l1') return 'latin1';
  if (lower === 'ascii' || lower === 'us-ascii') return 'utf-8'; // ASCII is a subset; non-ASCII bytes fail below
  if (lower === 'mac-roman' || lower === 'macroman') return 'macintosh';
  return lower;
}

const tables = new Map<string, Map<string, number> | undefined>();

/** Character → byte for single-byte encodings (every byte decodes to one distinct UTF-16 unit), else undefined. */
function singleByteTable(encoding: string): Map<string, number> | undefined {
  if (tables.has(encoding)) return tables.get(encoding);
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  let table: Map<string, number> | undefined;
  try {
    const chars = new TextDecoder(encoding, { fatal: true }).decode(all);
    if (chars.length === 256) {
      table = new Map([...chars].map((c, i) => [c, i]));
      if (table.size !== 256) table = undefined;
    }
  } catch {
    table = undefined;
  }
  tables.set(encoding, table);
  return table;
}

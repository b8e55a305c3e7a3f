/**
 * Decoding Python source files as Python does: UTF-8 by default (PEP 3120), a UTF-8 BOM, or the encoding declared
 * by a coding cookie on line 1 or 2 (PEP 263, `# -*- coding: latin-1 -*-`). Fixed text is encoded back the same way.
 */
import { TextDecoder } from 'node:util';
import type * as Diff from 'diff';
import { decodeUtf16 } from '../io/read';

/**
 * A decoded file: its text (without BOM), and how to turn fixed text back into the file's bytes. A file whose lines
 * end with a lone CR (classic Mac OS; Python reads it as newlines) is given with LF line ends, offset for offset, and
 * its CRs are put back by `encode`.
 */
export interface DecodedSource {
  text: string;
  /** `\uFEFF` when the file starts with a UTF-8 BOM (kept on write), else empty. */
  bom: string;
  /** The encoding, as the coding comment names it (lowercased: `latin-1`, `cp437`, `gbk`), else `utf-8`. */
  encoding: string;
  /** False for encodings pylint-torch cannot write back (multi-byte ones other than UTF-8): fixes are not offered. */
  writable: boolean;
  /** The bytes for `text` (a fixed version of it), or undefined when the encoding cannot represent it. */
  encode(text: string): Buffer | undefined;
  /** The file's text for `text` (a fixed version of it): the BOM and lone-CR line ends put back. */
  fileText(text: string): string;
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
  return { text: utf16, bom: '', encoding: 'utf-16', writable: false, encode: () => undefined, fileText: (t) => t };
}

/**
 * Decodes a Python file as CPython does (PEP 263 and `Parser/tokenizer.c`): every coding cookie naming a text codec
 * CPython has whose mapping pylint-torch knows — UTF-8, ASCII, Latin-1, ISO 8859-2…16, Windows-1250…1258, cp437,
 * cp850, cp866, KOI8-R/U, Mac Roman, and the CJK codecs of the WHATWG Encoding Standard (Shift_JIS, cp932, EUC-JP,
 * ISO-2022-JP, EUC-KR, GBK, GB2312, GB18030, Big5, cp950). Single-byte ones decode byte for byte as Python's
 * tables do and can be written back; the CJK ones are read with Node's decoders (supersets of Python's), not written.
 * Throws an Error with a message for users when the bytes are not valid in the declared (or default UTF-8) encoding,
 * or the declared encoding is one pylint-torch cannot decode (the message names it: utf-7, idna, cp037, hz…).
 */
export function decodePython(bytes: Buffer): DecodedSource {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const declared = hasBom ? undefined : codingCookie(bytes);
  const codec = declared === undefined ? UTF_8 : codecOf(declared);
  if (!codec)
    throw new Error(
      `The encoding ${JSON.stringify(declared)} declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch (it decodes UTF-8, ASCII, Latin-1, ISO 8859, Windows code pages, cp437, cp850, cp866, KOI8, Mac Roman and the common CJK codecs); this file was not checked.`,
    );
  const encoding = declared?.toLowerCase() ?? 'utf-8';
  let decoded: string | undefined;
  if (codec.table) decoded = decodeTable(bytes, codec.table);
  else {
    try {
      decoded = new TextDecoder(codec.whatwg, { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      decoded = undefined;
    }
  }
  if (decoded === undefined)
    throw new Error(
      declared
        ? `Cannot decode the file as ${declared}, the encoding its coding comment declares; nothing was checked.`
        : 'Cannot decode the file as UTF-8, the default for Python source (PEP 3120), and it declares no other encoding (PEP 263); nothing was checked.',
    );
  const bom = decoded.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  let text = bom ? decoded.slice(1) : decoded;
  // lone CRs are newlines to Python (its tokenizer takes `\r`, `\n` and `\r\n` each as one); tree-sitter and line
  // counting want LF: each lone CR is given as LF (one code unit for one: offsets hold) and put back on write
  const original = text;
  const loneCr = /\r(?!\n)/.test(text);
  if (loneCr) text = text.replace(/\r(?!\n)/g, '\n');
  const read = text;
  const restore = (fixed: string) => (loneCr ? restoreLoneCrs(original, read, fixed) : fixed);
  const base = { text, bom, encoding, fileText: (fixed: string) => bom + restore(fixed) };
  if (codec === UTF_8) return { ...base, writable: true, encode: (fixed) => Buffer.from(bom + restore(fixed), 'utf8') };
  const reverse = codec.table && reverseTable(codec.table);
  return {
    ...base,
    writable: reverse !== undefined,
    encode: (fixed) => {
      if (!reverse) return undefined;
      const chars = bom + restore(fixed);
      const out = Buffer.alloc(chars.length);
      for (let i = 0; i < chars.length; i++) {
        const byte = reverse.get(chars[i]);
        if (byte === undefined) return undefined;
        out[i] = byte;
      }
      return out;
    },
  };
}

/**
 * The file text for `fixed`, a fixed version of `read` (the file's `original` text with each lone CR given as LF):
 * lines the fix left alone keep their original line ends, byte for byte (a line diff of `read` and `fixed`, with
 * the `diff` package); an LF the fix wrote is a lone CR where the line it replaces ended in one (in order), or, for a
 * new line, where the line before it did (the file's first line end, at the start).
 */
function restoreLoneCrs(original: string, read: string, fixed: string): string {
  if (fixed === read) return original;
  // a file of lone CRs only: every LF is one of them or a new line end in that style
  if (!original.includes('\n')) return fixed.replace(/\n/g, '\r');
  // loaded here: only a fixed file with lone CRs and LFs needs it
  const { diffLines } = require('diff') as typeof Diff; // eslint-disable-line @typescript-eslint/no-require-imports
  const ends = (text: string) => text.match(/\r\n|\r|\n/g) ?? [];
  let at = 0;
  let out = '';
  // the line end before the current position in the original, and those of lines a change just removed
  let before = ends(original)[0] ?? '\n';
  let replaced: string[] = [];
  for (const part of diffLines(read, fixed)) {
    if (part.removed) {
      replaced = ends(original.slice(at, at + part.value.length));
      at += part.value.length;
      continue;
    }
    if (part.added) {
      // written LFs of lines that replace others take those lines' ends in order, else the one before
      let i = 0;
      out += part.value.replace(/\r?\n/g, (eol) => {
        const style = replaced.length > 0 ? replaced[Math.min(i++, replaced.length - 1)] : before;
        return eol === '\n' && style === '\r' ? '\r' : eol;
      });
      replaced = [];
      continue;
    }
    replaced = [];
    const kept = original.slice(at, at + part.value.length);
    out += kept;
    at += part.value.length;
    before = /(\r\n|\r|\n)$/.exec(kept)?.[0] ?? before;
  }
  return out;
}

/**
 * How a Python codec is decoded: a byte → character table (256 UTF-16 units, U+FFFF for undefined), or a WHATWG
 * decoder.
 */
interface Codec {
  table?: string;
  whatwg?: string;
}

const UTF_8: Codec = { whatwg: 'utf-8' };
/** Not a character: marks a byte the codec leaves undefined (Python raises UnicodeDecodeError). */
const UNDEFINED = '\uffff';

/** The upper halves (bytes 0x80–0xFF) of the DOS code pages, from CPython's `Lib/encodings/cp437.py` and `cp850.py`. */
const DOS_UPPER: Record<string, string> = {
  cp437:
    'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
  cp850:
    'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
};

const LOWER_HALF = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));

/** Python spellings (normalised as `encodings.normalize_encoding` does) of the codecs decoded with Node's decoders. */
const WHATWG_ALIASES: Record<string, string> = {
  cp866: 'ibm866',
  '866': 'ibm866',
  ibm866: 'ibm866',
  koi8_r: 'koi8-r',
  koi8_u: 'koi8-u',
  mac_roman: 'macintosh',
  macroman: 'macintosh',
  macintosh: 'macintosh',
  shift_jis: 'shift_jis',
  shiftjis: 'shift_jis',
  sjis: 'shift_jis',
  s_jis: 'shift_jis',
  csshiftjis: 'shift_jis',
  cp932: 'shift_jis',
  ms932: 'shift_jis',
  mskanji: 'shift_jis',
  ms_kanji: 'shift_jis',
  '932': 'shift_jis',
  euc_jp: 'euc-jp',
  eucjp: 'euc-jp',
  ujis: 'euc-jp',
  u_jis: 'euc-jp',
  iso2022_jp: 'iso-2022-jp',
  iso2022jp: 'iso-2022-jp',
  iso_2022_jp: 'iso-2022-jp',
  csiso2022jp: 'iso-2022-jp',
  euc_kr: 'euc-kr',
  euckr: 'euc-kr',
  korean: 'euc-kr',
  ksc5601: 'euc-kr',
  ks_c_5601: 'euc-kr',
  ks_c_5601_1987: 'euc-kr',
  ksx1001: 'euc-kr',
  ks_x_1001: 'euc-kr',
  gbk: 'gbk',
  cp936: 'gbk',
  ms936: 'gbk',
  '936': 'gbk',
  gb2312: 'gbk',
  chinese: 'gbk',
  csiso58gb231280: 'gbk',
  euc_cn: 'gbk',
  euccn: 'gbk',
  eucgb2312_cn: 'gbk',
  gb2312_1980: 'gbk',
  gb2312_80: 'gbk',
  iso_ir_58: 'gbk',
  gb18030: 'gb18030',
  gb18030_2000: 'gb18030',
  big5: 'big5',
  big5_tw: 'big5',
  csbig5: 'big5',
  cp950: 'big5',
  ms950: 'big5',
  '950': 'big5',
  big5hkscs: 'big5',
  hkscs: 'big5',
};

const ASCII_NAMES = new Set([
  'ascii',
  'us_ascii',
  'us',
  '646',
  'ansi_x3.4_1968',
  'ansi_x3_4_1968',
  'ansi_x3.4_1986',
  'cp367',
  'csascii',
  'ibm367',
  'iso646_us',
  'iso_646.irv_1991',
  'iso_ir_6',
]);
const LATIN_1_NAMES = new Set([
  'latin_1',
  'latin1',
  'latin',
  'l1',
  'iso8859_1',
  'iso_8859_1',
  'iso8859',
  '8859',
  'cp819',
  'ibm819',
  'iso_ir_100',
  'csisolatin1',
  'iso_8859_1_1987',
  'iso_latin_1',
]);

const codecs = new Map<string, Codec | undefined>();

/**
 * The codec a coding cookie names, spelled as Python accepts it (case, `-`/`_`/space alike; CPython's tokenizer
 * also reads `utf-8-…` as UTF-8 and `latin-1-…`, `iso-8859-1-…`, `iso-latin-1-…` as Latin-1), or undefined when
 * pylint-torch cannot decode it.
 */
function codecOf(declared: string): Codec | undefined {
  const key = declared.toLowerCase().replace(/[^a-z0-9.]+/g, '_');
  if (!codecs.has(key)) codecs.set(key, findCodec(key));
  return codecs.get(key);
}

function findCodec(key: string): Codec | undefined {
  if (/^(utf_?8|u8|utf|cp65001|utf8_ucs[24])$/.test(key) || key.startsWith('utf_8_')) return UTF_8;
  if (ASCII_NAMES.has(key)) return { table: LOWER_HALF + UNDEFINED.repeat(128) };
  if (LATIN_1_NAMES.has(key) || /^(latin_1|iso_8859_1|iso_latin_1)_/.test(key))
    return { table: String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)) };
  if (key in DOS_UPPER) return { table: LOWER_HALF + DOS_UPPER[key] };
  const dos = /^(?:ibm)?(437|850)$/.exec(key);
  if (dos) return { table: LOWER_HALF + DOS_UPPER[`cp${dos[1]}`] };
  // ISO 8859: WHATWG reads some labels as their Windows supersets; Python maps 0x80–0x9F to the C1 controls
  const iso = /^iso_?8859_(\d+)(?:_\d{4})?$/.exec(key);
  if (iso) {
    const part = Number(iso[1]);
    const whatwg = part === 9 ? 'windows-1254' : part === 11 ? 'windows-874' : `iso-8859-${part}`;
    const table = singleByteTable(whatwg);
    if (!table || part === 12 || part > 15) return undefined;
    return { table: table.slice(0, 0x80) + C1 + table.slice(0xa0) };
  }
  const windows = /^(?:cp|windows_)(125[0-8])$/.exec(key);
  if (windows) {
    const table = singleByteTable(`windows-${windows[1]}`)!;
    // Node 20 decodes windows-1252 as Latin-1 (and drops a lone 0xFF): its 0x80–0x9F row is CPython's
    // Lib/encodings/cp1252.py's, the rest is Latin-1's
    const c1 = windows[1] === '1252' ? CP1252_C1 : table.slice(0x80, 0xa0);
    // WHATWG fills the bytes Windows leaves undefined with C1 controls (and 0xAA of 1253); Python leaves them undefined
    const high =
      windows[1] === '1252'
        ? LATIN_1_HIGH
        : windows[1] === '1253'
          ? table.slice(0xa0, 0xaa) + UNDEFINED + table.slice(0xab)
          : table.slice(0xa0);
    return { table: table.slice(0, 0x80) + c1.replace(/[\x80-\x9f]/g, UNDEFINED) + high };
  }
  const whatwg = WHATWG_ALIASES[key];
  if (!whatwg) return undefined;
  const table = singleByteTable(whatwg);
  return table ? { table } : { whatwg };
}

const CP1252_C1 =
  '\u20ac\uffff\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\uffff\u017d\uffff' +
  '\uffff\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\uffff\u017e\u0178';

const LATIN_1_HIGH = String.fromCharCode(...Array.from({ length: 96 }, (_, i) => 0xa0 + i));

const C1 = String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 0x80 + i));

/** The text of `bytes` through a byte → character table; undefined when a byte is undefined there. */
function decodeTable(bytes: Buffer, table: string): string | undefined {
  const chars = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const char = table[bytes[i]];
    if (char === UNDEFINED) return undefined;
    chars[i] = char;
  }
  return chars.join('');
}

/** Character → byte of a table (its undefined bytes left out). */
function reverseTable(table: string): Map<string, number> {
  const reverse = new Map<string, number>();
  for (let i = 0; i < 256; i++) if (table[i] !== UNDEFINED) reverse.set(table[i], i);
  return reverse;
}

/**
 * The 256 characters a WHATWG single-byte encoding gives bytes 0–255 (U+FFFF where a byte is undefined), or undefined
 * for any other encoding.
 */
function singleByteTable(encoding: string): string | undefined {
  // the single-byte encodings of the Encoding Standard (a multi-byte one decodes some lone bytes too)
  if (!/^(ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-\d+|x-mac-cyrillic)$/.test(encoding)) return undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  } catch {
    return undefined;
  }
  let table = '';
  for (let i = 0; i < 256; i++) {
    let char: string;
    try {
      char = decoder.decode(Buffer.from([i]));
    } catch {
      char = UNDEFINED;
    }
    // windows-874's private-use stand-ins (0xDB…) are bytes Python's iso8859_11 leaves undefined
    table +=
      char.length !== 1 || (encoding === 'windows-874' && char >= '\ue000' && char <= '\uf8ff') ? UNDEFINED : char;
  }
  // every codec here is ASCII-compatible in Python (ICU's ibm866 moves 0x1A, 0x1C and 0x7F)
  return LOWER_HALF + table.slice(0x80);
}

/** The encoding named by a PEP 263 cookie on line 1, or on line 2 when line 1 is blank or a comment. */
function codingCookie(bytes: Buffer): string | undefined {
  const head = bytes
    .subarray(0, 400)
    .toString('latin1')
    .split(/\r\n|\r|\n/);
  const first = COOKIE.exec(head[0] ?? '');
  if (first) return first[1];
  if (/^[ \t\f]*(#.*)?$/.test(head[0] ?? '')) {
    const second = COOKIE.exec(head[1] ?? '');
    if (second) return second[1];
  }
  return undefined;
}

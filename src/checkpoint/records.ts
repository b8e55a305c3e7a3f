/**
 * Zip member names read as torch reads them, so that the member judged is the member torch loads.
 *
 * Sources: the current torch source (caffe2/serialize/inline_container.cc, third_party/miniz-3.0.2/miniz.c,
 * torch/serialization.py) and torch 1.13's behaviour (it ships miniz 2.1.0, whose lookup is the same): each fact below
 * was measured on Debian's torch 1.13 with the archives of test/checkpoint/make_zip_names.py and
 * `torch.load(f, weights_only=True)` (test/checkpoint/zip-names.test.ts runs that check where torch is installed).
 * - caffe2/serialize/inline_container.cc, `PyTorchStreamReader::init`: the record prefix is the part of the FIRST
 *   central-directory entry's name before its first `/` (`buf.find_first_of('/')`); a first name without `/` is
 *   refused ("file in archive is not in a subdirectory"). Every record is then looked up as `<prefix>/<name>` with
 *   `mz_zip_reader_locate_file(ar, ss.c_str(), nullptr, 0)`.
 * - third_party/miniz-3.0.2/miniz.c: `mz_zip_reader_init(..., 0)` sorts the central directory, and with flags 0
 *   `mz_zip_reader_locate_file_v2` binary-searches it with `mz_zip_filename_compare`: raw bytes, equal length, case
 *   folded by `MZ_TOLOWER` (ASCII A-Z only; no Unicode folding, no UTF-8 decoding, the flag bit 11 is never read).
 *   The name asked for is a C string, so it ends at its first NUL byte. Which of several equal names the search
 *   returns depends on the heap sort of the whole directory (measured: the first of two, the second of two when
 *   another entry comes first, the third of three), so every one of them counts as read (the worst decides).
 * - inline_container.cc `getAllRecords` (torch/serialization.py `_is_torchscript_zip` calls it as
 *   `'constants.pkl' in zip_file.get_all_records()` in every torch.load of a zip): each name is copied into a
 *   512-byte buffer (`mz_zip_reader_get_filename` with `MZ_ZIP_MAX_ARCHIVE_FILENAME_SIZE`: at most 511 bytes) and
 *   used as a C string (cut at a NUL); a name not starting with `<prefix>/` (`strncmp`, case-sensitive) makes it
 *   throw; the rest of the name is decoded as UTF-8 by pybind11 (strict: a UnicodeDecodeError fails the load) and
 *   compared with `constants.pkl` exactly. The current source leaves names ending in `.debug_pkl` out there.
 * - An early zip-format torch/serialization.py (before getAllRecords stripped the prefix; the release is not pinned
 *   down) took any name whose second path part (split on `os.sep`) is `constants.pkl` for TorchScript.
 * - torch.jit.load reads `constants.pkl` through the same lookup as data.pkl (torch/csrc/jit/serialization/
 *   import_read.cpp `readArchiveAndTensors`: `getRecord(pickle_prefix + archive_name + ".pkl")`).
 * Nothing is normalised: `..`, `.`, backslashes and a leading `/` are bytes like any other (an empty prefix, from a
 * first name starting with `/`, is looked up as `/data.pkl` and loads).
 */

/** Where torch's reading of an archive's names is refused or undefined, and what it finds. */
export interface TorchRecords {
  /** The record prefix (bytes), or undefined when the first name has no `/` (torch refuses the archive). */
  prefix?: Buffer;
  /** Why torch refuses the archive, for users (empty when it does not). */
  refusals: string[];
  /** Set when what torch reads cannot be known (a NUL in the prefix: getAllRecords then reads past a name's end). */
  undefinedReading?: string;
  /** Indices of every member torch's lookup of `<prefix>/<record>` may return (empty without a prefix). */
  lookup(record: string): number[];
  /** Whether torch.load's own TorchScript test (`_is_torchscript_zip`) finds `constants.pkl`, with no refusal. */
  dispatchesToJit: boolean;
  /**
   * Members read as `constants.pkl` under some torch reading (torch.load's record listing, the lookup
   * torch.jit.load uses, the early split test), each with a sentence saying how when it is not the plain exact name.
   */
  constants: { index: number; how?: string }[];
  /**
   * Members torch does not return for `<prefix>/<record>` whose names only look like it to a looser reader (Unicode
   * case and compatibility forms, a NUL cut, `..` or backslashes resolved, another folder), each with a sentence.
   */
  strays(record: string): { index: number; why: string }[];
}

/** The longest name getAllRecords sees (miniz.h `MZ_ZIP_MAX_ARCHIVE_FILENAME_SIZE` 512, less the NUL). */
const LISTED_NAME_BYTES = 511;
const SLASH = 0x2f;

/**
 * Reads an archive's raw central-directory names (in directory order) as torch does. Names are never decoded for a
 * lookup: see the sources at the top of this file.
 */
export function torchRecords(names: readonly Buffer[]): TorchRecords {
  const first = names[0];
  const slash = first ? first.indexOf(SLASH) : -1;
  const prefix = slash >= 0 ? first.subarray(0, slash) : undefined;
  const refusals: string[] = [];
  let undefinedReading: string | undefined;
  if (first && prefix === undefined)
    refusals.push(
      `the first member \`${displayName(first)}\` is in no folder: torch's reader refuses the archive ("file in archive is not in a subdirectory")`,
    );
  // the name torch asks for, and what miniz compares: a C string, so it ends at a NUL (of the prefix)
  const asked = (record: string) => Buffer.concat([prefix ?? Buffer.alloc(0), Buffer.from(`/${record}`)]);
  const key = (record: string) => cString(asked(record));
  const lookup = (record: string): number[] => {
    if (prefix === undefined) return [];
    const wanted = key(record);
    return indicesWhere(names, (n) => asciiEqualIgnoringCase(n, wanted));
  };

  // torch.load's record listing (getAllRecords), name by name: the record it lists, or why the listing fails
  const listed: (string | undefined)[] = [];
  if (prefix !== undefined) {
    const folder = Buffer.concat([prefix, Buffer.from('/')]);
    if (prefix.includes(0))
      undefinedReading = `the first member's folder name \`${displayName(prefix)}\` holds a NUL byte: torch's record listing then reads past the end of names, so what torch finds is undefined: it cannot be shown safe, judged dangerous`;
    let outside = 0;
    let undecodable = 0;
    names.forEach((name, index) => {
      const shown = cString(name.subarray(0, LISTED_NAME_BYTES));
      if (!startsLikeStrncmp(shown, folder)) {
        if (outside++ === 0)
          refusals.push(
            `member \`${displayName(name)}\` is not in the folder \`${displayName(folder)}\` that the first member names: torch.load lists every record and refuses the archive ("file in archive is not in a subdirectory")`,
          );
        return;
      }
      const record = shown.subarray(folder.length);
      const text = strictUtf8(record);
      // the current source leaves .debug_pkl names out of the listing, undecoded
      if (text === undefined && !record.toString('latin1').endsWith('.debug_pkl') && undecodable++ === 0)
        refusals.push(
          `member \`${displayName(name)}\` has a name that is not UTF-8: torch.load's record listing fails on it (UnicodeDecodeError)`,
        );
      listed[index] = text;
    });
    if (outside > 1)
      refusals.push(
        `${outside - 1} more ${outside === 2 ? 'member is' : 'members are'} outside \`${displayName(folder)}\``,
      );
  }

  const constants = new Map<number, string | undefined>();
  // the plain case, torch.jit.save's own layout: no message
  const plain = prefix === undefined ? undefined : Buffer.concat([prefix, Buffer.from('/constants.pkl')]);
  for (const index of indicesWhere(names, (n) => plain !== undefined && n.equals(plain)))
    constants.set(index, undefined);
  const shownKey = (record: string) => displayName(asked(record));
  names.forEach((name, index) => {
    if (constants.has(index) || listed[index] !== 'constants.pkl') return;
    constants.set(
      index,
      `\`${displayName(name)}\` is listed as \`constants.pkl\` by torch.load's record listing, which cuts names at a NUL byte and at ${LISTED_NAME_BYTES} bytes: a TorchScript archive`,
    );
  });
  for (const index of lookup('constants.pkl'))
    if (!constants.has(index))
      constants.set(
        index,
        `\`${displayName(names[index])}\` is what torch's lookup of \`${shownKey('constants.pkl')}\` returns (ASCII case ignored), and torch.jit.load reads it so: judged as a TorchScript archive`,
      );
  names.forEach((name, index) => {
    if (constants.has(index)) return;
    const parts = cString(name).toString('latin1').split(/[/\\]/);
    if (parts.length > 1 && parts[1] === 'constants.pkl')
      constants.set(
        index,
        `\`${displayName(name)}\` has \`constants.pkl\` as its second path part, which an early zip-format torch.load took for TorchScript: judged as a TorchScript archive`,
      );
  });

  const strays = (record: string) => {
    const read = new Set(lookup(record));
    const base = record.split('/').pop()!;
    const out: { index: number; why: string }[] = [];
    names.forEach((name, index) => {
      if (read.has(index)) return;
      const readings = looseReadings(name);
      if (!readings.some((r) => r.split('/').pop() === base)) return;
      const shown = displayName(name);
      const lookalike = looseReadings(first).some((f, i) => readings[i] === `${looseFolder(f)}${record}`);
      out.push({
        index,
        why:
          prefix === undefined
            ? `\`${shown}\` is not read: torch refuses the archive before it looks any name up`
            : lookalike
              ? `\`${shown}\` looks like \`${shownKey(record)}\` but is not the member torch reads: torch compares name bytes, ignoring only ASCII case (no Unicode case, no NUL cut, no \`..\` or backslash resolved)`
              : `\`${shown}\` is not in the folder torch reads, \`${displayName(prefix)}/\` (the first member's): torch does not read it`,
      });
    });
    return out;
  };

  const noRefusal = refusals.length === 0 && undefinedReading === undefined;
  return {
    prefix,
    refusals,
    undefinedReading,
    lookup,
    dispatchesToJit: noRefusal && listed.some((r) => r === 'constants.pkl'),
    constants: [...constants].map(([index, how]) => ({ index, how })),
    strays,
  };
}

/**
 * A member name for messages, unambiguous: printable ASCII as is and a backslash doubled; in a name that is UTF-8,
 * any other character as `\u00e9` (`\U0001f600` past U+FFFF); in one that is not, any other byte as `\xe9`. So
 * look-alike names look unlike, and the same bytes always read the same.
 */
export function displayName(raw: Buffer): string {
  const text = strictUtf8(raw);
  if (text === undefined)
    return [...raw].map((b) => (b >= 0x20 && b < 0x7f ? esc(String.fromCharCode(b)) : `\\x${hex(b, 2)}`)).join('');
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (code >= 0x20 && code < 0x7f) return esc(c);
      return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
    })
    .join('');
}

const esc = (c: string) => (c === '\\' ? '\\\\' : c);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The text of UTF-8 bytes, or undefined when they are not UTF-8 (as Python's strict decoder refuses them). */
function strictUtf8(raw: Buffer): string | undefined {
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

/** The bytes before the first NUL, as C reads a string. */
function cString(raw: Buffer): Buffer {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw : raw.subarray(0, nul);
}

/** Equal length and equal bytes once ASCII A-Z are lowered (miniz `MZ_TOLOWER`). */
function asciiEqualIgnoringCase(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (lowerAscii(a[i]) !== lowerAscii(b[i])) return false;
  return true;
}

const lowerAscii = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/** `strncmp(name, folder, folder.length) == 0` for a NUL-terminated name: it stops early at a NUL in both. */
function startsLikeStrncmp(name: Buffer, folder: Buffer): boolean {
  for (let i = 0; i < folder.length; i++) {
    const a = i < name.length ? name[i] : 0;
    if (a !== folder[i]) return false;
    if (a === 0) return true;
  }
  return true;
}

function indicesWhere(names: readonly Buffer[], test: (name: Buffer) => boolean): number[] {
  const out: number[] = [];
  names.forEach((n, i) => {
    if (test(n)) out.push(i);
  });
  return out;
}

/**
 * How looser readers than torch see a name (two decodings: UTF-8 with replacement, and Latin-1): cut at a NUL (as
 * Python's zipfile does), Unicode compatibility forms and case folded (a KELVIN SIGN reads as `k`), backslashes as
 * `/`, and `.`/`..` segments resolved as an extraction would. Used only to report members that imitate the ones
 * torch reads, never to choose which member torch reads.
 */
function looseReadings(raw: Buffer): string[] {
  const cut = cString(raw);
  return [cut.toString('utf8'), cut.toString('latin1')].map((text) => {
    const segments: string[] = [];
    for (const part of text.normalize('NFKC').toLowerCase().split(/[/\\]/)) {
      if (part === '' || part === '.') continue;
      if (part === '..') segments.pop();
      else segments.push(part);
    }
    return segments.join('/');
  });
}

/** The folder part, with its `/`, that a loose reading of the first name gives (empty when it has none). */
function looseFolder(reading: string): string {
  const slash = reading.indexOf('/');
  return slash < 0 ? '' : `${reading.slice(0, slash)}/`;
}

/**
 * Whether a name reads as a pickle member (`.pkl`, TorchScript's `.debug_pkl`) to torch or to a looser reader:
 * such members are walked for what they hold even when torch does not unpickle them.
 */
export function looksLikePickle(raw: Buffer): boolean {
  return looseReadings(raw).some((r) => /\.(pkl|debug_pkl)$/.test(r));
}

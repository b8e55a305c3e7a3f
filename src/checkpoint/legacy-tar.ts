/**
 * Every pickle torch's legacy tar loader unpickles in a member, found by following the member's layout as the loader
 * reads it (torch/serialization.py `_legacy_load`, its inner `legacy_load`, torch 1.13):
 * - `storages`: a pickle of the count; per storage a pickle `(key, location, storage_type)`, then the storage's raw
 *   bytes (`_new_with_file`: an int64 element count, then count × the element size of `storage_type.dtype`); after
 *   them one more pickle (the storage views).
 * - `tensors`: a pickle of the count; per tensor a pickle `(key, storage_id, original_tensor_type)`, then an int32
 *   `ndim`, 4 skipped bytes, `ndim` int64 sizes, `ndim` int64 strides and an int64 storage offset.
 * - `pickle`: one pickle (everything after its STOP is walked too, as data torch does not read).
 * Where the layout breaks (a count that is no int, a size past the end), torch's loader raises and unpickles nothing
 * more, so the walk stops there too. A storage type that names a class whose element size is not known here stops the
 * walk, with `unfollowed` set unless `condemns` says that global already decides the verdict (code, or unknown): what
 * follows cannot be placed, so the caller fails closed.
 */
import type { WalkResult } from './pickle';

/** Element sizes in bytes of the storage classes (torch/_utils.py `_element_size` of each class's dtype). */
const ELEMENT_SIZES: Readonly<Record<string, number | undefined>> = {
  Double: 8,
  Float: 4,
  Half: 2,
  Long: 8,
  Int: 4,
  Short: 2,
  Char: 1,
  Byte: 1,
  Bool: 1,
  BFloat16: 2,
  ComplexDouble: 16,
  ComplexFloat: 8,
  QUInt8: 1,
  QInt8: 1,
  QInt32: 4,
  QUInt4x2: 1,
  QUInt2x4: 1,
};

/**
 * The element size in bytes of a storage class named `torch.FloatStorage` or `torch.cuda.FloatStorage` (any of the
 * table's), or undefined for another name.
 */
export function storageElementSize(type: string): number | undefined {
  const kind = /^torch\.(?:cuda\.)?(\w+)Storage$/.exec(type)?.[1];
  return kind === undefined ? undefined : ELEMENT_SIZES[kind];
}

/** Pickles walked in one member at most: past that the rest is not read (`unfollowed`). */
const MAX_PICKLES = 100_000;

export interface LegacyMemberWalk {
  /** One walk per pickle the loader unpickles, in order (offsets in the member's bytes). */
  walks: WalkResult[];
  /** Why the layout could not be followed to its end though torch may (the caller fails closed), or undefined. */
  unfollowed?: string;
}

/**
 * Walks the pickles of legacy tar member `name` (`storages`, `tensors` or `pickle`). `walk(start, single)` walks the
 * pickle starting at byte `start` of `data` (only that one with `single`); `condemns(name)` says whether a global
 * already makes the file unsafe (its verdict cannot get better, whatever follows).
 */
export function walkLegacyMember(
  name: string,
  data: Buffer,
  walk: (start: number, single: boolean) => WalkResult,
  condemns: (global: string) => boolean,
): LegacyMemberWalk {
  if (name !== 'storages' && name !== 'tensors') return { walks: [walk(0, false)] };
  const walks: WalkResult[] = [];
  let pos = 0;
  /** The next pickle, or undefined when torch's unpickling fails there (it stops). */
  const next = (): WalkResult | undefined => {
    const w = walk(pos, true);
    walks.push(w);
    if (w.error || w.firstStopEnd === undefined) return undefined;
    return w;
  };
  const countWalk = next();
  if (!countWalk) return { walks };
  const count = intValue(data, pos, countWalk.end);
  pos = countWalk.end;
  // range(count) of anything but an int (or a bool) raises: torch reads no more
  if (count === undefined) return { walks };
  for (let i = 0; i < count; i++) {
    if (walks.length >= MAX_PICKLES) return { walks, unfollowed: `more than ${MAX_PICKLES} pickles in \`${name}\`` };
    const args = next();
    if (!args) return { walks };
    pos = args.end;
    if (name === 'storages') {
      // the storage type is the tuple's last item: a class named by a GLOBAL (anything else has no dtype: torch fails)
      const type = args.globals.at(-1)?.name;
      if (type === undefined) return { walks };
      const size = storageElementSize(type);
      if (size === undefined && condemns(type)) return { walks };
      if (size === undefined)
        return {
          walks,
          unfollowed: `\`${name}\`: storage type ${type} at byte ${pos}, whose element size is not known here`,
        };
      if (pos + 8 > data.length) return { walks };
      const elements = data.readBigInt64LE(pos);
      const bytes = elements * BigInt(size);
      if (elements < 0n || BigInt(pos + 8) + bytes > BigInt(data.length)) return { walks };
      pos += 8 + Number(bytes);
    } else {
      if (pos + 8 > data.length) return { walks };
      const ndim = data.readInt32LE(pos);
      const end = pos + 8 + 16 * ndim + 8;
      if (ndim < 0 || end > data.length) return { walks };
      pos = end;
    }
  }
  // storages: the storage views; tensors: nothing more
  if (name === 'storages') next();
  return { walks };
}

/**
 * The int (or bool, which `range` takes as 0 or 1) a one-value pickle holds: PROTO and FRAME, one int opcode, a
 * memo store, STOP. Undefined for anything else.
 */
function intValue(data: Buffer, start: number, end: number): number | undefined {
  let pos = start;
  let value: number | undefined;
  while (pos < end) {
    const op = data[pos];
    if (op === 0x80)
      pos += 2; // PROTO
    else if (op === 0x95)
      pos += 9; // FRAME
    else if (op === 0x94)
      pos += 1; // MEMOIZE
    else if (op === 0x71)
      pos += 2; // BINPUT
    else if (op === 0x72)
      pos += 5; // LONG_BINPUT
    else if (op === 0x2e)
      return value; // STOP
    else if (value !== undefined) return undefined;
    else if (op === 0x4b)
      [value, pos] = [data[pos + 1], pos + 2]; // BININT1
    else if (op === 0x4d)
      [value, pos] = [data.readUInt16LE(pos + 1), pos + 3]; // BININT2
    else if (op === 0x4a)
      [value, pos] = [data.readInt32LE(pos + 1), pos + 5]; // BININT
    else if (op === 0x88 || op === 0x89)
      [value, pos] = [op === 0x88 ? 1 : 0, pos + 1]; // NEWTRUE, NEWFALSE
    else if (op === 0x8a) {
      // LONG1: little-endian two's complement
      const n = data[pos + 1];
      let v = 0n;
      for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + 2 + i]);
      if (n > 0 && data[pos + 1 + n] & 0x80) v -= 1n << BigInt(8 * n);
      value = Number(v);
      pos += 2 + n;
    } else if (op === 0x49 || op === 0x4c) {
      // INT, LONG: a decimal line (INT's 00 and 01 are False and True)
      const eol = data.indexOf(0x0a, pos);
      if (eol < 0 || eol >= end) return undefined;
      const text = data.toString('latin1', pos + 1, eol).replace(/L$/, '');
      if (!/^[-+]?\d+$/.test(text)) return undefined;
      value = Number(text);
      pos = eol + 1;
    } else return undefined;
  }
  return undefined;
}

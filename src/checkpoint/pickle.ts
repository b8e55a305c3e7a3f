/**
 * A static pickle opcode walker: reads every opcode of protocols 0–5 without executing anything, and reports the
 * globals a pickle references (GLOBAL, INST, STACK_GLOBAL — also when module and name come from the memo) and the
 * opcodes torch's weights_only unpickler would refuse. Bounded in opcodes, stack, memo and nesting; never throws on
 * bad input (the problem is returned in `error`).
 *
 * Sources: CPython Lib/pickletools.py (opcode table and argument formats), Lib/_compat_pickle.py (Python 2 → 3 names),
 * torch/_weights_only_unpickler.py 2.10 (the 34 accepted opcodes, blocked modules).
 */

/** One global a pickle references, as torch would name it (`module.name` after the Python 2 → 3 mapping). */
export interface PickleGlobal {
  name: string;
  opcode: 'GLOBAL' | 'INST' | 'STACK_GLOBAL';
  /** Byte offset of the opcode within the walked buffer. */
  offset: number;
  /** True when it lies after the first STOP (torch never reads it). */
  afterStop: boolean;
  /**
   * The attribute path after the imported module (`pickle.loads` of `torch.serialization` + `pickle.loads`), present
   * only when it has more than one segment: from protocol 4 the unpickler resolves it attribute by attribute
   * (CPython `_pickle.c` `find_class`: `get_deep_attribute` when `proto >= 4`), so it can reach any module the imported
   * one imports.
   */
  path?: string;
}

export interface UnsupportedOpcode {
  opcode: string;
  offset: number;
  afterStop: boolean;
}

export interface WalkResult {
  globals: PickleGlobal[];
  /** Opcodes the weights_only unpickler rejects ("Unsupported operand"), in order. */
  unsupported: UnsupportedOpcode[];
  /** Byte offset just after the first STOP, or undefined when there is none. */
  firstStopEnd?: number;
  /** The highest protocol a PROTO opcode declared. */
  protocol?: number;
  /** Why the walk ended early (truncated data, an unknown opcode, a limit). */
  error?: string;
  /** True when `error` is a limit of {@link WalkLimits} (the data may be fine; it was not read to the end). */
  limitHit?: boolean;
  /** Byte offset where the walk stopped (after the first STOP with `single`). */
  end: number;
  /** Dtype codes (`"f8"`) passed to `numpy.dtype` by REDUCE before the first STOP, each once (at most 64). */
  numpyDtypes: string[];
  /**
   * The storages named by BINPERSID before the first STOP as `("storage", <class>, "<key>", <location>, <numel>…)`
   * (torch.save's persistent ids), each key once, at most 100,000: class as a global name, numel in elements.
   */
  storages: { key: string; type: string; numel: number }[];
}

/** The name of a STACK_GLOBAL whose module or name is not a string known without running the pickle. */
export const UNRESOLVED = '<unresolved>.<unresolved>';

export interface WalkLimits {
  /** Opcodes walked, over all pickles in the data. */
  maxOpcodes: number;
  /** Values on the stack, and MARK nesting depth. */
  maxStack: number;
  /** Distinct memo entries. */
  maxMemo: number;
  /** Wall time for one walk, in milliseconds (checked every 65,536 opcodes); the inspector shares it over a file. */
  maxMillis: number;
  /** Distinct globals and unsupported opcodes recorded (memory for the report). */
  maxDistinct: number;
}

export const DEFAULT_LIMITS: WalkLimits = {
  maxOpcodes: 50_000_000,
  maxStack: 10_000_000,
  maxMemo: 1_000_000,
  maxMillis: 10_000,
  maxDistinct: 100_000,
};

/** Argument formats (pickletools): fixed byte counts, length-prefixed data, or newline-terminated lines. */
type Arg = { fixed: number } | { lengthBytes: 1 | 4 | 8 } | { lines: 1 | 2 } | { none: true };

interface OpcodeInfo {
  name: string;
  arg: Arg;
}

const NONE: Arg = { none: true };
const OPCODES = new Map<number, OpcodeInfo>(
  (
    [
      ['(', 'MARK', NONE],
      ['.', 'STOP', NONE],
      ['0', 'POP', NONE],
      ['1', 'POP_MARK', NONE],
      ['2', 'DUP', NONE],
      ['F', 'FLOAT', { lines: 1 }],
      ['I', 'INT', { lines: 1 }],
      ['J', 'BININT', { fixed: 4 }],
      ['K', 'BININT1', { fixed: 1 }],
      ['L', 'LONG', { lines: 1 }],
      ['M', 'BININT2', { fixed: 2 }],
      ['N', 'NONE', NONE],
      ['P', 'PERSID', { lines: 1 }],
      ['Q', 'BINPERSID', NONE],
      ['R', 'REDUCE', NONE],
      ['S', 'STRING', { lines: 1 }],
      ['T', 'BINSTRING', { lengthBytes: 4 }],
      ['U', 'SHORT_BINSTRING', { lengthBytes: 1 }],
      ['V', 'UNICODE', { lines: 1 }],
      ['X', 'BINUNICODE', { lengthBytes: 4 }],
      ['a', 'APPEND', NONE],
      ['b', 'BUILD', NONE],
      ['c', 'GLOBAL', { lines: 2 }],
      ['d', 'DICT', NONE],
      ['}', 'EMPTY_DICT', NONE],
      ['e', 'APPENDS', NONE],
      ['g', 'GET', { lines: 1 }],
      ['h', 'BINGET', { fixed: 1 }],
      ['i', 'INST', { lines: 2 }],
      ['j', 'LONG_BINGET', { fixed: 4 }],
      ['l', 'LIST', NONE],
      [']', 'EMPTY_LIST', NONE],
      ['o', 'OBJ', NONE],
      ['p', 'PUT', { lines: 1 }],
      ['q', 'BINPUT', { fixed: 1 }],
      ['r', 'LONG_BINPUT', { fixed: 4 }],
      ['s', 'SETITEM', NONE],
      ['t', 'TUPLE', NONE],
      [')', 'EMPTY_TUPLE', NONE],
      ['u', 'SETITEMS', NONE],
      ['G', 'BINFLOAT', { fixed: 8 }],
      ['\x80', 'PROTO', { fixed: 1 }],
      ['\x81', 'NEWOBJ', NONE],
      ['\x82', 'EXT1', { fixed: 1 }],
      ['\x83', 'EXT2', { fixed: 2 }],
      ['\x84', 'EXT4', { fixed: 4 }],
      ['\x85', 'TUPLE1', NONE],
      ['\x86', 'TUPLE2', NONE],
      ['\x87', 'TUPLE3', NONE],
      ['\x88', 'NEWTRUE', NONE],
      ['\x89', 'NEWFALSE', NONE],
      ['\x8a', 'LONG1', { lengthBytes: 1 }],
      ['\x8b', 'LONG4', { lengthBytes: 4 }],
      ['B', 'BINBYTES', { lengthBytes: 4 }],
      ['C', 'SHORT_BINBYTES', { lengthBytes: 1 }],
      ['\x8c', 'SHORT_BINUNICODE', { lengthBytes: 1 }],
      ['\x8d', 'BINUNICODE8', { lengthBytes: 8 }],
      ['\x8e', 'BINBYTES8', { lengthBytes: 8 }],
      ['\x8f', 'EMPTY_SET', NONE],
      ['\x90', 'ADDITEMS', NONE],
      ['\x91', 'FROZENSET', NONE],
      ['\x92', 'NEWOBJ_EX', NONE],
      ['\x93', 'STACK_GLOBAL', NONE],
      ['\x94', 'MEMOIZE', NONE],
      ['\x95', 'FRAME', { fixed: 8 }],
      ['\x96', 'BYTEARRAY8', { lengthBytes: 8 }],
      ['\x97', 'NEXT_BUFFER', NONE],
      ['\x98', 'READONLY_BUFFER', NONE],
    ] as [string, string, Arg][]
  ).map(([code, name, arg]) => [code.charCodeAt(0), { name, arg }]),
);

/** The pickle opcode name of a byte (`0x47` → `BINFLOAT`), or undefined when no opcode has it. */
export function opcodeName(byte: number): string | undefined {
  return OPCODES.get(byte)?.name;
}

/**
 * The opcodes torch/_weights_only_unpickler.py `Unpickler.load` accepts (2.4.0, 2.6.0, 2.10; 1.13.1 lacks BINFLOAT);
 * any other is "Unsupported operand".
 */
export const WEIGHTS_ONLY_OPCODES: ReadonlySet<string> = new Set([
  'GLOBAL',
  'NEWOBJ',
  'REDUCE',
  'BUILD',
  'APPEND',
  'APPENDS',
  'SETITEM',
  'SETITEMS',
  'MARK',
  'TUPLE',
  'TUPLE1',
  'TUPLE2',
  'TUPLE3',
  'NONE',
  'NEWFALSE',
  'NEWTRUE',
  'EMPTY_TUPLE',
  'EMPTY_LIST',
  'EMPTY_DICT',
  'EMPTY_SET',
  'BININT',
  'BININT1',
  'BININT2',
  'BINFLOAT',
  'BINUNICODE',
  'SHORT_BINSTRING',
  'BINPERSID',
  'BINGET',
  'LONG_BINGET',
  'BINPUT',
  'LONG_BINPUT',
  'LONG1',
  'PROTO',
  'STOP',
]);

/** CPython Lib/_compat_pickle.py: Python 2 module names (IMPORT_MAPPING) and (module, name) pairs (NAME_MAPPING). */
const IMPORT_MAPPING: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  cPickle: 'pickle',
  cStringIO: 'io',
  StringIO: 'io',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  whichdb: 'dbm',
  anydbm: 'dbm',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  _abcoll: 'collections.abc',
  commands: 'subprocess',
  HTMLParser: 'html.parser',
  httplib: 'http.client',
  cookielib: 'http.cookiejar',
  __main__: '__main__',
};
const NAME_MAPPING: Readonly<Record<string, string>> = {
  '__builtin__.xrange': 'builtins.range',
  '__builtin__.reduce': 'functools.reduce',
  '__builtin__.intern': 'sys.intern',
  '__builtin__.unichr': 'builtins.chr',
  '__builtin__.unicode': 'builtins.str',
  '__builtin__.long': 'builtins.int',
  '__builtin__.basestring': 'builtins.str',
  'itertools.izip': 'builtins.zip',
  'itertools.imap': 'builtins.map',
  'itertools.ifilter': 'builtins.filter',
  'itertools.ifilterfalse': 'itertools.filterfalse',
  'itertools.izip_longest': 'itertools.zip_longest',
  'UserDict.IterableUserDict': 'collections.UserDict',
  'UserList.UserList': 'collections.UserList',
  'UserString.UserString': 'collections.UserString',
  'whichdb.whichdb': 'dbm.whichdb',
  '_socket.fromfd': 'socket.fromfd',
  '_multiprocessing.Connection': 'multiprocessing.connection.Connection',
  'multiprocessing.process.Process': 'multiprocessing.context.Process',
  'multiprocessing.forking.Popen': 'multiprocessing.popen_fork.Popen',
  'urllib.ContentTooShortError': 'urllib.error.ContentTooShortError',
  'urllib.getproxies': 'urllib.request.getproxies',
  'urllib.pathname2url': 'urllib.request.pathname2url',
  'urllib.quote_plus': 'urllib.parse.quote_plus',
  'urllib.quote': 'urllib.parse.quote',
  'urllib.unquote_plus': 'urllib.parse.unquote_plus',
  'urllib.unquote': 'urllib.parse.unquote',
  'urllib.url2pathname': 'urllib.request.url2pathname',
  'urllib.urlcleanup': 'urllib.request.urlcleanup',
  'urllib.urlencode': 'urllib.parse.urlencode',
  'urllib.urlopen': 'urllib.request.urlopen',
  'urllib.urlretrieve': 'urllib.request.urlretrieve',
  'urllib2.HTTPError': 'urllib.error.HTTPError',
  'urllib2.URLError': 'urllib.error.URLError',
};

/** `module.name` as torch matches it: Python 2 names mapped to Python 3 (pickle's `fix_imports`). */
export function py3Name(module: string, name: string): string {
  const pair = NAME_MAPPING[`${module}.${name}`];
  if (pair) return pair;
  return `${IMPORT_MAPPING[module] ?? module}.${name}`;
}

/** A symbolic stack value: strings are tracked (for STACK_GLOBAL), everything else is opaque. */
/** What the walk knows of a stack value: a string, a global, a small tuple, or nothing. */
type Value = { str: string } | { global: string } | { tuple: Value[] } | { int: number } | null;

/**
 * Walks every pickle in `data` from `start`: the first one, and any that follow its STOP (reported with
 * `afterStop`). Stops at the end of the data, at bytes that are not an opcode after a STOP (trailing data), or at a
 * limit. With `single`, stops after the first STOP (the legacy format's pickles in a row, then raw bytes).
 * `supported`: the opcodes the judged torch accepts (default {@link WEIGHTS_ONLY_OPCODES}); others go to `unsupported`.
 */
export function walkPickle(
  data: Uint8Array,
  limits: WalkLimits = DEFAULT_LIMITS,
  start = 0,
  options: { single?: boolean; supported?: ReadonlySet<string> } = {},
): WalkResult {
  const supported = options.supported ?? WEIGHTS_ONLY_OPCODES;
  const result: WalkResult = { globals: [], unsupported: [], end: start, numpyDtypes: [], storages: [] };
  const storageKeys = new Set<string>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = start;
  let stack: Value[] = [];
  const metastack: Value[][] = [];
  let depth = 0;
  const memo = new Map<number, Value>();
  let afterStop = false;
  let opcodes = 0;
  const latin1 = (from: number, to: number) =>
    Buffer.from(data.buffer, data.byteOffset + from, to - from).toString('latin1');
  const utf8 = (from: number, to: number) =>
    Buffer.from(data.buffer, data.byteOffset + from, to - from).toString('utf8');

  const fail = (message: string, limitHit = false): WalkResult => ({
    ...result,
    end: pos,
    error: message,
    ...(limitHit && { limitHit }),
  });
  const started = Date.now();
  // each distinct global (name, opcode, before/after STOP) and unsupported opcode is kept once, at its first offset:
  // a file repeating one GLOBAL millions of times costs no memory
  const seen = new Set<string>();
  const note = (key: string, add: () => void) => {
    if (!seen.has(key)) {
      if (seen.size >= limits.maxDistinct)
        throw new WalkLimit(`more than ${limits.maxDistinct} distinct globals and unsupported opcodes`);
      seen.add(key);
      add();
    }
  };
  const push = (v: Value) => {
    if (stack.length >= limits.maxStack) throw new WalkLimit(`stack larger than ${limits.maxStack}`);
    stack.push(v);
  };
  // before the first STOP, a pop from an empty stack (or past the last MARK) or a missing MARK makes the unpickler
  // fail there (IndexError in torch's weights_only unpickler, "unpickling stack underflow" / "could not find MARK" in
  // CPython's): the walk ends with that error. After a STOP (data torch never reads) the walk goes on regardless
  let underflow = false;
  const pop = (): Value => {
    if (stack.length === 0 && !afterStop) underflow = true;
    return stack.pop() ?? null;
  };
  const popMark = (): Value[] => {
    if (metastack.length === 0 && !afterStop) underflow = true;
    return metastack.pop() ?? [];
  };
  // a line argument's bytes (without the newline), as [from, to)
  const readLine = (): [number, number] | undefined => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) return undefined;
    const line: [number, number] = [pos, end];
    pos = end + 1;
    return line;
  };
  const remember = (index: number, value: Value) => {
    // PUT, BINPUT, LONG_BINPUT and MEMOIZE store the value on top: there must be one
    if (stack.length === 0 && !afterStop) underflow = true;
    if (!memo.has(index) && memo.size >= limits.maxMemo) throw new WalkLimit(`memo larger than ${limits.maxMemo}`);
    memo.set(index, value);
  };

  try {
    while (pos < data.length) {
      if (++opcodes > limits.maxOpcodes) return fail(`more than ${limits.maxOpcodes} opcodes`, true);
      if ((opcodes & 0xffff) === 0 && Date.now() - started > limits.maxMillis)
        return fail('reading took longer than the time limit', true);
      const offset = pos;
      const info = OPCODES.get(data[pos]);
      if (!info) {
        // after a STOP, bytes that are not a pickle are trailing data (torch ignores them)
        return afterStop
          ? { ...result, end: pos }
          : fail(`unknown opcode 0x${data[pos].toString(16).padStart(2, '0')} at byte ${pos}`);
      }
      pos++;
      if (!supported.has(info.name))
        note(`${info.name}\0${afterStop}`, () => result.unsupported.push({ opcode: info.name, offset, afterStop }));

      // read the argument
      let text: string | undefined;
      // a string value, as the unpickler decodes it (undefined when it would fail to: the value is then unknown)
      let decoded: string | undefined;
      let globalName: string | undefined;
      let int = 0;
      const arg = info.arg;
      if ('fixed' in arg) {
        if (pos + arg.fixed > data.length) return fail(`truncated ${info.name} at byte ${offset}`);
        int =
          arg.fixed === 1
            ? data[pos]
            : arg.fixed === 2
              ? view.getUint16(pos, true)
              : arg.fixed === 4
                ? view.getUint32(pos, true)
                : 0;
        pos += arg.fixed;
      } else if ('lengthBytes' in arg) {
        if (pos + arg.lengthBytes > data.length) return fail(`truncated ${info.name} at byte ${offset}`);
        const length =
          arg.lengthBytes === 1
            ? data[pos]
            : arg.lengthBytes === 4
              ? view.getUint32(pos, true)
              : Number(view.getBigUint64(pos, true));
        pos += arg.lengthBytes;
        if (!Number.isSafeInteger(length) || pos + length > data.length)
          return fail(`truncated ${info.name} at byte ${offset}`);
        // Python 2 strings are decoded with the unpickler's encoding: torch.load passes utf-8
        // (torch/serialization.py `load`: `pickle_load_args['encoding'] = 'utf-8'`)
        if (STRING_OPCODES.has(info.name)) text = utf8(pos, pos + length);
        pos += length;
      } else if ('lines' in arg) {
        const first = readLine();
        const second = arg.lines === 2 ? readLine() : ([pos, pos] as [number, number]);
        if (first === undefined || second === undefined) return fail(`truncated ${info.name} at byte ${offset}`);
        text = latin1(...first);
        if (info.name === 'STRING') decoded = pythonString(data.subarray(...first));
        else if (info.name === 'UNICODE') decoded = rawUnicodeEscape(text);
        if (arg.lines === 2) {
          // GLOBAL and INST names are read as UTF-8 (CPython `_pickle.c` load_global), with no escapes
          const module = utf8(...first);
          const qualname = utf8(...second);
          const name = py3Name(module, qualname);
          globalName = name;
          note(`${name}\0${info.name}\0${afterStop}`, () =>
            result.globals.push({
              name,
              opcode: info.name as 'GLOBAL' | 'INST',
              offset,
              afterStop,
              ...(qualname.includes('.') && { path: qualname }),
            }),
          );
        }
      }

      // simulate the stack just enough to resolve STACK_GLOBAL and keep MARKs balanced
      switch (info.name) {
        case 'MARK':
          if (++depth > limits.maxStack) return fail(`nesting deeper than ${limits.maxStack}`, true);
          metastack.push(stack);
          stack = [];
          break;
        case 'STOP':
          pop();
          if (result.firstStopEnd === undefined) result.firstStopEnd = pos;
          if (options.single) return { ...result, end: pos };
          afterStop = true;
          stack = [];
          metastack.length = 0;
          depth = 0;
          memo.clear();
          break;
        case 'POP':
          pop();
          break;
        case 'POP_MARK':
        case 'APPENDS':
        case 'SETITEMS':
        case 'ADDITEMS':
          stack = popMark();
          depth = Math.max(0, depth - 1);
          // the list, dict or set they add to is the value below the MARK
          if (info.name !== 'POP_MARK' && stack.length === 0 && !afterStop) underflow = true;
          break;
        case 'GLOBAL':
          push({ global: globalName ?? '' });
          break;
        case 'TUPLE': {
          const items = stack.slice(0, 6);
          stack = popMark();
          depth = Math.max(0, depth - 1);
          push({ tuple: items });
          break;
        }
        case 'TUPLE1':
        case 'TUPLE2':
        case 'TUPLE3': {
          const n = Number(info.name.slice(-1));
          const items: Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(pop());
          push({ tuple: items });
          break;
        }
        case 'REDUCE': {
          // numpy.dtype("f8", …): the dtype codes a numpy value needs (its class is allowlisted separately)
          const args = pop();
          const fn = pop();
          if (
            fn &&
            'global' in fn &&
            fn.global === 'numpy.dtype' &&
            args &&
            'tuple' in args &&
            args.tuple[0] &&
            'str' in args.tuple[0] &&
            !afterStop
          ) {
            const code = args.tuple[0].str;
            if (!result.numpyDtypes.includes(code) && result.numpyDtypes.length < 64) result.numpyDtypes.push(code);
          }
          push(null);
          break;
        }
        case 'LIST':
        case 'DICT':
        case 'FROZENSET':
        case 'INST':
        case 'OBJ':
          stack = popMark();
          depth = Math.max(0, depth - 1);
          push(null);
          break;
        case 'DUP':
          if (stack.length === 0 && !afterStop) underflow = true;
          push(stack[stack.length - 1] ?? null);
          break;
        case 'STRING':
        case 'UNICODE':
          // a string the unpickler would refuse stops the load there; unknown here (a STACK_GLOBAL fed by it is
          // unresolved, which fails closed)
          push(decoded === undefined ? null : { str: decoded });
          break;
        case 'BINUNICODE':
        case 'SHORT_BINUNICODE':
        case 'BINUNICODE8':
        case 'SHORT_BINSTRING':
        case 'BINSTRING':
          push({ str: text ?? '' });
          break;
        case 'PUT': {
          const index = pythonInt(text ?? '');
          if (index === undefined) return fail(`invalid PUT index ${JSON.stringify(text)} at byte ${offset}`);
          remember(index, stack[stack.length - 1] ?? null);
          break;
        }
        case 'BINPUT':
        case 'LONG_BINPUT':
          remember(int, stack[stack.length - 1] ?? null);
          break;
        case 'MEMOIZE':
          remember(memo.size, stack[stack.length - 1] ?? null);
          break;
        case 'GET': {
          const index = pythonInt(text ?? '');
          if (index === undefined) return fail(`invalid GET index ${JSON.stringify(text)} at byte ${offset}`);
          push(memo.get(index) ?? null);
          break;
        }
        case 'BINGET':
        case 'LONG_BINGET':
          push(memo.get(int) ?? null);
          break;
        case 'STACK_GLOBAL': {
          const name = pop();
          const module = pop();
          const known = module && name && 'str' in module && 'str' in name;
          const qualified = known ? py3Name(module.str, name.str) : UNRESOLVED;
          const path = known && name.str.includes('.') ? name.str : undefined;
          note(`${qualified}\0STACK_GLOBAL\0${afterStop}`, () =>
            result.globals.push({
              name: qualified,
              opcode: 'STACK_GLOBAL',
              offset,
              afterStop,
              ...(path !== undefined && { path }),
            }),
          );
          push({ global: qualified });
          break;
        }
        case 'PROTO':
          result.protocol = Math.max(result.protocol ?? 0, int);
          break;
        case 'BININT1':
        case 'BININT2':
          push({ int });
          break;
        case 'BININT':
          push({ int: view.getInt32(offset + 1, true) });
          break;
        case 'LONG1': {
          // little-endian two's complement; only small ones are kept (element counts)
          const length = data[offset + 1];
          let value = 0;
          for (let i = length - 1; i >= 0; i--) value = value * 256 + data[offset + 2 + i];
          push(length <= 6 && (length === 0 || data[offset + 1 + length] < 0x80) ? { int: value } : null);
          break;
        }
        case 'BINPERSID': {
          // torch.save's storages: ("storage", <class>, "<key>", <location>, <numel>, …)
          const id = pop();
          const items = id && 'tuple' in id ? id.tuple : [];
          const [tag, type, key, , numel] = items;
          if (
            !afterStop &&
            tag &&
            'str' in tag &&
            tag.str === 'storage' &&
            type &&
            'global' in type &&
            key &&
            'str' in key &&
            numel &&
            'int' in numel &&
            !storageKeys.has(key.str) &&
            storageKeys.size < 100_000
          ) {
            storageKeys.add(key.str);
            result.storages.push({ key: key.str, type: type.global, numel: numel.int });
          }
          push(null);
          break;
        }
        case 'APPEND':
        case 'SETITEM':
        case 'BUILD':
        case 'NEWOBJ':
        case 'NEWOBJ_EX': {
          const [pops, pushes] = STACK_EFFECT[info.name];
          for (let i = 0; i < pops; i++) pop();
          // APPEND, SETITEM and BUILD change the value left on top: there must be one
          if (pushes === 0 && stack.length === 0 && !afterStop) underflow = true;
          for (let i = 0; i < pushes; i++) push(null);
          break;
        }
        case 'FRAME':
        case 'READONLY_BUFFER':
          break;
        default:
          // every other opcode pushes one opaque value (numbers, None, empty containers, bytes, GLOBAL, …)
          push(null);
      }
      if (underflow) return fail(`${info.name} at byte ${offset} finds too few values or no MARK on the stack`);
    }
    return afterStop ? { ...result, end: pos } : fail(`truncated data: no STOP before byte ${pos}`);
  } catch (error) {
    if (error instanceof WalkLimit) return fail(error.message, true);
    throw error;
  }
}

class WalkLimit extends Error {}

/** The value of `int(text)` in Python (base 10: surrounding whitespace, a sign, `_` between digits), or undefined. */
function pythonInt(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(t) ? Number(t.replace(/_/g, '')) : undefined;
}

/** Values popped and pushed by opcodes whose results are opaque (Lib/pickletools.py stack_before/stack_after). */
const STACK_EFFECT: Record<string, [number, number]> = {
  APPEND: [1, 0],
  SETITEM: [2, 0],
  BUILD: [1, 0],
  REDUCE: [2, 1],
  NEWOBJ: [2, 1],
  BINPERSID: [1, 1],
  TUPLE1: [1, 1],
  TUPLE2: [2, 1],
  TUPLE3: [3, 1],
  NEWOBJ_EX: [3, 1],
};

/** The opcodes of Python 2 `str` values (decoded with the unpickler's encoding). */
const STRING_OPCODES = new Set(['BINUNICODE', 'SHORT_BINUNICODE', 'BINUNICODE8', 'SHORT_BINSTRING', 'BINSTRING']);

/**
 * A protocol 0 STRING argument (the line without its newline) as the unpickler reads it, or undefined where it raises:
 * the outer quotes must match, the rest is `codecs.escape_decode`d (CPython `_pickle.c` load_string,
 * `Objects/bytesobject.c` `_PyBytes_DecodeEscape`: `\\ \' \" \a \b \f \n \r \t \v`, up to three octal digits (the
 * low 8 bits), `\xhh` with exactly two hex digits, a backslash before a newline dropped, any other escape kept as
 * it is; a trailing backslash is an error), then decoded as UTF-8 (torch.load's encoding).
 */
export function pythonString(line: Uint8Array): string | undefined {
  const quote = line[0];
  if (line.length < 2 || line[line.length - 1] !== quote || (quote !== 0x27 && quote !== 0x22)) return undefined;
  const out: number[] = [];
  const end = line.length - 1;
  const simple: Record<number, number> = {
    0x5c: 0x5c,
    0x27: 0x27,
    0x22: 0x22,
    0x61: 7,
    0x62: 8,
    0x66: 12,
    0x6e: 10,
    0x72: 13,
    0x74: 9,
    0x76: 11,
  };
  const hex = (c: number | undefined) =>
    c === undefined
      ? -1
      : c >= 0x30 && c <= 0x39
        ? c - 0x30
        : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
          ? (c | 0x20) - 0x57
          : -1;
  for (let i = 1; i < end; i++) {
    const c = line[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (++i >= end) return undefined; // "Trailing \ in string"
    const e = line[i];
    if (e in simple) out.push(simple[e]);
    else if (e === 0x0a) continue;
    else if (e >= 0x30 && e <= 0x37) {
      let value = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < end && line[i + 1] >= 0x30 && line[i + 1] <= 0x37; k++)
        value = value * 8 + line[++i] - 0x30;
      out.push(value & 0xff);
    } else if (e === 0x78) {
      const high = hex(i + 1 < end ? line[i + 1] : undefined);
      const low = hex(i + 2 < end ? line[i + 2] : undefined);
      if (high < 0 || low < 0) return undefined; // "invalid \x escape"
      out.push(high * 16 + low);
      i += 2;
    } else out.push(0x5c, e);
  }
  try {
    return STRICT_UTF8.decode(Uint8Array.from(out));
  } catch {
    return undefined; // UnicodeDecodeError
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A protocol 0 UNICODE argument as `str(line, 'raw-unicode-escape')` reads it (CPython `_pickle.c` load_unicode,
 * `Objects/unicodeobject.c` `_PyUnicode_DecodeRawUnicodeEscapeStateful`), or undefined where that raises: `\uXXXX`
 * (four hex digits) and `\UXXXXXXXX` (eight, at most U+10FFFF) are decoded, a backslash before anything else is kept
 * with that character, every other byte is its Latin-1 character. `text` is the line read as Latin-1.
 */
export function rawUnicodeEscape(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const e = text[++i];
    const count = e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (count === 0) {
      out += c + e;
      continue;
    }
    const digits = text.slice(i + 1, i + 1 + count);
    if (!new RegExp(`^[0-9a-fA-F]{${count}}$`).test(digits)) return undefined; // "truncated \uXXXX escape"
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) return undefined; // "\Uxxxxxxxx out of range"
    out += String.fromCodePoint(code);
    i += count;
  }
  return out;
}

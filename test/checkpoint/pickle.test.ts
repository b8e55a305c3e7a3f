import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURE_GLOBALS, FIXTURES_DIR } from '../helpers/fixtures';
import { DEFAULT_LIMITS, walkPickle } from '../../src/checkpoint/pickle';

/** Pickles made by CPython here, from an expression, at a protocol. */
function pickled(expression: string, protocol: number, imports = ''): Buffer {
  const script = `import pickle, sys\n${imports}\nsys.stdout.buffer.write(pickle.dumps(${expression}, protocol=${protocol}))`;
  return execFileSync('python3', ['-c', script]);
}

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const names = (data: Uint8Array) => walkPickle(data).globals.map((g) => `${g.opcode} ${g.name}${g.afterStop ? ' after-stop' : ''}`);

describe('walkPickle', () => {
  test('plain data at protocol 2: no globals, nothing unsupported', () => {
    const data = pickled('{"a": [1, 2.5, "x", None, True], "b": (1, 2)}', 2);
    expect(walkPickle(data)).toEqual({ globals: [], unsupported: [], firstStopEnd: data.length, protocol: 2, end: data.length, numpyDtypes: [], storages: [] });
  });

  test('numpy.dtype codes passed by REDUCE are collected (their classes must be allowlisted too)', () => {
    const data = bytes('\x80\x02cnumpy\ndtype\nX\x02\x00\x00\x00f8\x89\x88\x87R0cnumpy\ndtype\nX\x02\x00\x00\x00i4\x85R0N.');
    expect(walkPickle(data).numpyDtypes).toEqual(['f8', 'i4']);
  });

  test('GLOBAL at protocol 2, with the Python 2 builtins module mapped', () => {
    expect(names(pickled('argparse.Namespace(a=1)', 2, 'import argparse'))).toEqual(['GLOBAL argparse.Namespace']);
    expect(names(bytes("c__builtin__\neval\n(S'1+1'\ntR."))).toEqual(['GLOBAL builtins.eval']);
  });

  test('protocol 4: STACK_GLOBAL and the opcodes weights_only refuses', () => {
    const data = pickled('collections.OrderedDict(a="x")', 4, 'import collections');
    const walk = walkPickle(data);
    expect(walk.globals.map((g) => `${g.opcode} ${g.name}`)).toEqual(['STACK_GLOBAL collections.OrderedDict']);
    expect([...new Set(walk.unsupported.map((u) => u.opcode))].sort()).toEqual(['FRAME', 'MEMOIZE', 'SHORT_BINUNICODE', 'STACK_GLOBAL'].sort());
  });

  test('STACK_GLOBAL whose module and name come from the memo', () => {
    // PROTO 4, "os" MEMOIZE, "system" MEMOIZE, POP, POP, BINGET 0, BINGET 1, STACK_GLOBAL, "ls" TUPLE1, REDUCE, STOP
    const data = bytes(
      [0x80, 4],
      [0x8c, 2],
      'os',
      [0x94],
      [0x8c, 6],
      'system',
      [0x94, 0x30, 0x30, 0x68, 0, 0x68, 1, 0x93],
      [0x8c, 2],
      'ls',
      [0x85, 0x52, 0x2e],
    );
    expect(names(data)).toEqual(['STACK_GLOBAL os.system']);
  });

  test('a second pickle after the first STOP is walked and marked', () => {
    const data = Buffer.concat([pickled('{"a": 1}', 2), bytes("cposix\nsystem\n(S'id'\ntR.")]);
    const walk = walkPickle(data);
    expect(names(data)).toEqual(['GLOBAL posix.system after-stop']);
    expect(walk.firstStopEnd).toBe(pickled('{"a": 1}', 2).length);
  });

  test('garbage after STOP ends the walk quietly; garbage before it is an error', () => {
    const good = pickled('[1]', 2);
    expect(walkPickle(Buffer.concat([good, Buffer.from([0xff, 0xfe, 0x00])])).error).toBeUndefined();
    expect(walkPickle(Buffer.from([0x80, 2, 0xff])).error).toBe('unknown opcode 0xff at byte 2');
  });

  test('a pop the unpickler cannot make (empty stack, no MARK) ends the walk with an error before STOP, not after', () => {
    const b = (s: string) => Buffer.from(s, 'latin1');
    // APPENDS without a MARK, POP of an empty stack, SETITEM with one value (found by the oracle: torch's
    // weights_only unpickler raised IndexError where the walk went on)
    expect(walkPickle(b('\x80\x02]e.')).error).toBe('APPENDS at byte 3 finds too few values or no MARK on the stack');
    expect(walkPickle(b('\x80\x020N.')).error).toBe('POP at byte 2 finds too few values or no MARK on the stack');
    expect(walkPickle(b('\x80\x02}Ns.')).error).toBe('SETITEM at byte 4 finds too few values or no MARK on the stack');
    expect(walkPickle(b('\x80\x02q\x00N.')).error).toBe('BINPUT at byte 2 finds too few values or no MARK on the stack');
    // balanced, the same opcodes walk cleanly; after a STOP torch reads nothing, and the walk goes on to the global
    expect(walkPickle(b('\x80\x02]q\x00(Ne}NNs02.')).error).toBeUndefined();
    const after = walkPickle(b('\x80\x02N.0cposix\nsystem\n.'));
    expect([after.error, after.globals.map((g) => [g.name, g.afterStop])]).toEqual([undefined, [['posix.system', true]]]);
  });

  test('truncated data is reported, not thrown', () => {
    const data = pickled('{"key": "value"}', 2);
    expect(walkPickle(data.subarray(0, 8)).error).toMatch(/^truncated /);
    expect(walkPickle(bytes('cos\nsys')).error).toBe('truncated GLOBAL at byte 0');
  });

  test('limits bound nesting, stack, opcodes; a huge memo index is just a key', () => {
    const deep = Buffer.alloc(100_000, 0x28); // 100k MARKs
    expect(walkPickle(deep, { ...DEFAULT_LIMITS, maxStack: 1000 }).error).toBe('nesting deeper than 1000');
    expect(walkPickle(Buffer.alloc(10_000, 0x4e), { ...DEFAULT_LIMITS, maxOpcodes: 5000 }).error).toBe('more than 5000 opcodes');
    expect(walkPickle(bytes([0x80, 2, 0x4e, 0x72, 0xff, 0xff, 0xff, 0xff, 0x2e])).error).toBeUndefined();
    // distinct globals (and unsupported opcodes, here POP) are bounded; a repeated one counts once
    const three = bytes('\x80\x02ca\nb\n0ca\nb\n0cc\nd\n0ce\nf\n0N.');
    expect(walkPickle(three, { ...DEFAULT_LIMITS, maxDistinct: 3 })).toMatchObject({
      error: 'more than 3 distinct globals and unsupported opcodes',
      limitHit: true,
    });
    expect(walkPickle(three, { ...DEFAULT_LIMITS, maxDistinct: 4 }).globals.map((g) => g.name)).toEqual(['a.b', 'c.d', 'e.f']);
    // the time limit is checked every 65,536 opcodes (a negative limit trips at the first check)
    expect(walkPickle(Buffer.alloc(100_000, 0x4e), { ...DEFAULT_LIMITS, maxMillis: -1 })).toMatchObject({
      error: 'reading took longer than the time limit',
      limitHit: true,
    });
  });
});

describe('legacy checkpoints in the fixtures (five pickles in a row)', () => {
  const dir = FIXTURES_DIR;
  const expected = (file: string) => FIXTURE_GLOBALS[file];

  test.each(['legacy_state_dict.pt', 'legacy_training_ckpt.pt', 'malicious_os_system_legacy.pt'])('%s', (file) => {
    const data = fs.readFileSync(path.join(dir, file));
    const found = new Set<string>();
    let start = 0;
    for (let i = 0; i < 5; i++) {
      const walk = walkPickle(data, DEFAULT_LIMITS, start, { single: true });
      expect(walk.error).toBeUndefined();
      walk.globals.forEach((g) => found.add(g.name));
      start = walk.end;
    }
    expect([...found].sort()).toEqual([...new Set(expected(file))].sort());
  });

  test('plain_pickle.pkl', () => {
    expect(walkPickle(fs.readFileSync(path.join(dir, 'plain_pickle.pkl'))).globals.map((g) => g.name)).toEqual(expected('plain_pickle.pkl'));
  });
});

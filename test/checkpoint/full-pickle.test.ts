import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { inspectCheckpoint, type Inspection, RAW_PICKLE_NOTE } from '../../src/checkpoint/inspect';
import { pythonString, rawUnicodeEscape, walkPickle } from '../../src/checkpoint/pickle';
import { tempRepo } from '../helpers/cli';

// issue 13: every reading torch's full unpickler could take is walked (files from make_full_pickle.py, bytes only)
const dir = tempRepo({});
execFileSync('python3', [path.join(__dirname, 'make_full_pickle.py'), dir]);

const brief = (i: Inspection) => ({
  format: i.format,
  verdict: i.verdict,
  globals: i.globals.map((g) => `${g.name} ${g.opcode} ${g.status}`),
  messages: i.messages,
});
const inspect = async (name: string) => brief(await inspectCheckpoint(path.join(dir, name)));
const latin1 = (text: string) => Buffer.from(text, 'latin1');
const names = (text: string) => walkPickle(latin1(text)).globals.map((g) => `${g.opcode} ${g.name}${g.path ? ` (path ${g.path})` : ''}`);

describe('protocol 0 strings are decoded as pickle decodes them', () => {
  test('STRING: escape_decode, then UTF-8; a string pickle refuses is unknown', () => {
    expect(pythonString(latin1(String.raw`'\x6fs'`))).toBe('os');
    expect(pythonString(latin1(String.raw`"sy\163tem"`))).toBe('system');
    expect(pythonString(latin1(String.raw`'a\'b\\c\q'`))).toBe(String.raw`a'b\c\q`);
    expect(pythonString(latin1(String.raw`'\xc3\xa9'`))).toBe('é');
    expect(pythonString(latin1(String.raw`'\x6'`))).toBeUndefined(); // invalid \x escape
    expect(pythonString(latin1(String.raw`'a\'`))).toBeUndefined(); // trailing backslash
    expect(pythonString(latin1('os'))).toBeUndefined(); // not quoted
    expect(pythonString(latin1(String.raw`'\xff'`))).toBeUndefined(); // not UTF-8
  });

  test('UNICODE: raw-unicode-escape, no quotes stripped', () => {
    expect(rawUnicodeEscape(String.raw`\u006fs`)).toBe('os');
    expect(rawUnicodeEscape(String.raw`\U00000073ystem`)).toBe('system');
    expect(rawUnicodeEscape(String.raw`a\x41\\u0041`)).toBe(String.raw`a\x41\\u0041`);
    expect(rawUnicodeEscape("'os'")).toBe("'os'");
    expect(rawUnicodeEscape(String.raw`\u00`)).toBeUndefined();
    expect(rawUnicodeEscape(String.raw`\U00110000`)).toBeUndefined();
  });

  test('a STACK_GLOBAL fed by escaped protocol 0 strings resolves to the name pickle imports', () => {
    expect(names("\x80\x04S'\\x6fs'\nS'sy\\163tem'\n\x93S'true'\n\x85R.")).toEqual(['STACK_GLOBAL os.system']);
    expect(names('\x80\x04V\\u0070osix\nV\\u0073ystem\n\x93.')).toEqual(['STACK_GLOBAL posix.system']);
    // a string pickle would refuse leaves the name unknown: it fails closed
    expect(names("\x80\x04S'\\x6'\nS'system'\n\x93.")).toEqual(['STACK_GLOBAL <unresolved>.<unresolved>']);
  });
});

describe('attribute paths (protocol 4 resolves a dotted name by getattr)', () => {
  const write = (name: string, text: string) => tempRepo({ [name]: latin1(text) });
  const inspectBytes = async (text: string) => brief(await inspectCheckpoint(path.join(write('x.pkl', text), 'x.pkl')));

  test('pickle.loads reached through torch.serialization, by STACK_GLOBAL and by GLOBAL: dangerous', async () => {
    expect(names('\x80\x04\x8c\x13torch.serialization\x8c\x0cpickle.loads\x93.')).toEqual([
      'STACK_GLOBAL torch.serialization.pickle.loads (path pickle.loads)',
    ]);
    expect((await inspectBytes('\x80\x04\x8c\x13torch.serialization\x8c\x0cpickle.loads\x93C\x01xR.')).globals).toEqual([
      'torch.serialization.pickle.loads STACK_GLOBAL dangerous',
    ]);
    expect((await inspectBytes('\x80\x04ctorch\nserialization.os.system\n.')).globals).toEqual(['torch.serialization.os.system GLOBAL dangerous']);
  });

  test("a nested class's qualname is a path to nothing dangerous: not flagged", async () => {
    const result = await inspectBytes('\x80\x04\x8c\x05mypkg\x8c\x0bOuter.Inner\x93).');
    expect([result.verdict, result.globals]).toEqual(['unloadable', ['mypkg.Outer.Inner STACK_GLOBAL unsupported-opcode']]);
  });
});

describe('readings of a zip torch 1.13 takes (checked with weights_only=True on generated files)', () => {
  test('a cut deflate stream: what inflates is walked; posix.system before the cut is found', async () => {
    expect(await inspect('cut_deflate_evil.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system GLOBAL blocked'],
      messages: [
        'cannot read a/data.pkl: unexpected end of file',
        "a/data.pkl could not be read whole here, but torch's reader may still read it",
        'a/data.pkl: truncated BINUNICODE at byte 28',
        'a/data.pkl: opcode POP at byte 27 is not supported by the weights_only unpickler of torch 2.10 (protocol 2)',
        'what torch would read could not be read whole, so it cannot be shown safe: judged dangerous',
      ],
    });
  });

  test('a cut deflate stream naming nothing still cannot be shown safe', async () => {
    const result = await inspect('cut_deflate_safe.pt');
    expect([result.verdict, result.globals, result.messages.at(-1)]).toEqual([
      'dangerous',
      [],
      'what torch would read could not be read whole, so it cannot be shown safe: judged dangerous',
    ]);
  });

  test('a deflate stream without its final block reads whole: safe, as torch reads it', async () => {
    expect(await inspect('no_final_block.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
  });

  test('data.pkl stored after the end-of-central-directory record is read like torch reads it', async () => {
    expect(await inspect('after_end_safe.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
    expect(await inspect('after_end_evil.pt')).toEqual({ format: 'torch-zip', verdict: 'dangerous', globals: ['posix.system GLOBAL blocked'], messages: [] });
  });
});

describe('files torch.load unpickles from their first byte', () => {
  test('a valid safetensors file whose pickle reading reaches a payload 1.5 MiB in: dangerous', async () => {
    const result = await inspect('polyglot_past_1mib.safetensors');
    expect([result.format, result.verdict, result.globals]).toEqual(['pickle', 'dangerous', ['posix.system GLOBAL blocked']]);
  });

  test('a raw pickle: judged as pickle.load reads it, and the inspection says torch.load refuses it', async () => {
    const file = path.join(tempRepo({ 'raw.pkl': latin1('\x80\x02}X\x01\x00\x00\x00wNs.') }), 'raw.pkl');
    expect(brief(await inspectCheckpoint(file))).toEqual({ format: 'pickle', verdict: 'safe', globals: [], messages: [RAW_PICKLE_NOTE] });
    expect(RAW_PICKLE_NOTE).toBe(
      'a raw pickle, not a torch.save file: judged as pickle.load reads it; torch.load unpickles it as the first pickle of its legacy format and then refuses it ("Invalid magic number; corrupt file?")',
    );
  });
});

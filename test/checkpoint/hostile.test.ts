import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { inspectCheckpoint, type Inspection } from '../../src/checkpoint/inspect';
import { DEFAULT_LIMITS } from '../../src/checkpoint/pickle';
import { DEFAULT_ZIP_LIMITS } from '../../src/checkpoint/zip';
import * as fs from 'node:fs';
import { cli, tempRepo } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';

// hostile files written by make_hostile.py (standard library only) into a fresh folder
const dir = tempRepo({});
execFileSync('python3', [path.join(__dirname, 'make_hostile.py'), dir]);

const brief = (i: Inspection) => ({
  format: i.format,
  verdict: i.verdict,
  globals: i.globals.map((g) => `${g.name} ${g.opcode} ${g.status}${g.afterStop ? ' after STOP' : ''}`),
  messages: i.messages,
});
const inspect = async (name: string, options = {}) => brief(await inspectCheckpoint(path.join(dir, name), options));

describe('hostile checkpoints: read like torch, never stricter, fail closed', () => {
  test('ZIP64 extra fields and data descriptors do not hide a global', async () => {
    for (const name of ['zip64_evil.pt', 'descriptor_evil.pt']) {
      expect(await inspect(name)).toEqual({ format: 'torch-zip', verdict: 'dangerous', globals: ['posix.system GLOBAL blocked'], messages: [] });
    }
  });

  test("a renamed prefix folder is read (torch takes the first entry's)", async () => {
    expect((await inspect('renamed.pt')).verdict).toBe('dangerous');
  });

  test('members are found like torch finds them: every one of duplicates, ASCII case ignored; names torch ignores do not stop the read', async () => {
    const duplicates =
      "2 members are dup/data.pkl as torch looks names up (bytes, ASCII case ignored); which one torch reads depends on the archive's layout, so each is judged as read";
    expect(await inspect('dup_evil_first.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system GLOBAL blocked'],
      messages: [duplicates],
    });
    // which duplicate torch reads depends on miniz's sorted search: the evil one is judged as read either way
    expect((await inspect('dup_safe_first.pt')).messages).toEqual([duplicates]);
    const second = await inspectCheckpoint(path.join(dir, 'dup_safe_first.pt'));
    expect(second.globals.map((g) => [g.name, g.member, g.status])).toEqual([['posix.system', 'dup/data.pkl', 'blocked']]);
    expect(second.verdict).toBe('dangerous');
    expect((await inspect('upper_case_evil.pt')).verdict).toBe('dangerous');
    expect(await inspect('upper_version.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
    expect(await inspect('dotdot_name.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
  });

  test('STACK_GLOBAL fed from the memo resolves to its name', async () => {
    expect(await inspect('memo_stack_global.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system STACK_GLOBAL blocked'],
      messages: [
        'memo_stack_global/data.pkl: opcode SHORT_BINUNICODE at byte 2 is not supported by the weights_only unpickler of torch 2.10 (protocol 4; re-save with pickle_protocol=2)',
      ],
    });
  });

  test('a zip bomb is refused by the size or ratio limit and judged dangerous, not safe; a lying header is read like torch', async () => {
    const zipLimits = { ...DEFAULT_ZIP_LIMITS, maxMemberBytes: 1 << 20, maxRatio: 100 };
    expect(await inspect('bomb.pt', { zipLimits })).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: [],
      messages: [
        'cannot read bomb/data.pkl: member bomb/data.pkl is larger than 1048576 bytes',
        'reading by local headers: the member at byte 0 inflates past 409200 bytes',
        'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
      ],
    });
    expect((await inspect('bomb.pt', { zipLimits: { ...zipLimits, maxMemberBytes: 64 << 20 } })).messages[0]).toMatch(
      /inflates more than 100 times \(zip bomb\?\)$/,
    );
    // a header that says 100 bytes: torch reads 100 bytes (a cut pickle, EOFError in torch 1.13), and so do we; a
    // streaming unzip inflates the stream to its end, a bomb there: that reading hits the limit (the worst decides)
    expect(await inspect('lying_bomb.pt', { zipLimits })).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: [],
      messages: [
        'reading by local headers: the member at byte 0 inflates past 409200 bytes',
        'bomb/data.pkl: truncated BINUNICODE at byte 2',
        'bomb/data.pkl (its local header at byte 0, as a streaming unzip reads it): truncated BINUNICODE at byte 2',
        'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
        'corrupt or truncated: torch cannot load it either',
      ],
    });
    // the default ratio limit (1000) refuses it too (torch would inflate it: judged dangerous by design)
    expect((await inspect('bomb.pt')).messages[0]).toMatch(/inflates more than 1000 times/);
  });

  test('100,000-deep nesting walks without recursion; past a nesting limit the file fails closed', async () => {
    expect(await inspect('deep_safe.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
    expect((await inspect('deep_evil.pt')).globals).toEqual(['posix.system GLOBAL blocked']);
    expect(await inspect('deep_safe.pt', { walkLimits: { ...DEFAULT_LIMITS, maxStack: 1000 } })).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: [],
      messages: ['deep_safe/data.pkl: nesting deeper than 1000', 'not read to the end because of a limit, so it cannot be shown safe: judged dangerous'],
    });
    // one time budget per file: spent before a member is read, the member is not read
    expect((await inspect('deep_safe.pt', { walkLimits: { ...DEFAULT_LIMITS, maxMillis: -1 } })).messages).toEqual([
      'deep_safe/data.pkl and later members were not read: the time limit was reached',
      'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
    ]);
  });

  test('a huge memo index is a key, not an allocation; garbage after STOP is ignored like torch does', async () => {
    expect(await inspect('huge_memo_index.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
    expect(await inspect('garbage_after_stop.pt')).toEqual({ format: 'torch-zip', verdict: 'safe', globals: [], messages: [] });
  });

  test('a cut pickle inside a valid zip is unloadable; a text file and a raw pickle are told apart', async () => {
    expect(await inspect('truncated_pickle.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'unloadable',
      globals: [],
      messages: ['truncated_pickle/data.pkl: truncated data: no STOP before byte 9', 'corrupt or truncated: torch cannot load it either'],
    });
    expect(await inspect('readme.pt')).toEqual({
      format: 'unknown',
      verdict: 'not-a-checkpoint',
      globals: [],
      messages: ['neither a zip, a legacy torch file, a pickle nor safetensors'],
    });
    expect((await inspect('raw_evil.pkl')).verdict).toBe('dangerous');
  });

  test('pickles without PROTO are still pickles; a safetensors-looking header does not hide one; text stays text', async () => {
    expect(await inspect('proto0_evil.pkl')).toEqual({
      format: 'pickle',
      verdict: 'dangerous',
      globals: ['posix.system GLOBAL blocked'],
      messages: ['file: opcode STRING at byte 15 is not supported by the weights_only unpickler of torch 2.10 (protocol 0 or 1)'],
    });
    expect((await inspect('fake_safetensors.bin')).globals).toEqual(['posix.system GLOBAL blocked']);
    expect(await inspect('text_c.bin')).toEqual({
      format: 'unknown',
      verdict: 'not-a-checkpoint',
      globals: [],
      messages: ['neither a zip, a legacy torch file, a pickle nor safetensors'],
    });
    // a legacy file with its PROTO opcode cut off still loads in torch: still read as legacy
    fs.writeFileSync(path.join(dir, 'stripped_legacy.pt'), fs.readFileSync(fixture('legacy_state_dict.pt')).subarray(2));
    fs.writeFileSync(path.join(dir, 'stripped_legacy_evil.pt'), fs.readFileSync(fixture('malicious_os_system_legacy.pt')).subarray(2));
    expect(await inspect('stripped_legacy.pt')).toMatchObject({ format: 'torch-legacy', verdict: 'safe' });
    expect(await inspect('stripped_legacy_evil.pt')).toMatchObject({ format: 'torch-legacy', verdict: 'dangerous' });
    fs.rmSync(path.join(dir, 'stripped_legacy.pt'));
    fs.rmSync(path.join(dir, 'stripped_legacy_evil.pt'));
  });

  test('a legacy file cut inside the storages after its pickles is unloadable and says why (torch: "unexpected EOF")', async () => {
    // legacy_state_dict.pt: 4 float storages (12, 3, 6 and 2 elements) after the 5 pickles, 124 bytes with their counts
    const whole = fs.readFileSync(fixture('legacy_state_dict.pt'));
    fs.writeFileSync(path.join(dir, 'cut_legacy.pt'), whole.subarray(0, whole.length - 1));
    expect(await inspect('cut_legacy.pt')).toEqual({
      format: 'torch-legacy',
      verdict: 'unloadable',
      globals: ['collections.OrderedDict GLOBAL allowed', 'torch._utils._rebuild_tensor_v2 GLOBAL allowed', 'torch.FloatStorage GLOBAL allowed'],
      messages: [
        'torch cannot read this file: its 4 storage(s) need 124 bytes after the pickles, and 123 are left (truncated?)',
        'corrupt or truncated: torch cannot load it either',
      ],
    });
    // an element count that is no storage's (torch 1.13: "storage has wrong byte size"): the first count is at the
    // first of the 124 bytes, 12 → 5
    const recounted = Buffer.from(whole);
    recounted.writeBigInt64LE(5n, whole.length - 124);
    fs.writeFileSync(path.join(dir, 'recounted_legacy.pt'), recounted);
    const recountedVerdict = await inspect('recounted_legacy.pt');
    expect(recountedVerdict.verdict).toBe('unloadable');
    fs.rmSync(path.join(dir, 'recounted_legacy.pt'));
    expect(recountedVerdict.messages[0]).toBe(
      'torch cannot read this file: a storage after the pickles holds 5 element(s), and none of the 4 storage(s) its pickle names (0: 12, 1: 3, 2: 6, …) has that many',
    );
    // a GLOBAL after the storages: torch reads nothing there, a reader that goes on unpickling imports it (found by
    // the 30-minute fuzz run, seed 20261204, input 42616: the same shape after a file without storages)
    fs.writeFileSync(path.join(dir, 'trailing_legacy.pt'), Buffer.concat([whole, Buffer.from('cposix\nsystem\n')]));
    const trailing = await inspect('trailing_legacy.pt');
    fs.rmSync(path.join(dir, 'trailing_legacy.pt'));
    expect(trailing).toEqual({
      format: 'torch-legacy',
      verdict: 'dangerous',
      globals: [
        'collections.OrderedDict GLOBAL allowed',
        'torch._utils._rebuild_tensor_v2 GLOBAL allowed',
        'torch.FloatStorage GLOBAL allowed',
        'posix.system GLOBAL blocked',
      ],
      messages: [`the bytes after the storages (from byte ${whole.length}): truncated data: no STOP before byte ${whole.length + 14}`],
    });
    // the control: whole, it is safe and says nothing
    fs.writeFileSync(path.join(dir, 'whole_legacy.pt'), whole);
    expect(await inspect('whole_legacy.pt')).toEqual({
      format: 'torch-legacy',
      verdict: 'safe',
      globals: ['collections.OrderedDict GLOBAL allowed', 'torch._utils._rebuild_tensor_v2 GLOBAL allowed', 'torch.FloatStorage GLOBAL allowed'],
      messages: [],
    });
    fs.rmSync(path.join(dir, 'cut_legacy.pt'));
    fs.rmSync(path.join(dir, 'whole_legacy.pt'));
  });

  test('callables that run code outside the blocked modules are dangerous, never offered for an allowlist', async () => {
    expect(await inspect('gadgets.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: [
        'webbrowser.open GLOBAL dangerous',
        '_posixsubprocess.fork_exec GLOBAL dangerous',
        'numpy.testing._private.utils.runstring GLOBAL dangerous',
        'torch.jit.load GLOBAL dangerous',
        'code.InteractiveInterpreter GLOBAL dangerous',
      ],
      messages: ['gadgets/data.pkl: opcode POP at byte 19 is not supported by the weights_only unpickler of torch 2.10 (protocol 2)'],
    });
  });

  test('a STACK_GLOBAL whose name is computed while loading counts as dangerous', async () => {
    const result = await inspect('computed_stack_global.pt');
    expect(result.verdict).toBe('dangerous');
    expect(result.globals).toContain('<unresolved>.<unresolved> STACK_GLOBAL dangerous');
    expect(result.messages).toContain(
      'a STACK_GLOBAL names a global computed while loading (not a plain string): it could be anything, so it counts as dangerous',
    );
  });

  test('a raw pickle longer than the read limit fails closed', async () => {
    const big = path.join(dir, 'big.pkl');
    fs.writeFileSync(big, Buffer.concat([Buffer.from([0x80, 0x02, 0x54]), Buffer.from([0x00, 0x00, 0x10, 0x00]), Buffer.alloc(2 << 20)]));
    const result = await inspectCheckpoint(big, { maxReadBytes: 1 << 20 });
    fs.rmSync(big);
    expect([result.verdict, result.messages.at(-1)]).toEqual([
      'dangerous',
      'not read to the end because of a limit, so it cannot be shown safe: judged dangerous',
    ]);
  });

  test('zips a strict reader refuses but torch opens: junk after the end is read past; the rest fails closed', async () => {
    expect((await inspect('trailing_junk.pt')).globals).toEqual(['posix.system GLOBAL blocked']);
    expect((await inspect('bad_comment_length.pt')).globals).toEqual(['posix.system GLOBAL blocked']);
    const flagged = await inspect('flagged.pt');
    expect([flagged.verdict, flagged.messages]).toEqual([
      'dangerous',
      [
        'cannot read the zip archive: strong encryption is not supported',
        'a zip archive torch may still read, whose pickles could not be checked: judged dangerous',
      ],
    ]);
  });

  test('decoy members do not push data.pkl out of reach; a safetensors or tar look-alike that is a pickle is read as one', async () => {
    expect((await inspect('decoys.pt')).globals).toContain('posix.system GLOBAL blocked');
    expect((await inspect('polyglot_safetensors.pt')).globals).toEqual(['posix.system GLOBAL blocked']);
    expect((await inspect('fake_tar.pt')).globals).toEqual(['posix.system GLOBAL blocked']);
  });

  test('a gadget without STOP still runs; memo indexes are read as Python reads them ("1_0" is 10)', async () => {
    expect((await inspect('no_stop_gadget.pkl')).globals).toEqual(['pydoc.pipepager GLOBAL dangerous']);
    expect((await inspect('memo_underscore.pkl')).globals).toEqual(['posix.system STACK_GLOBAL blocked']);
  });

  test('a legacy file saved with pickle_protocol=3 is read as five pickles, not one pickle and trailing data', async () => {
    const result = await inspect('legacy_proto3.pt');
    expect([result.format, result.verdict, result.globals]).toEqual(['torch-legacy', 'needs-allowlist', ['argparse.Namespace GLOBAL known-data']]);
  });

  test('the whole folder in one inspect run: each file gets its verdict, the run goes on, exit 1', async () => {
    const { code, stdout } = await cli(dir, 'inspect', '.', '-f', 'json');
    expect(code).toBe(1);
    expect(Object.fromEntries(JSON.parse(stdout).map((r: Inspection) => [path.basename(r.filePath), r.verdict]))).toEqual({
      'bad_comment_length.pt': 'dangerous',
      'bomb.pt': 'dangerous',
      'decoys.pt': 'dangerous',
      'fake_tar.pt': 'dangerous',
      'flagged.pt': 'dangerous',
      'legacy_proto3.pt': 'needs-allowlist',
      'memo_underscore.pkl': 'dangerous',
      'no_stop_gadget.pkl': 'dangerous',
      'polyglot_safetensors.pt': 'dangerous',
      'trailing_junk.pt': 'dangerous',
      'deep_evil.pt': 'dangerous',
      'deep_safe.pt': 'safe',
      'dotdot_name.pt': 'safe',
      'dup_evil_first.pt': 'dangerous',
      'dup_safe_first.pt': 'dangerous',
      'descriptor_evil.pt': 'dangerous',
      'gadgets.pt': 'dangerous',
      'garbage_after_stop.pt': 'safe',
      'huge_memo_index.pt': 'safe',
      'lying_bomb.pt': 'dangerous',
      'memo_stack_global.pt': 'dangerous',
      'no_version.pt': 'unloadable',
      'raw_evil.pkl': 'dangerous',
      'readme.pt': 'not-a-checkpoint',
      'proto0_evil.pkl': 'dangerous',
      'fake_safetensors.bin': 'dangerous',
      'text_c.bin': 'not-a-checkpoint',
      'computed_stack_global.pt': 'dangerous',
      'renamed.pt': 'dangerous',
      'truncated_pickle.pt': 'unloadable',
      'upper_case_evil.pt': 'dangerous',
      'upper_version.pt': 'safe',
      'zip64_evil.pt': 'dangerous',
    });
  });
});

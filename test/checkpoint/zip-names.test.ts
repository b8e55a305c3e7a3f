/**
 * Zip member names read exactly as torch reads them (src/checkpoint/records.ts), one test per trick: the archives
 * come from make_zip_names.py (written byte by byte, so names and the UTF-8 flag are what the test says). Where a
 * python3 imports torch (Debian's 1.13), the last test checks what torch itself does with each file, with
 * `weights_only=True` only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { inspectCheckpoint, type Inspection } from '../../src/checkpoint/inspect';
import { tempRepo } from '../helpers/cli';

const dir = tempRepo({});
execFileSync('python3', [path.join(__dirname, 'make_zip_names.py'), dir]);

const brief = (i: Inspection) => ({
  format: i.format,
  verdict: i.verdict,
  globals: i.globals.map((g) => `${g.name} in ${g.member}: ${g.status}`),
  messages: i.messages,
});
const inspect = async (name: string, torchVersion?: [number, number]) =>
  brief(await inspectCheckpoint(path.join(dir, name), torchVersion ? { torchVersion } : {}));

const SCRIPT_REFUSED =
  'a TorchScript archive: torch 2.6+ refuses it with weights_only=True (before 2.6 torch.load silently ran torch.jit.load on it, a bypass); only torch.jit.load reads it';
const SCRIPT_RUNS =
  'a TorchScript archive: torch 1.13 hands it to torch.jit.load even with weights_only=True, which runs its code (a bypass fixed in torch 2.6)';
const LOOKS_LIKE = (name: string, key: string) =>
  `\`${name}\` looks like \`${key}\` but is not the member torch reads: torch compares name bytes, ignoring only ASCII case (no Unicode case, no NUL cut, no \`..\` or backslash resolved)`;
const OUTSIDE = (name: string, folder: string) =>
  `member \`${name}\` is not in the folder \`${folder}\` that the first member names: torch.load lists every record and refuses the archive ("file in archive is not in a subdirectory")`;
const OTHER_FOLDER = (name: string, folder: string) =>
  `\`${name}\` is not in the folder torch reads, \`${folder}\` (the first member's): torch does not read it`;
const DUPLICATES = (key: string) =>
  `2 members are ${key} as torch looks names up (bytes, ASCII case ignored); which one torch reads depends on the archive's layout, so each is judged as read`;
const NO_DATA = (key: string) => `no member is ${key} as torch looks names up: torch cannot load the archive`;

describe('zip names as torch resolves them: raw bytes, the first entry prefix, ASCII case only, nothing normalised', () => {
  test('the UTF-8 flag (bit 11) means nothing to torch: a flagged data.pkl beside unflagged names is the one read', async () => {
    // a decoder honouring the flag reads "é/data.pkl" here and "Ã©/version" beside it, finds no data.pkl and reads
    // nothing; torch compares the bytes, which are the same
    expect(await inspect('flag_mixed_evil.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in \\u00e9/data.pkl: blocked'],
      messages: [],
    });
  });

  test('the blocker: a flagged constants.pkl makes the file TorchScript, which torch 1.13 runs under weights_only=True', async () => {
    // its data.pkl is harmless: judged by that decoy alone the file was `safe`
    expect(await inspect('flag_constants.pt', [1, 13])).toEqual({ format: 'torchscript', verdict: 'dangerous', globals: [], messages: [SCRIPT_RUNS] });
    expect(await inspect('flag_constants.pt')).toEqual({ format: 'torchscript', verdict: 'unloadable', globals: [], messages: [SCRIPT_REFUSED] });
  });

  test('a member name that is not UTF-8 fails torch.load (its record listing decodes every name)', async () => {
    expect(await inspect('not_utf8_name.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'unloadable',
      globals: [],
      messages: ["member `u/\\xff` has a name that is not UTF-8: torch.load's record listing fails on it (UnicodeDecodeError)"],
    });
  });

  test('names that decode alike but differ in bytes are different folders: torch refuses the archive, the payload is reported', async () => {
    expect(await inspect('decoded_alike.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in \\u00e9/data.pkl: blocked'],
      messages: [OUTSIDE('\\u00e9/data.pkl', '\\xe9/'), OTHER_FOLDER('\\u00e9/data.pkl', '\\xe9/')],
    });
  });

  test('a KELVIN SIGN is not a k: torch reads the real data.pkl; the look-alike is reported for what it holds', async () => {
    expect(await inspect('kelvin_decoy.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in k/data.p\\u212al: blocked'],
      messages: [LOOKS_LIKE('k/data.p\\u212al', 'k/data.pkl')],
    });
    // alone it is no data.pkl at all: torch cannot load the file, so its class needs no allowlist
    expect(await inspect('kelvin_only.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'unloadable',
      globals: ['argparse.Namespace in k/data.p\\u212al: known-data'],
      messages: [NO_DATA('k/data.pkl'), LOOKS_LIKE('k/data.p\\u212al', 'k/data.pkl')],
    });
  });

  test('ASCII case is ignored (miniz MZ_TOLOWER): DATA.PKL is data.pkl, and both of data.pkl / Data.PKL count as read', async () => {
    const upper = await inspectCheckpoint(path.join(dir, 'upper_needs.pt'));
    expect([upper.verdict, upper.allowlist, upper.messages]).toEqual(['needs-allowlist', ['argparse.Namespace'], []]);
    expect(await inspect('mixed_case_dup.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'needs-allowlist',
      globals: ['argparse.Namespace in c/Data.PKL: known-data'],
      messages: [DUPLICATES('c/data.pkl')],
    });
  });

  test('a duplicated data.pkl: decoy first or second, the member that needs more decides', async () => {
    // torch 1.13 reads the second duplicate in one file and the first in the other (miniz's sorted search): the one
    // that needs an allowlist both times, so "the first one wins" would call dup_decoy_first.pt safe
    for (const name of ['dup_decoy_first.pt', 'dup_decoy_second.pt']) {
      expect([name, await inspect(name)]).toEqual([
        name,
        {
          format: 'torch-zip',
          verdict: 'needs-allowlist',
          globals: ['argparse.Namespace in d/data.pkl: known-data'],
          messages: [DUPLICATES('d/data.pkl')],
        },
      ]);
    }
  });

  test('constants.pkl hidden by case, a NUL byte, a long name or another folder still makes the file TorchScript', async () => {
    const how = {
      'constants_upper.pt':
        "`s/CONSTANTS.PKL` is what torch's lookup of `s/constants.pkl` returns (ASCII case ignored), and torch.jit.load reads it so: judged as a TorchScript archive",
      'constants_nul.pt':
        "`n/constants.pkl\\u0000x` is listed as `constants.pkl` by torch.load's record listing, which cuts names at a NUL byte and at 511 bytes: a TorchScript archive",
      'constants_long.pt': `\`${'p'.repeat(497)}/constants.pkl${'z'.repeat(10)}\` is listed as \`constants.pkl\` by torch.load's record listing, which cuts names at a NUL byte and at 511 bytes: a TorchScript archive`,
    };
    for (const [name, message] of Object.entries(how)) {
      expect([name, await inspect(name, [1, 13])]).toEqual([
        name,
        { format: 'torchscript', verdict: 'dangerous', globals: [], messages: [message, SCRIPT_RUNS] },
      ]);
      expect([name, await inspect(name)]).toEqual([name, { format: 'torchscript', verdict: 'unloadable', globals: [], messages: [message, SCRIPT_REFUSED] }]);
    }
    expect(await inspect('constants_other_folder.pt', [1, 13])).toEqual({
      format: 'torchscript',
      verdict: 'dangerous',
      globals: [],
      messages: [
        '`x/constants.pkl` has `constants.pkl` as its second path part, which an early zip-format torch.load took for TorchScript: judged as a TorchScript archive',
        OUTSIDE('x/constants.pkl', 'o/'),
        SCRIPT_RUNS,
      ],
    });
  });

  test("the prefix is the first entry's folder, compared byte for byte; an empty one is a prefix too", async () => {
    // torch reads the harmless x/data.pkl, and refuses the archive anyway: m/ is outside x/
    expect(await inspect('first_prefix_decoy.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in m/data.pkl: blocked'],
      messages: [OUTSIDE('m/data.pkl', 'x/'), '1 more member is outside `x/`', OTHER_FOLDER('m/data.pkl', 'x/')],
    });
    expect(await inspect('first_prefix_only.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'unloadable',
      globals: ['argparse.Namespace in m/data.pkl: known-data'],
      messages: [OUTSIDE('m/data.pkl', 'x/'), '1 more member is outside `x/`', OTHER_FOLDER('m/data.pkl', 'x/')],
    });
    // the lookup ignores ASCII case, the listing (strncmp) does not
    expect(await inspect('prefix_case.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'unloadable',
      globals: [],
      messages: [OUTSIDE('p/data.pkl', 'P/'), '1 more member is outside `P/`'],
    });
    expect(await inspect('empty_prefix.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'needs-allowlist',
      globals: ['argparse.Namespace in /data.pkl: known-data'],
      messages: [],
    });
    // a NUL in the prefix: every lookup becomes "x", and the listing reads past names: fail closed
    expect(await inspect('nul_prefix.pt')).toEqual({
      format: 'torchscript',
      verdict: 'dangerous',
      globals: [],
      messages: [
        "`x` is what torch's lookup of `x\\u0000/constants.pkl` returns (ASCII case ignored), and torch.jit.load reads it so: judged as a TorchScript archive",
        "the first member's folder name `x\\u0000` holds a NUL byte: torch's record listing then reads past the end of names, so what torch finds is undefined: it cannot be shown safe, judged dangerous",
        SCRIPT_REFUSED,
      ],
    });
  });

  test('`..` and backslashes are bytes like any other: never resolved, so never a way to torch', async () => {
    // torch reads a/data.pkl; a/../a/data.pkl would only land there when extracted: reported, not judged as loaded
    expect(await inspect('dotdot_decoy.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'safe',
      globals: ['argparse.Namespace in a/../a/data.pkl: known-data'],
      messages: [LOOKS_LIKE('a/../a/data.pkl', 'a/data.pkl')],
    });
    expect(await inspect('dotdot_only.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in a/x/../data.pkl: blocked'],
      messages: [NO_DATA('a/data.pkl'), LOOKS_LIKE('a/x/../data.pkl', 'a/data.pkl')],
    });
    expect(await inspect('backslash_first.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in b/data.pkl: blocked'],
      messages: [
        'the first member `b\\\\version` is in no folder: torch\'s reader refuses the archive ("file in archive is not in a subdirectory")',
        '`b/data.pkl` is not read: torch refuses the archive before it looks any name up',
      ],
    });
    expect(await inspect('backslash_name.pt')).toEqual({
      format: 'torch-zip',
      verdict: 'dangerous',
      globals: ['posix.system in w\\\\data.pkl: blocked'],
      messages: [OUTSIDE('w\\\\data.pkl', 'w/'), LOOKS_LIKE('w\\\\data.pkl', 'w/data.pkl')],
    });
  });

  // Debian's python3-torch lives in /usr/bin/python3's packages, which a python3 earlier on PATH may not see
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) console.warn('zip-names.test.ts: torch oracle skipped, no python3 imports torch (apt-get install python3-torch)');
  (python ? test : test.skip)(
    'torch itself (weights_only=True only) reads these names as the inspector says',
    async () => {
      // what torch.load did: the tag of the harmless pickle it returned, the global it refused, TorchScript, or why it
      // refused the archive
      const probe = String.raw`
import os, sys, warnings, torch
for name in sorted(os.listdir(sys.argv[1])):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = "loaded " + torch.load(os.path.join(sys.argv[1], name), weights_only=True)["w"]
        except Exception as error:
            text = " ".join(str(error).split())
            marks = [("Unsupported class ", None), ("not in a subdirectory", "not in a subdirectory"), ("locating file data.pkl", "no data.pkl"), ("codec can't decode", "not UTF-8")]
            outcome = "refused"
            for mark, short in marks:
                if mark in text:
                    outcome = "refused " + (short or text[text.index(mark) + len(mark):].split()[0])
                    break
    if any("TorchScript" in str(w.message) for w in caught):
        outcome = "torchscript"
    print(name + "\t" + outcome)
`;
      const run = spawnSync(python!, ['-c', probe, dir], { cwd: tempRepo({}), encoding: 'utf8', timeout: 170_000 });
      const table: Record<string, string> = Object.fromEntries(
        run.stdout
          .trim()
          .split('\n')
          .map((line) => line.split('\t')),
      );
      expect(table).toEqual({
        'backslash_first.pt': 'refused not in a subdirectory',
        'backslash_name.pt': 'refused not in a subdirectory',
        'constants_long.pt': 'torchscript',
        'constants_nul.pt': 'torchscript',
        'constants_other_folder.pt': 'refused not in a subdirectory',
        // torch.load's own test compares exactly; torch.jit.load would read the member (judged TorchScript above)
        'constants_upper.pt': 'loaded data',
        // the listing's error message holds the undecodable name: pybind11 cannot even say it
        'decoded_alike.pt': 'refused',
        'dotdot_decoy.pt': 'loaded real',
        'dotdot_only.pt': 'refused no data.pkl',
        'dup_decoy_first.pt': 'refused argparse.Namespace',
        'dup_decoy_second.pt': 'refused argparse.Namespace',
        'empty_prefix.pt': 'refused argparse.Namespace',
        'first_prefix_decoy.pt': 'refused not in a subdirectory',
        'first_prefix_only.pt': 'refused not in a subdirectory',
        'flag_constants.pt': 'torchscript',
        'flag_mixed_evil.pt': 'refused posix.system',
        'kelvin_decoy.pt': 'loaded real',
        'kelvin_only.pt': 'refused no data.pkl',
        'mixed_case_dup.pt': 'loaded lower',
        'not_utf8_name.pt': 'refused not UTF-8',
        'nul_prefix.pt': 'refused',
        'prefix_case.pt': 'refused not in a subdirectory',
        'upper_needs.pt': 'refused argparse.Namespace',
      });
      // judged for torch 1.13, never `safe` unless torch loaded the file, `dangerous` where it ran TorchScript or met
      // posix.system, and never `not-a-checkpoint` for a file torch read a pickle from
      for (const [name, outcome] of Object.entries(table)) {
        const { verdict } = await inspectCheckpoint(path.join(dir, name), { torchVersion: [1, 13] });
        if (verdict === 'safe') expect([name, outcome]).toEqual([name, expect.stringMatching(/^loaded /)]);
        if (outcome === 'torchscript' || outcome === 'refused posix.system') expect([name, verdict]).toEqual([name, 'dangerous']);
        if (/^loaded |^refused [\w.]+\.[A-Za-z]/.test(outcome)) expect([name, verdict]).not.toEqual([name, 'not-a-checkpoint']);
      }
    },
    180_000,
  );
});

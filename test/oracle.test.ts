/**
 * scripts/oracle.py: torch itself (Debian's python3-torch 1.13, weights_only=True only) loads the checkpoint fixtures
 * and the fuzzer's generated checkpoints, and the script fails on a file torch accepts after code from it ran that we
 * do not call dangerous, one it accepts that we call dangerous for what it reads, or one we call safe that it
 * refuses without our saying why. Skipped, and said so, where no python3 imports torch.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDist } from './helpers/build';
import { fuzzSeed } from './helpers/seed';

const root = path.join(__dirname, '..');
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!python) console.warn('oracle.test.ts: skipped, no python3 imports torch (apt-get install python3-torch)');

(python ? test : test.skip)(
  'torch agrees with the inspector on the fixtures and on generated hostile checkpoints',
  () => {
    buildDist();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-oracle-test-'));
    // the commit's seed (test/helpers/seed.ts; PYLINT_TORCH_FUZZ_SEED=<n> reruns one, =random draws a new one), printed and in the assertions; a row fails by its
    // last column (`FAIL: …`), not by torch's message (`INTERNAL ASSERT FAILED`)
    const seed = fuzzSeed();
    console.log(`oracle.test.ts: seed ${seed} (rerun: PYLINT_TORCH_FUZZ_SEED=${seed} npx jest test/oracle.test.ts)`);
    const kinds = 'ckpt-bytes,ckpt-truncate,ckpt-insert,ckpt-names,ckpt-member,ckpt-generated';
    const fuzz = spawnSync(process.execPath, ['scripts/fuzz.js', '--only', kinds, '--inputs', '150', '--seed', seed, '--keep', dir, '--out', dir], {
      cwd: root,
      encoding: 'utf8',
    });
    expect([seed, fuzz.status]).toEqual([seed, 0]);
    const run = spawnSync(python!, ['scripts/oracle.py', 'test/fixtures/checkpoints', dir], { cwd: root, encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect({ seed, status: run.status, failed: lines.filter((l) => / FAIL: /.test(l)), last: lines.pop() }).toEqual({
      seed,
      status: 0,
      failed: [],
      last: 'OK',
    });
    // rows checked by name, so that a script that printed OK without loading anything would fail here
    expect(run.stdout).toMatch(/^state_dict\.pt +safe +accepts +agree$/m);
    expect(run.stdout).toMatch(/^malicious_os_system\.pt +dangerous +refuses \(UnpicklingError: .*Unsupported.*\) +agree: torch refuses it$/m);
    expect(run.stdout).toMatch(/^trailing_pickle_after_stop\.pt +dangerous +accepts +stricter: dangerous for what torch does not read$/m);
    expect(run.stdout).toMatch(/^\d+ file\(s\): /m);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  300_000,
);

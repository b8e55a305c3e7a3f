/**
 * The fixes proven with a real torch: scripts/runtime-proof.py saves checkpoints with torch, runs the CLI's --fix
 * over loading scripts and runs them (see its docstring). Needs a python3 that imports torch (Debian's python3-torch
 * 1.13, which .ci/run installs); skipped, and said so, where there is none.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildDist } from './helpers/build';

const root = path.join(__dirname, '..');
// Debian's python3-torch lives in /usr/bin/python3's packages, which a python3 earlier on PATH may not see
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
const hasTorch = python !== undefined;
if (!hasTorch) console.warn('runtime-proof.test.ts: skipped, no python3 imports torch (apt-get install python3-torch)');

(hasTorch ? test : test.skip)(
  'every fix label holds on torch 1.13: safe fixes load the same tensors, unsafe ones are refused for the stated reason',
  () => {
    // the script runs the built CLI, as a user does
    buildDist();
    const run = spawnSync(python!, ['scripts/runtime-proof.py'], { cwd: root, encoding: 'utf8' });
    const out = run.stdout;
    expect([run.status, out.trim().split('\n').pop()]).toEqual([0, 'OK']);
    // the rows themselves, so that a script that printed OK without checking would still fail here
    expect(out).toMatch(/load_sd\.py +True +weights_only=True +True/);
    expect(out).toMatch(/load_evil\.py +True +weights_only=True +UnpicklingError False/);
    expect(out).toMatch(/whole_optim\.py +True +unsafe: weights_only=True +UnpicklingError/);
    expect(out).toMatch(/one_entry\.py +True +unsafe: weights_only=True +UnpicklingError/);
    expect(out).toMatch(/hub\.py +True +none \(keyword from 2\.1\) +keyword on 1\.13\S*: False/);
  },
  180_000,
);

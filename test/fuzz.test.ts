/**
 * CI's fuzz run (issue 13): scripts/fuzz.js over a bounded number of inputs (about a minute on a 2-core machine),
 * failing on any crash, hang, range outside the file, fix that breaks the parse or is not idempotent, bound exceeded
 * or checkpoint wrongly called safe. The seed is the commit's (test/helpers/seed.ts), printed and part of the
 * assertion, so that a CI failure can be rerun with PYLINT_TORCH_FUZZ_SEED=<seed>.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDist } from './helpers/build';
import { fuzzSeed } from './helpers/seed';

const root = path.join(__dirname, '..');
const fuzz = (args: string[]) => spawnSync(process.execPath, [path.join(root, 'scripts', 'fuzz.js'), ...args], { cwd: root, encoding: 'utf8' });

beforeAll(() => buildDist(), 120_000);

test('fuzzing sources and checkpoints finds no failure', () => {
  // the commit's seed (test/helpers/seed.ts; PYLINT_TORCH_FUZZ_SEED=<n> reruns one, =random draws a new one)
  const seed = fuzzSeed();
  console.log(`fuzz.test.ts: seed ${seed} (rerun: PYLINT_TORCH_FUZZ_SEED=${seed} npx jest test/fuzz.test.ts)`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-fuzz-test-'));
  const json = path.join(out, 'summary.json');
  const run = fuzz(['--inputs', '1200', '--seed', seed, '--out', out, '--json', json]);
  const summary = JSON.parse(fs.readFileSync(json, 'utf8'));
  // the seed and the failures in the assertion, so that a CI log says how to rerun it
  expect({ seed, status: run.status, failures: summary.failures }).toEqual({ seed, status: 0, failures: [] });
  expect(summary.inputs).toBe(1200);
  // every kind ran, sources were fixed and checkpoints judged: the checks had something to check
  for (const [kind, row] of Object.entries<{ inputs: number }>(summary.table)) expect([kind, row.inputs]).toEqual([kind, 60]);
  expect(summary.totals.fixes).toBeGreaterThan(100);
  expect(summary.totals.safe).toBeGreaterThan(5);
  expect(run.stdout).toContain(`fuzz: seed ${seed}, 1200 inputs`);
  fs.rmSync(out, { recursive: true, force: true });
}, 600_000);

test('the same seed gives the same inputs; bad options are usage errors', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-fuzz-test-'));
  const keep = (n: number) => {
    const dir = path.join(out, `keep${n}`);
    expect(fuzz(['--only', 'checkpoint', '--inputs', '30', '--seed', '7', '--keep', dir, '--out', out]).status).toBe(0);
    return fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]);
  };
  const first = keep(1);
  expect(first).toHaveLength(30);
  expect(keep(2)).toEqual(first);
  const bad = fuzz(['--minutes', 'x']);
  expect([bad.status, bad.stderr.split('\n')[0]]).toEqual([2, 'fuzz: --minutes takes a number above 0, got "x"']);
  const unknown = fuzz(['--only', 'nope']);
  expect([unknown.status, unknown.stderr.split('\n')[0]]).toEqual([
    2,
    expect.stringMatching(/^fuzz: --only: unknown kind nope \(known: source, checkpoint, lines, /),
  ]);
  fs.rmSync(out, { recursive: true, force: true });
}, 120_000);

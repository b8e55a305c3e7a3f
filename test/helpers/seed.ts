import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The seed of the CI fuzz and oracle runs: `PYLINT_TORCH_FUZZ_SEED` when it is a number (a rerun), a new one from the
 * clock when it is `random`, else one derived from the checked-out commit (the first 7 hex digits of `git rev-parse
 * HEAD`, a number below 2^31). So every commit fuzzes different inputs, while a run of a given commit — CI's run of a
 * clean clone, or a rerun of its failure — draws the very same inputs: a random seed could let CI fail on a commit whose
 * author's run passed. Outside a git checkout: 20260.
 */
export function fuzzSeed(): string {
  const env = process.env.PYLINT_TORCH_FUZZ_SEED;
  if (env === 'random') return String(Date.now() % 2 ** 31);
  if (env && /^\d+$/.test(env)) return env;
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
  const hex = head.status === 0 ? /^[0-9a-f]{7}/.exec(head.stdout.trim())?.[0] : undefined;
  return hex ? String(parseInt(hex, 16) % 2 ** 31) : '20260';
}

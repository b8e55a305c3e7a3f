import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const lock = path.join(root, 'node_modules', '.pylint-torch-build.lock');

/**
 * Builds dist/ (what bin/ and the package run) with `tsc -p tsconfig.build.json`. Test files run in parallel
 * workers: a lock folder keeps two builds from writing dist/ at once (a stale lock older than 5 minutes is broken).
 */
export function buildDist(): void {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      else execFileSync('sleep', ['0.2']);
    }
  }
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

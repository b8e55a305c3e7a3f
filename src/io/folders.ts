/**
 * Creating missing folders (`mkdir -p`). Node's own `fs.mkdirSync(dir, { recursive: true })` never returns for some
 * paths (Node 20: a path under /proc whose parent does not exist, `/proc/foo/out`, loops at 100% CPU), so the levels
 * are created here one at a time, from the nearest folder that exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Creates `dir` and its missing parents; returns the first folder it created, or undefined when `dir` existed (as
 * `fs.mkdirSync` with `recursive` does). Throws the `fs` error of the level that cannot be created (`ENOENT`,
 * `EACCES`, `EEXIST` when a file is in the way, `ENOTDIR`…).
 */
export function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      if (fs.statSync(at).isDirectory()) break;
      // a file where a folder should be: mkdir says so
      fs.mkdirSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const parent = path.dirname(at);
    if (parent === at) break;
    missing.push(at);
    at = parent;
  }
  missing.reverse();
  for (const level of missing) fs.mkdirSync(level);
  return missing[0];
}

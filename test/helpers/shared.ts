import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project's read-only `shared/` folder (checkpoint fixtures): beside the repository (`../shared`, as in CI), or
 * where SHARED_DIR points. Throws when it cannot be found, so that no test is skipped silently.
 */
export function sharedDir(): string {
  const candidates = [process.env.SHARED_DIR, path.resolve(__dirname, '../../../shared'), '/work/shared'].filter((d): d is string => Boolean(d));
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'checkpoints', 'GLOBALS.tsv')));
  if (!found) throw new Error(`shared/checkpoints not found (tried ${candidates.join(', ')}); set SHARED_DIR`);
  return found;
}

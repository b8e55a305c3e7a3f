/** What every formatter is given besides the results. */
import * as path from 'node:path';
import type { AnyRule } from '../../engine/rule';

export interface FormatContext {
  /** The working directory. */
  cwd: string;
  /**
   * The repository root (absolute): SARIF `%SRCROOT%`, and the folder that the `github`, `gitlab` and `junit`
   * formats name files relative to. Default: `cwd`. The CLI passes the nearest folder at or above the working
   * directory that holds `.git`, or `--sarif-root`.
   */
  root?: string;
  rules: readonly AnyRule[];
  /** File texts by absolute path, for SARIF fingerprints. */
  sources: ReadonlyMap<string, string>;
  color: boolean;
  /** `--fix` wrote files / `--fix-dry-run` computed fixes without writing. */
  fixed: boolean;
  dryRun: boolean;
  toolVersion: string;
  /** Rule docs (markdown) by rule id, for SARIF `help.markdown`. */
  ruleDocs?: ReadonlyMap<string, string>;
  /** `--sarif-fixes`: add each result's fix and suggestions as SARIF `fixes`. */
  sarifFixes?: boolean;
  /**
   * `--sarif-category`: the run's `automationDetails.id` is `<category>/` (a category with no run id, SARIF
   * §3.17.4; what upload-sarif's `category` input writes), unless the category already ends with `/`.
   */
  sarifCategory?: string;
}

/**
 * `filePath` relative to the context's root ({@link FormatContext.root}), with `/` separators (`src/a.py`), or the
 * absolute path as given when it lies outside the root.
 */
export function reportPath(filePath: string, context: Pick<FormatContext, 'root' | 'cwd'>): string {
  const rel = path.relative(context.root ?? context.cwd, filePath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return filePath;
  return rel.split(path.sep).join('/');
}

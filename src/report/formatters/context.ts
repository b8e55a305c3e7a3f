/** What every formatter is given besides the results. */
import type { AnyRule } from '../../engine/rule';

export interface FormatContext {
  /** Folder that SARIF `%SRCROOT%` stands for (the working directory). */
  cwd: string;
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
}

/** Stage 6: format results. Formatters are pure: results and context in, text out. */
import type { LintResult } from '../results';
import type { AnyRule } from '../../engine/rule';
import { json } from './json';
import { sarif } from './sarif';
import { stylish } from './stylish';

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

export const formatters = {
  stylish,
  json,
  sarif,
} satisfies Record<string, (results: readonly LintResult[], context: FormatContext) => string>;

export type FormatName = keyof typeof formatters;

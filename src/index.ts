/**
 * pylint-torch's public API: `require('pylint-torch')`. The CLI is a thin shell over these functions.
 *
 * - {@link lintFiles}: lint files and folders like the CLI (config files, ignore files, the repository index,
 *   checkpoint files, `--fix`); results in ESLint's shape.
 * - {@link lintText}: lint one text in memory.
 * - {@link inspectCheckpoints}: read checkpoint files without executing them.
 * - {@link createRule} and the rule types, to write rules; {@link RuleTester}, to test them; {@link rules}, the
 *   built-in ones; {@link formatters}.
 */
export { lintFiles, type LintFilesOptions, type LintFilesReport } from './run/lint-files';
export { lintText, type LintTextOptions } from './run/lint-text';
export {
  inspectCheckpoints,
  type InspectCheckpointsOptions,
  type InspectCheckpointsReport,
  CHECKPOINT_PATTERNS,
} from './run/inspect-files';
export type { Inspection, InspectedGlobal, Verdict, GlobalStatus, CheckpointFormat } from './checkpoint/inspect';
export {
  createRule,
  type AnyRule,
  type BinaryCheck,
  type Fix,
  type FixSafety,
  type RelatedDescriptor,
  type ReportDescriptor,
  type RuleContext,
  type RuleMeta,
  type RuleModule,
  type Severity,
  type SeveritySetting,
  type SuggestionDescriptor,
  type TextCheck,
  type Visitors,
} from './engine/rule';
export type { Problem, RelatedLocation, RuleSetting } from './engine/linter';
export type { LintMessage, LintResult } from './report/results';
export { formatters, type FormatContext, type FormatName } from './report/formatters';
export { ConfigError } from './project/config';
export {
  RuleTester,
  type InvalidTestCase,
  type RelatedOutput,
  type RuleTesterConfig,
  type RunTests,
  type TestCaseError,
  type ValidTestCase,
} from './testing/rule-tester';
export { VERSION } from './io/package';
export { rules } from '../rules';

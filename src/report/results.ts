/**
 * Per-file results in ESLint's JSON shape, the input of every formatter.
 */
import type { Problem } from '../engine/linter';
import type { Fix } from '../engine/rule';

/**
 * One message as formatters and `--format json` show it (ESLint's LintMessage plus `messageId`): the engine's
 * {@link Problem}, with an unsafe fix shown as `fix` only under `--unsafe-fixes` (else as the first suggestion).
 */
export type LintMessage = Problem;

export interface LintResult {
  /** Absolute path. */
  filePath: string;
  messages: LintMessage[];
  errorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  /** With `--fix-dry-run`: the text `--fix` would write, when it differs from the file. */
  output?: string;
  /** How many fixes `--fix` applied (or would apply, with `--fix-dry-run`). */
  fixCount?: number;
  /** The problems the fixes removed (or would remove, with `--fix-dry-run`), for listings; not in JSON. */
  fixed?: LintMessage[];
}

export const UNSAFE_FIX_DESC = 'Unsafe fix, applied only with --unsafe-fixes: ';

/**
 * Turns engine problems into a result. An unsafe fix is shown as `fix` only when `unsafeFixes` is on; otherwise it
 * becomes the first suggestion, so that it stays visible without being counted as fixable.
 */
export function toResult(filePath: string, problems: readonly Problem[], unsafeFixes: boolean): LintResult {
  const messages = problems.map((problem): LintMessage => {
    const { fix, fixSafety, suggestions, ...rest } = problem;
    const message: LintMessage = { ...rest };
    if (fix && (fixSafety === 'safe' || unsafeFixes)) Object.assign(message, { fix, fixSafety: fixSafety ?? 'unsafe' });
    const hidden = fix && !message.fix ? [{ desc: `${UNSAFE_FIX_DESC}${describeFix(fix)}`, fix }] : [];
    if (hidden.length || suggestions?.length) message.suggestions = [...hidden, ...(suggestions ?? [])];
    return message;
  });
  return countResult({ filePath, messages });
}

/** Fills in the four counts from `messages`. */
export function countResult(result: Pick<LintResult, 'filePath' | 'messages'> & Partial<LintResult>): LintResult {
  const errors = result.messages.filter((m) => m.severity === 2);
  const warnings = result.messages.filter((m) => m.severity === 1);
  return {
    ...result,
    errorCount: errors.length,
    warningCount: warnings.length,
    fixableErrorCount: errors.filter((m) => m.fix).length,
    fixableWarningCount: warnings.filter((m) => m.fix).length,
  };
}

function describeFix(fix: Fix): string {
  const [start, end] = fix.range;
  return start === end ? `insert \`${fix.text.trim()}\`` : `replace with \`${fix.text}\``;
}

/**
 * The result of a file whose lint threw (a bug, not the file's fault): one fatal message saying so, with the stack
 * when `PYLINT_TORCH_DEBUG` is set. Every such message starts with `Internal error` (the run counts them).
 */
export function internalErrorResult(filePath: string, error: unknown): LintResult {
  const detail = process.env.PYLINT_TORCH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error);
  const message = `Internal error while linting this file (please report it; set PYLINT_TORCH_DEBUG=1 for a stack trace): ${detail}`;
  return toResult(
    filePath,
    [{ ruleId: null, severity: 2, message, line: 1, column: 1, endLine: 1, endColumn: 1, fatal: true }],
    false,
  );
}

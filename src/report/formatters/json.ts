/** ESLint's JSON formatter shape: an array of results. */
import type { LintResult } from '../results';

export function json(results: readonly LintResult[]): string {
  return JSON.stringify(
    results.map(({ fixCount: _fixCount, fixed: _fixed, ...result }) => ({
      ...result,
      messages: result.messages.map(({ fixSafety: _fixSafety, ...message }) => message),
      fatalErrorCount: result.messages.filter((m) => m.fatal).length,
    })),
  );
}

/** ESLint's JSON formatter shape: an array of results; fixes and suggestions also say their `safety`. */
import type { LintResult } from '../results';

export function json(results: readonly LintResult[]): string {
  return JSON.stringify(
    results.map(({ fixCount: _fixCount, fixed: _fixed, ...result }) => ({
      ...result,
      // each fix says whether plain --fix applies it (`safe`) or only --unsafe-fixes; a suggestion is never applied
      // and never proven to keep behaviour: `unsafe`
      messages: result.messages.map(({ fixSafety, ...message }) => ({
        ...message,
        ...(message.fix && { fix: { ...message.fix, safety: fixSafety ?? 'unsafe' } }),
        ...(message.suggestions && {
          suggestions: message.suggestions.map((s) => ({ ...s, fix: { ...s.fix, safety: 'unsafe' } })),
        }),
      })),
      fatalErrorCount: result.messages.filter((m) => m.fatal).length,
    })),
  );
}

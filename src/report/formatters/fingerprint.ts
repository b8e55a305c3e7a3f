/** Fingerprints that follow a finding across runs, for SARIF `partialFingerprints` and GitLab Code Quality. */
import { createHash } from 'node:crypto';
import type { LintResult } from '../results';

/**
 * One fingerprint per message of `result` (null for a problem without a rule): a hash of the rule, the file's `name`
 * (its report path) and the finding's source line with all whitespace removed, so that it survives reindenting and
 * the line moving, then `:n` for the n-th finding with the same hash in the file (GitHub's
 * `primaryLocationLineHash` form, e.g. `3f9a…:1`). A file-level finding hashes no line.
 * @param text the file's text (without BOM), or undefined when it was not read (a checkpoint)
 */
export function lineFingerprints(result: LintResult, name: string, text: string | undefined): (string | null)[] {
  const lines = text?.split('\n');
  const seen = new Map<string, number>();
  return result.messages.map((message) => {
    if (message.ruleId === null) return null;
    const line = message.fileLevel ? '' : (lines?.[message.line - 1] ?? '').replace(/\s+/g, '');
    const hash = createHash('sha256').update(`${message.ruleId}\0${name}\0${line}`).digest('hex').slice(0, 16);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}

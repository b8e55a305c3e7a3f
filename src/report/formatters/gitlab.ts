/**
 * GitLab Code Quality (the Code Climate subset GitLab reads, "Code Quality report format" in GitLab's docs): a JSON
 * array of issues `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`, shown in
 * merge requests when a job uploads it as `artifacts: reports: codequality`.
 */
import { createHash } from 'node:crypto';
import type { LintResult } from '../results';
import { type FormatContext, reportPath } from './context';
import { messagesOnDisk } from './on-disk';
import { lineFingerprints } from './fingerprint';

/**
 * One issue per message. `severity`: `major` for errors, `minor` for warnings (GitLab's scale is info, minor, major,
 * critical, blocker). `fingerprint`: 32 hex digits from the rule, path and the finding's line without whitespace (see
 * {@link lineFingerprints}), so the same finding keeps its fingerprint across runs and line moves and GitLab can say
 * which ones a merge request adds or resolves. A finding about a whole file is placed at line 1.
 */
export function gitlab(results: readonly LintResult[], context: FormatContext): string {
  const issues = results.flatMap((result) => {
    const file = reportPath(result.filePath, context);
    const messages = messagesOnDisk(result, context);
    const fingerprints = lineFingerprints({ ...result, messages }, file, context.sources.get(result.filePath));
    return messages.map((m, index) => ({
      description: m.message,
      check_name: m.ruleId ?? 'pylint-torch',
      fingerprint: createHash('sha256')
        // a problem without a rule (unreadable file, syntax error) is one per file and message
        .update(fingerprints[index] ?? `\0${file}\0${m.message}`)
        .digest('hex')
        .slice(0, 32),
      severity: m.severity === 2 ? 'major' : 'minor',
      location: { path: file, lines: { begin: m.fatal || m.fileLevel ? 1 : m.line } },
    }));
  });
  return JSON.stringify(issues, null, 2);
}

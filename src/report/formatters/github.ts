/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`), one per finding: GitHub shows them as
 * annotations on the pull request's changed files, without code scanning. Escaping follows the Actions runner
 * (`@actions/core` command.ts): in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and
 * `,` also become `%3A` and `%2C`.
 */
import type { LintResult } from '../results';
import { type FormatContext, reportPath } from './context';
import { messagesOnDisk } from './on-disk';

const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * One `::error` (severity 2) or `::warning` (1) line per message, the file relative to the repository root (GitHub
 * resolves annotation paths against the checkout), lines and columns 1-based (columns in UTF-16 code units,
 * `endColumn` exclusive), and the rule id as the title. A finding about a whole file (a checkpoint, an unreadable
 * file) names no line. Empty when there is nothing to report.
 */
export function github(results: readonly LintResult[], context: FormatContext): string {
  let out = '';
  for (const result of results) {
    const file = reportPath(result.filePath, context);
    for (const m of messagesOnDisk(result, context)) {
      const place =
        m.fatal || m.fileLevel
          ? []
          : [`line=${m.line}`, `endLine=${m.endLine}`, `col=${m.column}`, `endColumn=${m.endColumn}`];
      const properties = [
        `file=${escapeProperty(file)}`,
        ...place,
        `title=${escapeProperty(m.ruleId ?? 'pylint-torch')}`,
      ];
      out += `::${m.severity === 2 ? 'error' : 'warning'} ${properties.join(',')}::${escapeData(m.message)}\n`;
    }
  }
  return out;
}

/**
 * ESLint's default "stylish" output: problems grouped by file, a summary, colour only when asked (on a TTY).
 */
import { UNSAFE_FIX_DESC, type LintResult } from '../results';
import type { FormatContext } from './context';

const paint = (on: boolean, code: string) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
/** `line:column`, or Ruff's `cell N:line:column` for a notebook's finding (lines count in the cell). */
export const placeOf = (m: { line: number; column: number; cell?: number }): string =>
  `${m.cell === undefined ? '' : `cell ${m.cell}:`}${m.line}:${m.column}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : /(x|s)$/.test(word) ? 'es' : 's'}`;

export function stylish(results: readonly LintResult[], context: FormatContext): string {
  const red = paint(context.color, '31');
  const yellow = paint(context.color, '33');
  const dim = paint(context.color, '2');
  const underline = paint(context.color, '4');
  const bold = paint(context.color, '1');
  let out = '';
  let errors = 0;
  let warnings = 0;
  let fixableErrors = 0;
  let fixableWarnings = 0;
  let unsafe = 0;
  for (const result of results) {
    errors += result.errorCount;
    warnings += result.warningCount;
    fixableErrors += result.fixableErrorCount;
    fixableWarnings += result.fixableWarningCount;
    if (result.messages.length === 0) continue;
    const rows = result.messages.map((m) => {
      if (m.suggestions?.some((s) => s.desc.startsWith(UNSAFE_FIX_DESC))) unsafe++;
      return [placeOf(m), m.severity === 2 ? 'error' : 'warning', m.message.replace(/\.$/, ''), m.ruleId ?? ''];
    });
    const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
    out += `\n${underline(result.filePath)}\n`;
    for (const [place, severity, message, ruleId] of rows) {
      const sev = severity.padEnd(widths[1]);
      // a file-level problem has no rule id: no column for it (and no trailing spaces)
      out += `  ${dim(place.padEnd(widths[0]))}  ${severity === 'error' ? red(sev) : yellow(sev)}  ${message}${ruleId ? `  ${dim(ruleId)}` : ''}\n`;
    }
  }
  const total = errors + warnings;
  if (total > 0) {
    const summary = `\u2716 ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    out += `\n${bold((errors > 0 ? red : yellow)(summary))}\n`;
    if (fixableErrors + fixableWarnings > 0) {
      out += `  ${plural(fixableErrors, 'error')} and ${plural(fixableWarnings, 'warning')} potentially fixable with the \`--fix\` option.\n`;
    }
    if (unsafe > 0) out += `  ${plural(unsafe, 'more fix')} available with \`--fix --unsafe-fixes\`.\n`;
  }
  if (context.dryRun) {
    const changed = results.filter((r) => r.output !== undefined);
    for (const result of changed) {
      out += `\n${underline(result.filePath)} ${dim('(--fix-dry-run: would fix)')}\n`;
      for (const m of result.fixed ?? [])
        out += `  ${dim(placeOf(m))}  ${m.message.replace(/\.$/, '')}${m.ruleId ? `  ${dim(m.ruleId)}` : ''}\n`;
    }
    const fixes = changed.reduce((n, r) => n + (r.fixCount ?? 0), 0);
    out += `\n--fix-dry-run: ${plural(fixes, 'fix')} would be applied to ${plural(changed.length, 'file')}; nothing was written.${unsafe > 0 ? ` (${plural(unsafe, 'unsafe fix')} left out: add --unsafe-fixes to include them.)` : ''}\n`;
  } else if (context.fixed) {
    const changed = results.filter((r) => (r.fixCount ?? 0) > 0);
    if (changed.length)
      out += `\nFixed ${plural(
        changed.reduce((n, r) => n + (r.fixCount ?? 0), 0),
        'problem',
      )} in ${plural(changed.length, 'file')}.\n`;
  }
  return out;
}

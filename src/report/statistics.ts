/** `--statistics`: how many problems each rule found, like Ruff's and flake8's `--statistics`. */
import type { LintResult } from './results';

/**
 * A table of the problems in `results` by rule, most first (then by rule id), each row
 * `count  rule-id` and, when some can be fixed by `--fix`, `(n fixable)`; problems without a rule (unreadable file,
 * syntax error) count under `(no rule)`. Says so when there is no problem.
 */
export function statistics(results: readonly LintResult[]): string {
  const rows = new Map<string, { count: number; fixable: number }>();
  for (const message of results.flatMap((r) => r.messages)) {
    const key = message.ruleId ?? '(no rule)';
    const row = rows.get(key) ?? { count: 0, fixable: 0 };
    row.count++;
    if (message.fix) row.fixable++;
    rows.set(key, row);
  }
  if (rows.size === 0) return '\nStatistics: no problems.\n';
  const sorted = [...rows].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1));
  const width = Math.max(...sorted.map(([, row]) => String(row.count).length));
  const idWidth = Math.max(...sorted.map(([id]) => id.length));
  let out = '\nStatistics:\n';
  for (const [id, { count, fixable }] of sorted)
    out += `${String(count).padStart(width)}  ${fixable ? `${id.padEnd(idWidth)}  (${fixable} fixable)` : id}\n`;
  return out;
}

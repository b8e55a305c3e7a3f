/**
 * Applying fixes (the engine). Pure functions over text; nothing here knows about Python or torch.
 * Modelled on ESLint's lib/linter/source-code-fixer.js: sort by range, skip any fix that overlaps one already taken
 * (it stays a reported problem and may apply in the next pass).
 */
import type { Fix } from './rule';

export interface ApplyResult {
  output: string;
  /** Indices into the `fixes` argument of the fixes that were applied. */
  applied: number[];
}

/**
 * Applies non-overlapping fixes to `text`. Ranges are [start, end) in UTF-16 code units. Fixes that touch the same
 * offset as an earlier one (e.g. two inserts at one point) are skipped too, so a pass is always deterministic.
 * Throws RangeError on a range outside the text — a rule bug, not a user error.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): ApplyResult {
  const order = fixes
    .map((fix, index) => ({ fix, index }))
    .sort((a, b) => a.fix.range[0] - b.fix.range[0] || a.fix.range[1] - b.fix.range[1]);
  let output = '';
  let cursor = 0;
  let lastEnd = -1;
  const applied: number[] = [];
  for (const { fix, index } of order) {
    const [start, end] = fix.range;
    if (start < 0 || end > text.length || start > end)
      throw new RangeError(`fix range [${start}, ${end}) outside text of length ${text.length}`);
    if (start <= lastEnd) continue;
    output += text.slice(cursor, start) + fix.text;
    cursor = end;
    lastEnd = end;
    applied.push(index);
  }
  output += text.slice(cursor);
  return { output, applied: applied.sort((a, b) => a - b) };
}

/** Merges several edits of one fix into a single `{range, text}` spanning them all (ESLint's mergeFixes). */
export function mergeFixes(text: string, edits: readonly Fix[]): Fix {
  if (edits.length === 1) return edits[0];
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  const start = sorted[0].range[0];
  const end = Math.max(...sorted.map((e) => e.range[1]));
  let out = '';
  let cursor = start;
  for (const edit of sorted) {
    if (edit.range[0] < cursor) throw new Error('mergeFixes: edits of one fix overlap');
    out += text.slice(cursor, edit.range[0]) + edit.text;
    cursor = edit.range[1];
  }
  out += text.slice(cursor, end);
  return { range: [start, end], text: out };
}

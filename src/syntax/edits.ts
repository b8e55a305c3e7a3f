/**
 * Shared edit builders for rules: how to add an argument to a Python call, once for every rule (the idea of Ruff's
 * `add_argument` in src/fix/edits.rs).
 */
import type { Node } from './parse';
import { namedChildren } from './python';

/**
 * One text edit: replace `range` = [start, end) with `text`. Offsets are 0-based UTF-16 code units into the file's
 * text without its BOM — the same units as web-tree-sitter's `startIndex`/`endIndex` and JS string indices.
 */
export interface TextEdit {
  range: [number, number];
  text: string;
}

/**
 * An edit that appends `argument` (e.g. `weights_only=True`) as the last argument of `call`:
 * - `f()` → `f(weights_only=True)`;
 * - `f(a)` → `f(a, weights_only=True)`, also when `)` is on a later line;
 * - `f(a,)` → `f(a, weights_only=True)`;
 * - a multi-line call with a trailing comma gets a new line with the last argument's indentation, keeping the
 *   trailing-comma style (and the file's CRLF line endings).
 * Returns undefined for a call without a parenthesised argument list (`f(x for x in y)`).
 */
export function addArgument(call: Node, argument: string, text: string): TextEdit | undefined {
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return undefined;
  const args = namedChildren(list);
  const open = list.child(0);
  if (args.length === 0) return open ? { range: [open.endIndex, open.endIndex], text: argument } : undefined;
  const last = args[args.length - 1];
  const comma = list.children.find((c) => c?.type === ',' && c.startIndex >= last.endIndex);
  if (!comma) return { range: [last.endIndex, last.endIndex], text: `, ${argument}` };
  const close = list.lastChild;
  const multiLine = close !== null && close.startPosition.row > last.endPosition.row;
  if (!multiLine) return { range: [comma.endIndex, comma.endIndex], text: ` ${argument}` };
  const lineStart = text.lastIndexOf('\n', last.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const lineEnd = text.indexOf('\n', comma.endIndex);
  const eol = lineEnd > 0 && text[lineEnd - 1] === '\r' ? '\r\n' : '\n';
  // after anything that follows the comma on its line (usually a comment), so the comment stays with its argument
  const insertAt = lineEnd === -1 ? comma.endIndex : lineEnd - (eol.length - 1);
  return { range: [insertAt, insertAt], text: `${eol}${indent}${argument},` };
}

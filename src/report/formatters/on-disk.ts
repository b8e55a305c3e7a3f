/**
 * Where a finding is in the file as it is on disk. For a notebook, a finding's `line`/`column` are in its cell (Ruff's
 * places, what stylish and JSON show); formats that annotate the file itself (SARIF, GitHub, GitLab, JUnit) need
 * the line and column of that code inside the notebook's JSON text, and say the cell in the message.
 */
import { notebookTextPosition } from '../../project/notebook';
import type { LintMessage, LintResult } from '../results';
import type { FormatContext } from './context';

/**
 * `result.messages` placed in the file on disk: a notebook's (those with a `cell`) at the line and column of their
 * code in the notebook's JSON text (1-based; columns in UTF-16 code units), with `(notebook cell N, line L)` added
 * to the message; every other message as it is.
 */
export function messagesOnDisk(result: LintResult, context: Pick<FormatContext, 'sources'>): LintMessage[] {
  const notebook = result.messages.some((m) => m.cell !== undefined)
    ? notebookTextPosition(context.sources.get(result.filePath) ?? '')
    : undefined;
  return result.messages.map((m) => onDisk(m, notebook));
}

/**
 * A notebook's finding with its region in the notebook file as it is on disk (SARIF regions count in the artifact's
 * text, §3.30), and its cell and line in the cell said in the message (the result's `properties` hold them too).
 */
function onDisk(message: LintMessage, position: ReturnType<typeof notebookTextPosition>): LintMessage {
  const { cell } = message;
  if (cell === undefined || !position) return message;
  const place = <T extends { line: number; column: number; endLine: number; endColumn: number; cell?: number }>(
    span: T,
  ): T => {
    const start = position(span.cell ?? cell, span.line, span.column);
    const end = position(span.cell ?? cell, span.endLine, span.endColumn);
    return { ...span, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  return {
    ...place(message),
    message: `${message.message} (notebook cell ${cell}, line ${message.line})`,
    ...(message.relatedLocations && { relatedLocations: message.relatedLocations.map(place) }),
  };
}

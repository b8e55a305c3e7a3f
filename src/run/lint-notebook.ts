/**
 * Linting (and fixing) one Jupyter notebook: its code cells are linted as one Python text (src/project/notebook.ts),
 * findings are mapped back to (cell, line in cell), and fixes are written into the cells' `source` values only.
 */
import { TextDecoder } from 'node:util';
import type { Parser } from 'web-tree-sitter';
import { lintAndFix, type LintOptions, lintText, type Problem, type RuleSetting } from '../engine/linter';
import type { Fix } from '../engine/rule';
import {
  cellSources,
  lineMapper,
  type Notebook,
  notebookEdit,
  parseNotebook,
  type VirtualText,
  virtualText,
  withSources,
} from '../project/notebook';
import { NOT_WRITTEN, writeIfUnchanged, type WriteOutcome } from '../project/write';
import { countResult, internalErrorResult, type LintResult, toResult } from '../report/results';

/** What {@link lintNotebook} needs of the run's options. */
export interface NotebookRunOptions {
  fix?: boolean;
  fixDryRun?: boolean;
  unsafeFixes?: boolean;
  /** Real paths of the linted folders and files: a fix is written only to a file whose real path is inside one. */
  writeRoots?: readonly string[];
}

/**
 * Lints the notebook `file` whose bytes are `bytes`; with `fix` writes the fixed notebook (only if the file still
 * holds `bytes`), with `fixDryRun` returns it as `output`. `sources` gets the notebook's JSON text (after fixes when
 * they were written). Never throws: a notebook that cannot be read, is not Python or cannot be written back gets a
 * message without a rule.
 */
export function lintNotebook(
  file: string,
  bytes: Buffer,
  options: NotebookRunOptions,
  settings: readonly RuleSetting[],
  lintOptions: LintOptions,
  parser: Parser,
  sources: Map<string, string>,
): LintResult {
  const unsafe = Boolean(options.unsafeFixes);
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return toResult(
      file,
      [fileMessage('Cannot decode the notebook as UTF-8 (nbformat files are UTF-8 JSON).', 2)],
      false,
    );
  }
  const bom = decoded.startsWith('\uFEFF') ? '\uFEFF' : '';
  const notebook = parseNotebook(decoded.slice(bom.length));
  if ('kind' in notebook)
    return toResult(file, [fileMessage(notebook.message, notebook.kind === 'error' ? 2 : 1)], false);
  sources.set(file, notebook.text);
  const virtual = virtualText(notebook);
  try {
    if (!options.fix && !options.fixDryRun)
      return inResult(file, notebook, virtual, lintText(parser, virtual.text, file, settings, lintOptions), unsafe);
    const outcome = lintAndFix(parser, virtual.text, file, settings, unsafe, lintOptions);
    if (outcome.output === virtual.text) return inResult(file, notebook, virtual, outcome.problems, unsafe);
    const changed = cellSources(notebook, virtual, outcome.output);
    const unfixed = (why: string) =>
      countResult({
        filePath: file,
        messages: [
          fileMessage(why, 2, false),
          ...inResult(file, notebook, virtual, lintText(parser, virtual.text, file, settings, lintOptions), unsafe)
            .messages,
        ],
      });
    if (!changed) return unfixed("The fixes could not be mapped back into the notebook's cells; no fix was written.");
    const fixedText = withSources(notebook, changed);
    const fixedNotebook = parseNotebook(fixedText);
    if ('kind' in fixedNotebook) return unfixed('The fixed notebook would not be valid; no fix was written.');
    const after: VirtualText = { ...virtual, text: outcome.output };
    const result = inResult(file, fixedNotebook, after, outcome.problems, unsafe);
    const fixed = inResult(file, notebook, virtual, outcome.applied, true, false).messages;
    if (options.fixDryRun) return { ...result, output: bom + fixedText, fixCount: outcome.fixCount, fixed };
    let written: WriteOutcome;
    try {
      written = writeIfUnchanged(file, Buffer.from(bom + fixedText, 'utf8'), bytes, options.writeRoots);
    } catch (error) {
      return unfixed(`Cannot write fixes: ${(error as Error).message}`);
    }
    if (written !== 'written') return unfixed(NOT_WRITTEN[written]);
    sources.set(file, fixedText);
    return { ...result, fixCount: outcome.fixCount, fixed };
  } catch (error) {
    return internalErrorResult(file, error);
  }
}

/**
 * The result of problems of the virtual text, as messages of the notebook (how an unsafe fix is shown is decided on
 * the Python edit, so that its description reads as for a Python file).
 */
function inResult(
  file: string,
  notebook: Notebook,
  virtual: VirtualText,
  problems: readonly Problem[],
  unsafe: boolean,
  edits = true,
): LintResult {
  return countResult({
    filePath: file,
    messages: inCells(notebook, virtual, toResult(file, problems, unsafe).messages, edits),
  });
}

/**
 * Problems of the virtual text as problems of the notebook: lines in cells, with `cell`; fixes and suggestions as
 * edits of the notebook's JSON text (one that cannot be mapped back is dropped: the problem stays, unfixable).
 * `edits: false` drops them all (problems of a text already fixed further).
 */
function inCells(notebook: Notebook, virtual: VirtualText, problems: readonly Problem[], edits = true): Problem[] {
  const at = lineMapper(virtual, virtual.text);
  const place = <T extends { line: number; column: number; endLine: number; endColumn: number }>(span: T): T => {
    const start = at(span.line);
    const end = at(span.endLine);
    const sameCell = end.cell === start.cell;
    return {
      ...span,
      cell: start.cell,
      line: start.line,
      endLine: sameCell ? end.line : start.line,
      endColumn: sameCell ? span.endColumn : span.column,
    };
  };
  const edit = (fix: Fix | undefined): Fix | undefined =>
    fix && edits ? notebookEdit(notebook, virtual, fix) : undefined;
  return problems.map((problem) => {
    const { fix, fixSafety, suggestions, relatedLocations, ...rest } = problem;
    const mapped: Problem = place(rest);
    const notebookFix = edit(fix);
    if (notebookFix) Object.assign(mapped, { fix: notebookFix }, fixSafety && { fixSafety });
    const kept = (suggestions ?? []).flatMap((s) => {
      const f = edit(s.fix);
      return f ? [{ ...s, fix: f }] : [];
    });
    if (kept.length) mapped.suggestions = kept;
    if (relatedLocations) mapped.relatedLocations = relatedLocations.map(place);
    return mapped;
  });
}

/** A problem of the notebook itself: fatal (nothing was checked) for an error unless `fatal` is false. */
function fileMessage(message: string, severity: 1 | 2, fatal = severity === 2): Problem {
  return {
    ruleId: null,
    severity,
    message,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    ...(fatal ? { fatal: true } : { fileLevel: true }),
  };
}

/**
 * Jupyter notebooks (nbformat 4, https://nbformat.readthedocs.io/en/latest/format_description.html): their code cells
 * as one Python text to lint, findings mapped back to (cell, line in cell), and fixed code written back into the
 * notebook's JSON text by replacing only the `source` values of the cells that changed, so that outputs, metadata,
 * key order, indentation and the final newline stay byte for byte as they were.
 *
 * The Python text (the "virtual text") is every code cell in order, each after a boundary comment
 * (`# @nb0 cell 3`), so that names resolve across cells as when the notebook runs top to bottom (Ruff does the
 * same). IPython syntax that is not Python keeps its line, as a placeholder comment (after `pass` when indented):
 * line magics (`%matplotlib inline`), shell escapes (`!pip install x`, `files = !ls`) and help (`obj?`). A cell that
 * starts with a cell magic is skipped, except `%%time`, `%%timeit`, `%%capture` and `%%prun`, whose body is Python.
 *
 * Offsets and columns are UTF-16 code units; lines, columns and cell numbers are 1-based. A cell's number counts
 * every cell of the notebook (markdown too), as Ruff and notebook editors number them.
 */
import { lineIndex } from '../engine/linter';

/** How one cell's `source` is written in the JSON text. */
interface SourceValue {
  /** The value's span in the notebook text: `[` … `]` or `"` … `"`. */
  range: [number, number];
  /** A list of strings (nbformat's usual form), or one string. */
  form: 'list' | 'string';
  /** List form: each element's decoded text and raw span (quotes included). */
  elements: { text: string; range: [number, number] }[];
  /** List form: the whitespace after `[`, between elements (after the comma), and before `]`. */
  layout: { open: string; between: string; close: string };
}

/** One cell of a notebook. */
export interface NotebookCell {
  /** 1-based position among all cells. */
  number: number;
  /** `code`, `markdown` or `raw` (nbformat's `cell_type`). */
  type: string;
  /** The decoded source (the list's strings joined). */
  source: string;
  value: SourceValue;
}

/** A parsed notebook: its JSON text (without BOM) and its cells. */
export interface Notebook {
  text: string;
  cells: NotebookCell[];
  /** True when the text holds no character outside ASCII (so non-ASCII in fixed code is written `\uXXXX`). */
  ascii: boolean;
}

/** Why a file named `.ipynb` is not linted: `error`s are fatal problems, `skip`s are warnings. */
export interface NotebookRefusal {
  kind: 'error' | 'skip';
  message: string;
}

/** Is this path a notebook (by extension, as Jupyter and pre-commit's `jupyter` type decide)? */
export function isNotebookPath(file: string): boolean {
  return file.toLowerCase().endsWith('.ipynb');
}

/**
 * Parses a notebook's JSON text (without BOM). Returns a {@link NotebookRefusal} for invalid JSON, a notebook older
 * than nbformat 4, a notebook whose kernel language is not Python (`metadata.language_info.name`, else
 * `metadata.kernelspec.language`; a notebook that names none is taken as Python), or cells that are not nbformat 4
 * cells. Never throws.
 */
export function parseNotebook(text: string): Notebook | NotebookRefusal {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      kind: 'error',
      message: `Cannot read the notebook: it is not valid JSON (${(error as Error).message}); nothing was checked.`,
    };
  }
  if (!isObject(data))
    return { kind: 'error', message: 'Cannot read the notebook: its JSON is not an object; nothing was checked.' };
  const major = data.nbformat;
  if (typeof major === 'number' && major < 4)
    return {
      kind: 'error',
      message:
        `Notebook format ${major} is not supported (nbformat 4 is); nothing was checked. Convert it with ` +
        '`jupyter nbconvert --to notebook --nbformat 4 --inplace FILE`.',
    };
  const metadata = isObject(data.metadata) ? data.metadata : {};
  const languageInfo = isObject(metadata.language_info) ? metadata.language_info : {};
  const kernelspec = isObject(metadata.kernelspec) ? metadata.kernelspec : {};
  const language = [languageInfo.name, kernelspec.language].find((l): l is string => typeof l === 'string');
  if (language !== undefined && language.toLowerCase() !== 'python')
    return {
      kind: 'skip',
      message: `Not a Python notebook (its kernel language is ${JSON.stringify(language)}): not checked.`,
    };
  if (!Array.isArray(data.cells))
    return {
      kind: 'error',
      message: 'Cannot read the notebook: it has no "cells" list (not an nbformat 4 notebook); nothing was checked.',
    };
  const tree = scanValue(text, skipSpace(text, 0));
  const cellsNode = tree.kind === 'object' ? lastEntry(tree, 'cells') : undefined;
  if (cellsNode?.kind !== 'array') throw new Error('notebook scanner disagrees with JSON.parse'); // cannot happen
  const cells: NotebookCell[] = [];
  for (const [i, cell] of data.cells.entries()) {
    const node = cellsNode.items[i];
    const sourceNode = node.kind === 'object' ? lastEntry(node, 'source') : undefined;
    const type = isObject(cell) ? cell.cell_type : undefined;
    const source = isObject(cell) ? cell.source : undefined;
    const strings = typeof source === 'string' || (Array.isArray(source) && source.every((s) => typeof s === 'string'));
    if (typeof type !== 'string' || !strings || !sourceNode)
      return {
        kind: 'error',
        message: `Cannot read the notebook: cell ${i + 1} has no "cell_type" or no "source" string or list of strings; nothing was checked.`,
      };
    cells.push({
      number: i + 1,
      type,
      source: typeof source === 'string' ? source : (source as string[]).join(''),
      value: sourceValue(text, sourceNode),
    });
  }
  return { text, cells, ascii: !/[\u0080-\uffff]/.test(text) };
}

/** The virtual text of a notebook and what is needed to map it back. */
export interface VirtualText {
  text: string;
  /** The boundary and placeholder tag, `@nb<N>`, chosen to occur nowhere in the notebook's code. */
  tag: string;
  /** The original text of each placeholder line, by its number. */
  magics: string[];
  /** Numbers of the cells in the text, in order. */
  cellNumbers: number[];
}

/** Cell magics whose body is Python (IPython's built-ins that run their cell as code). */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);

/** A line of IPython syntax that is not Python: `%magic`, `!shell`, `?help`, `obj?`, `x = !cmd`, `x = %magic`. */
const IPYTHON_LINE = /^\s*(?:[%!?]|[\w.]+\?\??\s*$|[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!])/;

/**
 * Builds the Python text of the notebook's code cells. A cell that does not end with a newline gets one (removed on
 * the way back).
 */
export function virtualText(notebook: Notebook): VirtualText {
  const code = notebook.cells.filter((c) => c.type === 'code');
  let n = 0;
  while (code.some((c) => c.source.includes(`@nb${n}`))) n++;
  const tag = `@nb${n}`;
  const magics: string[] = [];
  const cellNumbers: number[] = [];
  let text = '';
  for (const cell of code) {
    const lines = splitLines(cell.source);
    const cellMagic = /^%%(\w+)/.exec(lines[0] ?? '');
    if (cellMagic && !PYTHON_CELL_MAGICS.has(cellMagic[1])) continue; // %%bash, %%writefile…: not Python
    cellNumbers.push(cell.number);
    text += `# ${tag} cell ${cell.number}\n`;
    // the indent of the IPython line a trailing backslash continues (`!tts --text hi \` then `--out x.wav`)
    let continued: string | undefined;
    // the last Python line's indent, and whether it opens a block: an IPython line indented past it
    // (` !pip install x` at the top of a cell, which IPython accepts) stands at its indent
    let lastIndent = '';
    let opens = false;
    for (const [i, line] of lines.entries()) {
      const body = line.replace(/\r?\n$/, '');
      if (continued !== undefined || (i === 0 && cellMagic) || IPYTHON_LINE.test(body)) {
        // a comment at the top level (so that a magic before the imports keeps them one block); `pass` in a block,
        // which may have no other statement
        const own = /^\s*/.exec(body)![0];
        const indent = continued ?? (own.length > lastIndent.length && !opens ? lastIndent : own);
        text += `${indent}${indent ? 'pass  ' : ''}# ${tag} m${magics.length}${line.slice(body.length)}`;
        magics.push(body);
        continued = body.endsWith('\\') ? indent : undefined;
      } else {
        text += line;
        if (body.trim() !== '' && !body.trimStart().startsWith('#')) {
          lastIndent = /^\s*/.exec(body)![0];
          opens = /:\s*(#.*)?$/.test(body);
        }
      }
    }
    if (!cell.source.endsWith('\n')) text += '\n';
  }
  return { text, tag, magics, cellNumbers };
}

/** Where a line of a (possibly fixed) virtual text is in the notebook. */
export interface CellPosition {
  cell: number;
  line: number;
}

/**
 * Maps 1-based lines of `text` (the virtual text or a fixed version of it) to (cell number, line in cell). Lines
 * before the first boundary (what a fix inserted at the very top) belong to the first cell; a boundary line maps to
 * the first line of its cell.
 */
export function lineMapper(virtual: VirtualText, text: string): (line: number) => CellPosition {
  const boundary = new RegExp(`^# ${escapeRegExp(virtual.tag)} cell (\\d+)$`);
  const rows: CellPosition[] = [];
  let cell = virtual.cellNumbers[0] ?? 1;
  let line = 0;
  let first = true;
  for (const row of text.split('\n')) {
    const match = boundary.exec(row.replace(/\r$/, ''));
    if (match) {
      cell = Number(match[1]);
      if (!first || line === 0) line = 0;
      first = false;
      rows.push({ cell, line: line + 1 });
      continue;
    }
    rows.push({ cell, line: ++line });
  }
  return (row) => rows[Math.min(Math.max(row, 1), rows.length) - 1];
}

/**
 * The cells' sources from a fixed virtual text: the sources of cells that changed, by cell number, or undefined when
 * the text no longer has each boundary once and in order, or a placeholder was lost or moved to another cell (a fix
 * that cannot be mapped back).
 */
export function cellSources(notebook: Notebook, virtual: VirtualText, fixed: string): Map<number, string> | undefined {
  const boundary = new RegExp(`^# ${escapeRegExp(virtual.tag)} cell (\\d+)\\r?\\n`, 'gm');
  const marks = [...fixed.matchAll(boundary)];
  if (marks.length !== virtual.cellNumbers.length || marks.some((m, i) => Number(m[1]) !== virtual.cellNumbers[i]))
    return undefined;
  const placeholder = new RegExp(`^[ \\t]*(?:pass  )?# ${escapeRegExp(virtual.tag)} m(\\d+)(?=\\r?\\n|$)`, 'gm');
  const used = new Set<number>();
  const changed = new Map<number, string>();
  for (const [i, mark] of marks.entries()) {
    const start = mark.index + mark[0].length;
    const end = i + 1 < marks.length ? marks[i + 1].index : fixed.length;
    // what a fix inserted before the first boundary starts the first cell
    let body = (i === 0 ? fixed.slice(0, mark.index) : '') + fixed.slice(start, end);
    let lost = false;
    body = body.replace(placeholder, (_, k: string) => {
      const index = Number(k);
      if (used.has(index) || index >= virtual.magics.length) lost = true;
      used.add(index);
      return virtual.magics[index] ?? '';
    });
    if (lost) return undefined;
    const original = notebook.cells[Number(mark[1]) - 1];
    if (!original.source.endsWith('\n') && body.endsWith('\n')) body = body.slice(0, -1);
    if (body !== original.source) changed.set(original.number, body);
  }
  if (used.size !== virtual.magics.length) return undefined;
  return changed;
}

/**
 * The notebook's JSON text with the `source` of each cell in `sources` replaced, all else kept byte for byte. Lines
 * that did not change keep their JSON spelling; new ones are written as `JSON.stringify` (and nbformat) writes them,
 * escaping non-ASCII only in an all-ASCII notebook.
 */
export function withSources(notebook: Notebook, sources: ReadonlyMap<number, string>): string {
  let out = notebook.text;
  const cells = notebook.cells.filter((c) => sources.has(c.number)).sort((a, b) => b.value.range[0] - a.value.range[0]);
  for (const cell of cells) {
    const [start, end] = cell.value.range;
    out = out.slice(0, start) + encodeSource(notebook, cell, sources.get(cell.number)!) + out.slice(end);
  }
  return out;
}

/**
 * One fix of the virtual text as an edit of the notebook's JSON text: `[start, end)` spans the `source` values of
 * the first to the last cell it changes (the JSON between them kept), or undefined when it cannot be mapped back.
 */
export function notebookEdit(
  notebook: Notebook,
  virtual: VirtualText,
  fix: { range: [number, number]; text: string },
): { range: [number, number]; text: string } | undefined {
  const [from, to] = fix.range;
  if (from < 0 || to > virtual.text.length || from > to) return undefined;
  const fixed = virtual.text.slice(0, from) + fix.text + virtual.text.slice(to);
  const sources = cellSources(notebook, virtual, fixed);
  if (!sources?.size) return undefined;
  const touched = notebook.cells.filter((c) => sources.has(c.number));
  const start = touched[0].value.range[0];
  const end = touched[touched.length - 1].value.range[1];
  // the span only, not the whole notebook again (outputs may be megabytes of images)
  let text = '';
  let cursor = start;
  for (const cell of touched) {
    text += notebook.text.slice(cursor, cell.value.range[0]) + encodeSource(notebook, cell, sources.get(cell.number)!);
    cursor = cell.value.range[1];
  }
  return { range: [start, end], text };
}

/**
 * Where a cell's (line, column) is in the notebook's JSON text (1-based; columns in UTF-16 code units of the JSON
 * text), for formats whose regions must point into the file as it is on disk (SARIF). Undefined when `text` is not a
 * notebook or the cell does not exist.
 */
export function notebookTextPosition(text: string):
  | ((
      cell: number,
      line: number,
      column: number,
    ) => CellPosition & {
      column: number;
    })
  | undefined {
  const notebook = parseNotebook(text.replace(/^\uFEFF/, ''));
  if ('kind' in notebook) return undefined;
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const lineOf = lineIndex(text);
  const offsets = new Map<number, { lineStarts: number[]; raw: number[] }>();
  return (cellNumber, line, column) => {
    const cell = notebook.cells[cellNumber - 1];
    if (!cell) return { cell: cellNumber, ...lineOf(0) };
    let map = offsets.get(cellNumber);
    if (!map) offsets.set(cellNumber, (map = rawOffsets(notebook.text, cell)));
    const lineStart = map.lineStarts[Math.min(line, map.lineStarts.length) - 1];
    const decoded = Math.min(lineStart + column - 1, map.raw.length - 1);
    return { cell: cellNumber, ...lineOf(map.raw[decoded] + bom) };
  };
}

// ——— the JSON text ———

type JsonNode =
  | { kind: 'object'; start: number; end: number; entries: { key: string; value: JsonNode }[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string' | 'scalar'; start: number; end: number };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lastEntry(node: JsonNode & { kind: 'object' }, key: string): JsonNode | undefined {
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i].key === key) return node.entries[i].value;
  return undefined;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at++;
  return at;
}

/** The end (exclusive) of the string literal whose opening quote is at `at`. */
function stringEnd(text: string, at: number): number {
  for (let i = text.indexOf('"', at + 1); i !== -1; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    while (text[i - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return i + 1;
  }
  return text.length;
}

/** Spans of the JSON value at `at`, for text that JSON.parse accepted. */
function scanValue(text: string, at: number): JsonNode {
  const c = text[at];
  if (c === '"') return { kind: 'string', start: at, end: stringEnd(text, at) };
  if (c === '{' || c === '[') {
    const entries: { key: string; value: JsonNode }[] = [];
    const items: JsonNode[] = [];
    let i = skipSpace(text, at + 1);
    while (text[i] !== (c === '{' ? '}' : ']')) {
      if (c === '{') {
        const keyEnd = stringEnd(text, i);
        const key = JSON.parse(text.slice(i, keyEnd)) as string;
        const value = scanValue(text, skipSpace(text, skipSpace(text, keyEnd) + 1));
        entries.push({ key, value });
        i = value.end;
      } else {
        const value = scanValue(text, i);
        items.push(value);
        i = value.end;
      }
      i = skipSpace(text, i);
      if (text[i] === ',') i = skipSpace(text, i + 1);
    }
    return c === '{'
      ? { kind: 'object', start: at, end: i + 1, entries }
      : { kind: 'array', start: at, end: i + 1, items };
  }
  let end = at;
  while (end < text.length && !/[\s,\]}]/.test(text[end])) end++;
  return { kind: 'scalar', start: at, end };
}

function sourceValue(text: string, node: JsonNode): SourceValue {
  if (node.kind !== 'array')
    return {
      range: [node.start, node.end],
      form: 'string',
      elements: [],
      layout: { open: '', between: '', close: '' },
    };
  const elements = node.items.map((item) => ({
    text: JSON.parse(text.slice(item.start, item.end)) as string,
    range: [item.start, item.end] as [number, number],
  }));
  const first = elements[0]?.range[0];
  const last = elements[elements.length - 1]?.range[1];
  const layout = {
    open: first === undefined ? '' : text.slice(node.start + 1, first),
    between:
      elements.length > 1 ? text.slice(elements[0].range[1] + 1, elements[1].range[0]) : guessBetween(text, node),
    close: last === undefined ? '' : text.slice(last, node.end - 1),
  };
  return { range: [node.start, node.end], form: 'list', elements, layout };
}

/** For a list of one element, the whitespace `[` is followed by (a newline and indent: one per line), else a space. */
function guessBetween(text: string, node: JsonNode): string {
  const open = /^\s*/.exec(text.slice(node.start + 1))![0];
  return open.includes('\n') ? open : ' ';
}

/** Lines of `text`, each with its `\n` (the last without one when the text does not end with one). */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

function encodeString(notebook: Notebook, value: string): string {
  const json = JSON.stringify(value);
  return notebook.ascii
    ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

/**
 * A cell's new `source` value in the cell's own form and layout. In list form, elements that are unchanged lines
 * keep their raw spelling; in string form, unchanged lines keep theirs.
 */
function encodeSource(notebook: Notebook, cell: NotebookCell, source: string): string {
  const lines = splitLines(source);
  const { value } = cell;
  if (value.form === 'list') {
    const raw = new Map<string, string[]>();
    for (const element of value.elements) {
      const list = raw.get(element.text) ?? [];
      list.push(notebook.text.slice(...element.range));
      raw.set(element.text, list);
    }
    const parts = lines.map((line) => raw.get(line)?.shift() ?? encodeString(notebook, line));
    if (parts.length === 0) return '[]';
    const { open, between, close } = value.layout;
    return `[${open}${parts.join(`,${between}`)}${close}]`;
  }
  const map = rawOffsets(notebook.text, cell);
  const rawLines = new Map<string, string[]>();
  const old = splitLines(cell.source);
  for (const [i, line] of old.entries()) {
    const from = map.raw[map.lineStarts[i]];
    const to = map.raw[map.lineStarts[i] + line.length];
    const list = rawLines.get(line) ?? [];
    list.push(notebook.text.slice(from, to));
    rawLines.set(line, list);
  }
  return `"${lines.map((line) => rawLines.get(line)?.shift() ?? encodeString(notebook, line).slice(1, -1)).join('')}"`;
}

/**
 * For each UTF-16 unit of the cell's decoded source, the offset in the notebook text where its spelling starts (the
 * last entry: after the final unit), and where each source line starts in the decoded source.
 */
function rawOffsets(text: string, cell: NotebookCell): { lineStarts: number[]; raw: number[] } {
  const raw: number[] = [];
  const literals =
    cell.value.form === 'list'
      ? cell.value.elements.map((e) => e.range)
      : [cell.value.range.slice() as [number, number]];
  for (const [start, end] of literals) {
    for (let i = start + 1; i < end - 1;) {
      raw.push(i);
      if (text[i] !== '\\') i++;
      else i += text[i + 1] === 'u' ? 6 : 2;
    }
  }
  const last = literals[literals.length - 1];
  raw.push(last ? last[1] - 1 : cell.value.range[0]);
  const lineStarts = [0];
  for (let i = cell.source.indexOf('\n'); i !== -1; i = cell.source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { lineStarts, raw };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

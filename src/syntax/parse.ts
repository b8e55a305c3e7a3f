/**
 * Parsing. Loads the tree-sitter runtime and the Python grammar from `wasm/` (copied there from the
 * pinned npm packages by scripts/vendor-wasm.js) and turns source text into a tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Node, Parser, type Range, Tree } from 'web-tree-sitter';
import { type Gap, grammarWorkarounds, type HiddenComment } from './workarounds';

export type { Node, Tree };

/** The folder that holds the vendored wasm files, found by walking up from this module (src/ or dist/src/). */
function wasmDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'wasm');
    if (fs.existsSync(path.join(candidate, 'tree-sitter-python.wasm'))) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(`pylint-torch: wasm/tree-sitter-python.wasm not found above ${__dirname}`);
  }
}

let parserPromise: Promise<Parser> | undefined;

/**
 * The shared Python parser, created once per process. The grammar is loaded from bytes, which works under both
 * CommonJS and Jest. Throws if the wasm files are missing or cannot be instantiated.
 */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const dir = wasmDir();
    await Parser.init({ locateFile: (file: string) => path.join(dir, file) });
    const language = await Language.load(fs.readFileSync(path.join(dir, 'tree-sitter-python.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/**
 * Parses Python source. The caller owns the tree and must call `tree.delete()` when done (wasm memory is not
 * garbage-collected). Node offsets (`startIndex`/`endIndex`) are UTF-16 code units into `text`.
 *
 * When the plain parse has errors, the text is parsed again with the few characters that make the grammar reject
 * valid Python hidden from it (src/syntax/workarounds.ts: a dedented line inside brackets, `:=` opening an f-string
 * format spec), and that tree is kept if it has fewer ERROR/MISSING nodes. Offsets, rows, columns and `node.text`
 * are those of `text` either way; comments in the hidden stretches are in {@link hiddenComments}. A file without
 * errors costs one parse, as before; one with more than {@link MAX_GAPS} stretches to hide keeps its plain parse.
 * Throws if tree-sitter returns no tree.
 */
export function parsePython(parser: Parser, text: string): Tree {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  if (!tree.rootNode.hasError) return tree;
  const { gaps, comments } = grammarWorkarounds(text);
  if (gaps.length === 0 || gaps.length > MAX_GAPS) return tree;
  const repaired = parser.parse(text, null, { includedRanges: includedRanges(text, gaps) });
  if (repaired && countSyntaxErrors(repaired.rootNode) < countSyntaxErrors(tree.rootNode)) {
    tree.delete();
    if (comments.length) hidden.set(repaired, comments);
    return repaired;
  }
  repaired?.delete();
  return tree;
}

/**
 * Beyond this many hidden stretches the plain parse is kept: tree-sitter's time with included ranges grows with
 * their number times the tokens (measured: 16,000 ranges in 256 KB, 1.9 s against 0.4 s for the plain parse;
 * 1,000 in 550 KB, about 1 s more). Real files have a handful.
 */
const MAX_GAPS = 1000;

const hidden = new WeakMap<Tree, readonly HiddenComment[]>();

/**
 * The comments {@link parsePython} hid from the parser in `tree` (no node holds them; directives must still see
 * them), in document order; usually none.
 */
export function hiddenComments(tree: Tree): readonly HiddenComment[] {
  return hidden.get(tree) ?? [];
}

/** The complement of `gaps` (sorted, disjoint) in `text`, as tree-sitter ranges (UTF-16 offsets and columns). */
function includedRanges(text: string, gaps: readonly Gap[]): Range[] {
  const ranges: Range[] = [];
  let row = 0;
  let lineStart = 0;
  let scanned = 0;
  const point = (index: number) => {
    for (let i = text.indexOf('\n', scanned); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    scanned = Math.max(scanned, index);
    return { row, column: index - lineStart };
  };
  let start = 0;
  for (const gap of gaps) {
    ranges.push({ startIndex: start, endIndex: gap.start, startPosition: point(start), endPosition: point(gap.start) });
    start = gap.end;
  }
  ranges.push({
    startIndex: start,
    endIndex: text.length,
    startPosition: point(start),
    endPosition: point(text.length),
  });
  return ranges;
}

/** Each tree's parent table: node id → parent node, built on first use by {@link parentOf}. */
const parentTables = new WeakMap<Tree, Map<number, Node>>();

/**
 * The parent of `node` (null for the root), in constant time. tree-sitter's own `Node.parent` walks down from the
 * root on every call (`ts_node_parent`, O(depth)), so an ancestor walk with it is quadratic in the nesting depth and
 * the same walk from every node of a deeply nested file cubic. The first call for a tree records every node's parent
 * in one cursor walk (linear in the tree's size); later calls look it up. Use this instead of `node.parent`.
 */
export function parentOf(node: Node): Node | null {
  let table = parentTables.get(node.tree);
  if (!table) parentTables.set(node.tree, (table = parentTable(node.tree)));
  return table.get(node.id) ?? null;
}

/** Per tree and list of types: node id → its closest ancestor of one of the types, as {@link closestAncestor} found. */
const closestTables = new WeakMap<Tree, Map<string, Map<number, Node | null>>>();

/**
 * The closest proper ancestor of `node` whose type is one of `types`, or null; amortized constant time. Every node
 * on the way up remembers the answer (per tree and per list of types), so the same question asked from every node
 * of a 5,000-deep expression costs one walk in all, not one per node. Loop over it to visit only those ancestors:
 * `for (let p = closestAncestor(n, T); p; p = closestAncestor(p, T))`.
 */
export function closestAncestor(node: Node, types: readonly string[]): Node | null {
  const key = types.join(' ');
  let byTypes = closestTables.get(node.tree);
  if (!byTypes) closestTables.set(node.tree, (byTypes = new Map()));
  let memo = byTypes.get(key);
  if (!memo) byTypes.set(key, (memo = new Map()));
  const path: number[] = [];
  let found: Node | null | undefined;
  for (let current = node; found === undefined;) {
    found = memo.get(current.id);
    if (found !== undefined) break;
    path.push(current.id);
    const parent = parentOf(current);
    if (!parent || types.includes(parent.type)) found = parent;
    else current = parent;
  }
  for (const id of path) memo.set(id, found);
  return found;
}

function parentTable(tree: Tree): Map<number, Node> {
  const table = new Map<number, Node>();
  // `children` reads all of a node's children in one wasm call (a cursor takes three per node, and makes a Node
  // for every leaf too); an explicit stack, as nesting may be thousands deep
  const stack: Node[] = [tree.rootNode];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const children = node.children;
    // web-tree-sitter keeps the array on the node: dropped, so that the table keeps only the parents alive
    (node as unknown as { _children?: unknown })._children = undefined;
    for (const child of children) {
      if (!child) continue;
      table.set(child.id, node);
      stack.push(child);
    }
  }
  return table;
}

/** Number of ERROR and MISSING nodes in a tree: the fixer refuses any pass that raises it. */
export function countSyntaxErrors(root: Node): number {
  let count = 0;
  const stack: Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.isError || node.isMissing) count++;
    if (node.hasError) for (const child of node.children) if (child) stack.push(child);
  }
  return count;
}

/** The first ERROR or MISSING node in document order, for the syntax-error message. */
export function firstSyntaxError(root: Node): Node | undefined {
  let node: Node | null = root;
  while (node) {
    if (node.isError || node.isMissing) return node;
    node = node.children.find((child) => child !== null && (child.hasError || child.isMissing)) ?? null;
  }
  return undefined;
}

/**
 * A deep copy of plain data (strings, numbers, booleans, null/undefined, arrays, Maps, Sets and plain objects) whose
 * strings own their characters: for what outlives a file's lint. `Node.text` is a V8 slice of the whole file's text
 * (web-tree-sitter's `getText` slices what the parse read), so one function name kept in a summary would keep the
 * whole file alive (issue 12: the summaries alone held ~50 MB of the 35 MB corpus's texts). Strings shorter than 13
 * UTF-16 code units are always copies in V8 and are kept as they are. Throws a TypeError on anything else (a Node, a
 * class instance, a function): such data must not outlive the tree.
 */
export function ownedCopy<T>(value: T): T {
  return copyOwned(value) as T;
}

function copyOwned(value: unknown): unknown {
  if (typeof value === 'string') return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
      throw new TypeError(`ownedCopy: not plain data (${typeof value})`);
    return value;
  }
  if (Array.isArray(value)) return value.map(copyOwned);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [copyOwned(k), copyOwned(v)]));
  if (value instanceof Set) return new Set([...value].map(copyOwned));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`ownedCopy: not plain data (${(value as object).constructor?.name ?? 'an object'})`);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) copy[k] = copyOwned(v);
  return copy;
}

/**
 * Same-process round trips: `torch.load` of what the same function wrote a few lines earlier with `torch.save` to a
 * temporary file, a temporary folder or an in-memory buffer that it created itself (a common pattern in tests and in
 * deep copies). Nothing from outside can be in such a file, so loading it with full pickle runs no one else's code.
 *
 * Strict on purpose, since a mistake here hides a real vulnerability:
 * - torch's own loaders (`torch.load`, `torch.serialization.load`), inside a function (not at module level);
 * - the load's path is the same expression, as written, as the path of a `torch.save` of the same function that
 *   comes strictly before it (not in a nested function, lambda or class);
 * - that path is the temporary object itself or a path inside it: `buf`, `f`, `f.name`, `os.path.join(d, "x.pt")`,
 *   `d + "/x.pt"`, `f"{d}/x.pt"`, `Path(d) / "x.pt"` (plain string parts, none absolute, none with `..`);
 * - the object is made in that function by `io.BytesIO()` (no initial bytes), `tempfile.NamedTemporaryFile`,
 *   `TemporaryFile`, `SpooledTemporaryFile`, `TemporaryDirectory` or `mkdtemp` (none given `dir=`: the folder of a
 *   private file must not belong to anyone else), bound once (`x = ...` or `with ... as x`), never rebound, aliased
 *   or declared global/nonlocal anywhere;
 * - every other use of the name in the function up to the load's statement is the path of a torch.save or torch.load
 *   call, or a `seek`, `tell`, `flush` or `getvalue` call on it: handing it to anything else (a download, `write`,
 *   `close`, which deletes a named temporary file whose name someone else may then take) could put other bytes
 *   there. Uses in later statements run after the load, unless a loop (or comprehension) of the function repeats it:
 *   then they count too.
 */
import { closestAncestor, type Node, parentOf } from '../syntax/parse';
import { callArguments, parentHolding, stringValue, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';
import { asLoadCall, isSaveCall, type LoadCall, pathArgument } from './api';

/** What the round trip goes through, for messages. */
export type RoundTripTarget = 'a temporary file' | 'a temporary folder' | 'an in-memory buffer';

export interface RoundTrip {
  /** The torch.save call that wrote what the load reads. */
  save: Node;
  target: RoundTripTarget;
}

/** The temporary objects a function can make, and the position of their `dir` parameter (none for BytesIO). */
const MAKERS: ReadonlyMap<string, { kind: Kind; dirIndex?: number; withKind?: Kind }> = new Map(
  Object.entries({
    'io.BytesIO': { kind: 'buffer' },
    'tempfile.TemporaryFile': { kind: 'file', dirIndex: 6 },
    'tempfile.SpooledTemporaryFile': { kind: 'file', dirIndex: 7 },
    'tempfile.NamedTemporaryFile': { kind: 'named-file', dirIndex: 6 },
    // `with TemporaryDirectory() as d` gives the folder's path; `t = TemporaryDirectory()` the object (`t.name`)
    'tempfile.TemporaryDirectory': { kind: 'folder-object', dirIndex: 2, withKind: 'folder' },
    'tempfile.mkdtemp': { kind: 'folder', dirIndex: 2 },
  }),
);

type Kind = 'buffer' | 'file' | 'named-file' | 'folder' | 'folder-object';

/** Calls on a file object or buffer that cannot change what it holds (not `getbuffer`: its view is writable). */
const HARMLESS_METHODS = new Set(['seek', 'tell', 'flush', 'getvalue']);

/** The round trip `load` closes, or undefined when it is not certainly one (see the module comment). */
export function sameFunctionRoundTrip(load: LoadCall, scopes: FileScopes): RoundTrip | undefined {
  if (load.fn.weightsOnlyDefault !== 'torch' || load.fn.via) return undefined;
  const fn = enclosingFunction(load.call);
  const path = pathArgument(load);
  if (!fn || !path) return undefined;
  const temp = temporaryPath(unparen(path), scopes, fn);
  if (!temp) return undefined;
  // every use of the temporary object: as a torch.save or torch.load path, or a harmless method call; a use in a
  // later statement runs after the load (statements run in order, once, when no loop repeats the load)
  const after = loopAround(load.call, fn) ? undefined : statementOf(load.call).endIndex;
  const saves: Node[] = [];
  for (const ref of scopes.references(temp.binding)) {
    if (after !== undefined && ref.startIndex >= after) continue;
    const attribute = parentHolding(ref, 'attribute', 'object');
    if (
      attribute &&
      parentHolding(attribute, 'call', 'function') &&
      HARMLESS_METHODS.has(attribute.childForFieldName('attribute')?.text ?? '')
    )
      continue;
    const site = pathSite(ref, scopes);
    if (!site || temporaryPath(site.path, scopes, fn)?.binding !== temp.binding) return undefined;
    // the save that wrote what this load reads: same path as written, strictly before it, in the same function
    if (
      site.save &&
      site.path.text === unparen(path).text &&
      site.call.endIndex <= load.call.startIndex &&
      enclosingFunction(site.call)?.id === fn.id
    )
      saves.push(site.call);
  }
  if (saves.length === 0) return undefined;
  const target: RoundTripTarget =
    temp.kind === 'buffer'
      ? 'an in-memory buffer'
      : temp.kind.startsWith('folder')
        ? 'a temporary folder'
        : 'a temporary file';
  return { save: saves[saves.length - 1], target };
}

/**
 * The torch.save or torch.load call (torch's own) whose path argument holds `ref`, with that path (unparenthesized);
 * undefined when the nearest call of either kind around `ref` does not take it as its path, or there is none.
 */
function pathSite(ref: Node, scopes: FileScopes): { call: Node; path: Node; save: boolean } | undefined {
  for (let node: Node | null = parentOf(ref); node; node = parentOf(node)) {
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') break;
    if (node.type !== 'call') continue;
    let path: Node | undefined;
    let save = false;
    if (isSaveCall(node, scopes)) {
      const a = callArguments(node);
      path = a.positional[1] ?? a.keywords.get('f')?.childForFieldName('value') ?? undefined;
      save = true;
    } else {
      const load = asLoadCall(node, scopes);
      if (!load || load.fn.weightsOnlyDefault !== 'torch' || load.fn.via) continue; // `os.path.join(...)`, …
      path = pathArgument(load);
    }
    return path && contains(path, ref) ? { call: node, path: unparen(path), save } : undefined;
  }
  return undefined;
}

/** The temporary object a path expression names (or names a path inside), with its single binding in `fn`. */
function temporaryPath(e: Node, scopes: FileScopes, fn: Node): { binding: Binding; kind: Kind } | undefined {
  // the object itself (a buffer or a file object), or a named temporary file's `.name`
  if (e.type === 'identifier') {
    const temp = temporaryObject(e, scopes, fn);
    return temp && ['buffer', 'file', 'named-file'].includes(temp.kind) ? temp : undefined;
  }
  const named = nameOf(e, scopes, fn);
  if (named?.kind === 'named-file') return named;
  // a path inside a temporary folder
  if (e.type === 'call') {
    const callee = e.childForFieldName('function');
    const args = callArguments(e);
    if (!callee || scopes.qualifiedName(callee) !== 'os.path.join') return undefined;
    if (args.hasListSplat || args.hasDictSplat || args.keywords.size > 0 || args.positional.length < 2)
      return undefined;
    const [first, ...rest] = args.positional;
    return rest.every((part) => isInnerPart(part)) ? folder(unparen(first), scopes, fn) : undefined;
  }
  if (e.type === 'binary_operator') {
    const operator = e.childForFieldName('operator')?.text;
    const left = unparen(e.childForFieldName('left')!);
    const right = e.childForFieldName('right')!;
    // `d + "/x.pt"`: the literal must start a new path component
    if (operator === '+') {
      const tail = stringValue(right);
      if (tail === undefined || !/^[/\\]/.test(tail) || !isInnerPart(right, tail.slice(1))) return undefined;
      return left.type === 'binary_operator' ? insideFolder(left, scopes, fn) : folder(left, scopes, fn);
    }
    // `Path(d) / "a" / "x.pt"`
    if (operator === '/' && isInnerPart(right)) {
      if (left.type === 'binary_operator') return insideFolder(left, scopes, fn);
      const callee = left.type === 'call' ? left.childForFieldName('function') : null;
      const args = left.type === 'call' ? callArguments(left) : undefined;
      if (!callee || !args || !['pathlib.Path', 'pathlib.PurePath'].includes(scopes.qualifiedName(callee) ?? ''))
        return undefined;
      if (args.positional.length !== 1 || args.keywords.size > 0 || args.hasListSplat || args.hasDictSplat)
        return undefined;
      return folder(unparen(args.positional[0]), scopes, fn);
    }
    return undefined;
  }
  // f"{d}/x.pt"
  if (e.type === 'string') {
    const parts = e.namedChildren.filter(
      (c): c is Node => c !== null && c.type !== 'string_start' && c.type !== 'string_end',
    );
    const [head, ...tail] = parts;
    const text = tail.map((p) => (p.type === 'string_content' ? p.text : '\0')).join('');
    if (head?.type !== 'interpolation' || head.namedChildren.length !== 1 || text.includes('\0')) return undefined;
    if (!/^[/\\]/.test(text) || !isInnerText(text.slice(1))) return undefined;
    return folder(unparen(head.namedChildren[0]!), scopes, fn);
  }
  return undefined;
}

/** A path inside a temporary folder (the left part of `d + "/a" + "/x.pt"`, `Path(d) / "a" / "x.pt"`). */
function insideFolder(e: Node, scopes: FileScopes, fn: Node): { binding: Binding; kind: Kind } | undefined {
  const inner = temporaryPath(e, scopes, fn);
  return inner?.kind.startsWith('folder') ? inner : undefined;
}

/** A temporary folder's path: a name bound to the folder's path, or a TemporaryDirectory object's `.name`. */
function folder(e: Node, scopes: FileScopes, fn: Node): { binding: Binding; kind: Kind } | undefined {
  if (e.type === 'identifier') {
    const temp = temporaryObject(e, scopes, fn);
    return temp?.kind === 'folder' ? temp : undefined;
  }
  const named = nameOf(e, scopes, fn);
  return named?.kind === 'folder-object' ? named : undefined;
}

/** `x.name` of a temporary object `x`. */
function nameOf(e: Node, scopes: FileScopes, fn: Node): { binding: Binding; kind: Kind } | undefined {
  if (e.type !== 'attribute' || e.childForFieldName('attribute')?.text !== 'name') return undefined;
  const object = unparen(e.childForFieldName('object')!);
  return object.type === 'identifier' ? temporaryObject(object, scopes, fn) : undefined;
}

/** The temporary object a name is bound to, when it is bound once, in `fn`, to a new one. */
function temporaryObject(id: Node, scopes: FileScopes, fn: Node): { binding: Binding; kind: Kind } | undefined {
  const bindings = scopes.bindingsOf(id);
  if (bindings?.length !== 1 || scopes.declaredOuter.has(id.text)) return undefined;
  const [binding] = bindings;
  if (binding.scope.node.id !== fn.id || !binding.value || (binding.kind !== 'assign' && binding.kind !== 'with'))
    return undefined;
  const value = unparen(binding.value);
  if (binding.kind === 'assign') {
    // `x = maker(...)`, nothing else: not `a = b = maker()` (an alias), not a walrus inside another expression
    const statement = parentOf(binding.node);
    if (
      statement?.type !== 'assignment' ||
      statement.childForFieldName('left')?.id !== binding.node.id ||
      unparen(statement.childForFieldName('right')!).id !== value.id ||
      parentOf(statement)?.type !== 'expression_statement'
    )
      return undefined;
  } else if (parentOf(binding.node)?.type !== 'as_pattern_target') return undefined;
  const callee = value.type === 'call' ? value.childForFieldName('function') : null;
  const maker = callee ? MAKERS.get(scopes.qualifiedName(callee) ?? '') : undefined;
  if (!maker) return undefined;
  const args = callArguments(value);
  if (args.hasListSplat || args.hasDictSplat) return undefined;
  if (maker.dirIndex === undefined ? args.positional.length + args.keywords.size > 0 : args.keywords.has('dir'))
    return undefined;
  if (maker.dirIndex !== undefined && args.positional.length > maker.dirIndex) return undefined;
  const kind = binding.kind === 'with' ? (maker.withKind ?? maker.kind) : maker.kind;
  // mkdtemp returns a string: `with mkdtemp() as d` fails; TemporaryDirectory's `as` gives the path
  if (binding.kind === 'with' && callee && scopes.qualifiedName(callee) === 'tempfile.mkdtemp') return undefined;
  return { binding, kind };
}

/** A plain string that names something inside a folder: relative, no `..` component. */
function isInnerPart(node: Node, text = stringValue(node)): boolean {
  return text !== undefined && !/^[/\\]/.test(text) && isInnerText(text);
}

function isInnerText(text: string): boolean {
  return text !== '' && !/^[A-Za-z]:/.test(text) && !text.split(/[/\\]/).includes('..');
}

/** The innermost function definition around `node`, or undefined at module level or inside a lambda or class. */
function enclosingFunction(node: Node): Node | undefined {
  const scope = closestAncestor(node, ['function_definition', 'lambda', 'class_definition']);
  return scope?.type === 'function_definition' ? scope : undefined;
}

/** The statement `node` belongs to: its ancestor that sits directly in a block (or the module). */
function statementOf(node: Node): Node {
  const block = closestAncestor(node, ['block', 'module']);
  return block?.childWithDescendant(node) ?? node;
}

/** Whether a loop (or a comprehension) inside `fn` may run `node` more than once. */
function loopAround(node: Node, fn: Node): boolean {
  const types = [...LOOPS, fn.type];
  for (let p = closestAncestor(node, types); p && p.id !== fn.id; p = closestAncestor(p, types))
    if (LOOPS.has(p.type)) return true;
  return false;
}

const LOOPS = new Set([
  'for_statement',
  'while_statement',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

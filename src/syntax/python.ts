/**
 * Small, pure helpers over tree-sitter-python nodes (grammar 0.25.0). Nothing here knows about torch.
 */
import { closestAncestor, type Node, parentOf } from './parse';

/** The arguments of a `call` node, split the way Python binds them. */
export interface CallArguments {
  /** Positional argument expressions, in order (before any `*args`). */
  positional: Node[];
  /** Keyword arguments by name: the `keyword_argument` node. */
  keywords: Map<string, Node>;
  /** True when the call passes `*iterable` (more positional arguments of unknown count). */
  hasListSplat: boolean;
  /** True when the call passes `**mapping` (any keyword may be inside). */
  hasDictSplat: boolean;
  /** The `argument_list` node, or undefined for `f(x for x in y)`. */
  list: Node | undefined;
}

/** Children that are real nodes (web-tree-sitter types children as `Node | null`). */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

/** Splits a call's arguments; see {@link CallArguments}. */
export function callArguments(call: Node): CallArguments {
  const result: CallArguments = {
    positional: [],
    keywords: new Map(),
    hasListSplat: false,
    hasDictSplat: false,
    list: undefined,
  };
  const args = call.childForFieldName('arguments');
  if (!args) return result;
  if (args.type !== 'argument_list') {
    result.positional.push(args); // a bare generator expression argument
    return result;
  }
  result.list = args;
  for (const arg of namedChildren(args)) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name');
      if (name) result.keywords.set(name.text, arg);
    } else if (arg.type === 'list_splat') {
      result.hasListSplat = true;
    } else if (arg.type === 'dictionary_splat') {
      result.hasDictSplat = true;
    } else if (!result.hasListSplat && result.keywords.size === 0) {
      result.positional.push(arg);
    }
  }
  return result;
}

/**
 * The expression bound to parameter `name` at position `index` (0-based): the keyword argument's value, else the
 * positional argument. Undefined when the call does not visibly pass it.
 */
export function argumentValue(args: CallArguments, index: number, name: string): Node | undefined {
  return args.keywords.get(name)?.childForFieldName('value') ?? args.positional[index] ?? undefined;
}

/** Strips redundant parentheses: `((x))` → `x`. */
export function unparen(node: Node): Node {
  let current = node;
  while (current.type === 'parenthesized_expression' && current.namedChildCount === 1) {
    const inner = current.namedChild(0);
    if (!inner) break;
    current = inner;
  }
  return current;
}

/** The nearest ancestor that is not a parenthesized expression, and the child of it on the path to `node`. */
export function parentThroughParens(node: Node): { parent: Node | null; child: Node } {
  let child = node;
  let parent = parentOf(node);
  while (parent && parent.type === 'parenthesized_expression') {
    child = parent;
    parent = parentOf(parent);
  }
  return { parent, child };
}

/** The parent of `node` when it is a `type` node holding `node` in its field `field`, else undefined. */
export function parentHolding(node: Node, type: string, field: string): Node | undefined {
  const parent = parentOf(node);
  return parent?.type === type && parent.childForFieldName(field)?.id === node.id ? parent : undefined;
}

/** The value of a plain string literal (no f-string interpolation, no implicit concatenation), else undefined. */
export function stringValue(node: Node): string | undefined {
  const n = unparen(node);
  if (n.type !== 'string') return undefined;
  let value = '';
  for (const part of namedChildren(n)) {
    if (part.type === 'string_start' || part.type === 'string_end') continue;
    if (part.type === 'string_content') value += part.text;
    else if (part.type === 'escape_sequence') value += part.text;
    else return undefined; // interpolation
  }
  return value;
}

/** The method name of `a.b(...)`, else undefined. */
export function methodName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}

/** The closest enclosing node of one of `types`, not counting `node` itself (amortized constant time). */
export function enclosing(node: Node, types: readonly string[]): Node | undefined {
  return closestAncestor(node, types) ?? undefined;
}

/** Every descendant of `root` (itself included) of type `type`, in document order, not entering `stopAt` types. */
export function descendants(root: Node, type: string, stopAt: readonly string[] = []): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === type) found.push(node);
    if (node !== root && stopAt.includes(node.type)) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
  return found;
}

/**
 * The call whose callee ends with `id` (`f(...)` or `a.b.f(...)` for the identifier `f`), with that callee; undefined
 * when `id` is not the last name of a callee.
 */
export function callEndingWith(id: Node): { call: Node; callee: Node } | undefined {
  const up = parentOf(id);
  const callee = up?.type === 'attribute' && up.childForFieldName('attribute')?.id === id.id ? up : id;
  const parent = parentOf(callee);
  const call = parent?.type === 'call' && parent.childForFieldName('function')?.id === callee.id ? parent : undefined;
  return call && { call, callee };
}

/**
 * Constant propagation for the few values the rules care about: booleans and None bound to names in a module or
 * function (`SAFE = False`, `not trusted`, `a if c else b`), and keys of `**kwargs` dicts built in the same function
 * (literals, `dict(...)`, conditional dicts, `setdefault`, `update`, item assignment). Unknown stays unknown: a rule
 * reports only what is certain.
 */
import { closestAncestor, type Node, parentOf } from '../syntax/parse';
import { callArguments, methodName, namedChildren, parentThroughParens, stringValue, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';

/** A statically known constant, or `unknown`. */
export type Constant = 'true' | 'false' | 'none' | 'unknown';

const MAX_DEPTH = 8;

/** Looks up a constant another module of the project defines (`from .config import SAFE` → `.config.SAFE`). */
export type ImportedConstant = (qualified: string) => Constant;

/** The value of `expr` when every path gives the same literal True/False/None. */
export function constantValue(
  expr: Node,
  scopes: FileScopes,
  imported?: ImportedConstant,
  depth = 0,
  seen = new Set<Binding>(),
): Constant {
  if (depth > MAX_DEPTH) return 'unknown';
  const node = unparen(expr);
  switch (node.type) {
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'none':
      return 'none';
    case 'integer':
      return /^0+$/.test(node.text.replace(/_/g, '')) ? 'false' : 'true'; // `if weights_only:` treats 0 as False
    case 'not_operator': {
      const inner = constantValue(node.childForFieldName('argument') ?? node, scopes, imported, depth + 1, seen);
      return inner === 'unknown' ? 'unknown' : inner === 'true' ? 'false' : 'true';
    }
    case 'conditional_expression': {
      const [a, , b] = namedChildren(node);
      const left = a ? constantValue(a, scopes, imported, depth + 1, seen) : 'unknown';
      const right = b ? constantValue(b, scopes, imported, depth + 1, seen) : 'unknown';
      return left === right ? left : 'unknown';
    }
    case 'attribute': {
      // `settings.SAFE` after `from pkg import settings`
      const name = imported ? scopes.qualifiedName(node) : undefined;
      return name && imported ? imported(name) : 'unknown';
    }
    case 'identifier': {
      const bindings = scopes.bindingsOf(node);
      if (!bindings?.length || scopes.declaredOuter.has(node.text)) return 'unknown'; // may be rebound via global/nonlocal
      let result: Constant | undefined;
      for (const binding of bindings) {
        if (seen.has(binding)) continue;
        if (binding.kind === 'import' && binding.qualname && imported && bindings.length === 1)
          return imported(binding.qualname);
        if (binding.kind !== 'assign' || !binding.value) return 'unknown';
        seen.add(binding);
        const value = constantValue(binding.value, scopes, imported, depth + 1, seen);
        seen.delete(binding);
        if (value === 'unknown' || (result !== undefined && result !== value)) return 'unknown';
        result = value;
      }
      return result ?? 'unknown';
    }
    default:
      return 'unknown';
  }
}

/**
 * True when some path certainly gives False although the value as a whole is not constant: a conditional with a
 * False branch (`False if legacy else True`), a name one of whose assignments is False, `x or False`.
 */
export function canBeFalse(expr: Node, scopes: FileScopes, depth = 0, seen = new Set<Binding>()): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unparen(expr);
  switch (node.type) {
    case 'conditional_expression': {
      const [a, , b] = namedChildren(node);
      return [a, b].some(
        (branch) => branch && (isFalse(branch, scopes) || canBeFalse(branch, scopes, depth + 1, seen)),
      );
    }
    case 'boolean_operator': {
      // `a or False` is False when a is falsy; `a and False` is False whenever a is truthy
      const right = node.childForFieldName('right');
      return right !== null && (isFalse(right, scopes) || canBeFalse(right, scopes, depth + 1, seen));
    }
    case 'identifier': {
      const bindings = scopes.bindingsOf(node);
      for (const binding of bindings ?? []) {
        if (seen.has(binding) || binding.kind !== 'assign' || !binding.value) continue;
        seen.add(binding);
        if (isFalse(binding.value, scopes) || canBeFalse(binding.value, scopes, depth + 1, seen)) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function isFalse(expr: Node, scopes: FileScopes): boolean {
  return constantValue(expr, scopes) === 'false';
}

/** What a `**name` dict holds under `key`: certainly absent, a value expression, or unknown. */
export type DictKey = { state: 'absent' } | { state: 'value'; node: Node } | { state: 'unknown' };

/**
 * Looks up `key` in the dict a `**kwargs` argument unpacks, when that dict is a name bound in the same function to
 * dict literals or `dict(...)` calls and only used in ways that are understood (item assignment, `setdefault`,
 * `update` with a literal, membership tests, reads, and `**` unpacking). Anything else — the dict passed to a
 * function, built in a loop, a parameter — gives `unknown`.
 */
export function dictKey(splat: Node, key: string, scopes: FileScopes): DictKey {
  const before = splat.startIndex;
  const name = unparen(splat);
  if (name.type === 'dictionary') return literalKey(name, key, scopes);
  if (name.type !== 'identifier') return { state: 'unknown' };
  const bindings = scopes.bindingsOf(name);
  if (!bindings?.length) return { state: 'unknown' };
  const decided = lastSureWrite(splat, bindings, key, scopes);
  if (decided) return decided;
  // `def f(path, **kwargs)`: what the caller passed is unknown, but an unconditional write before the call decides
  const isKwargsParam =
    bindings.length === 1 &&
    bindings[0].kind === 'param' &&
    parentOf(bindings[0].node)?.type === 'dictionary_splat_pattern';
  if (!isKwargsParam && bindings.some((b) => b.kind !== 'assign' || !b.value)) return { state: 'unknown' };
  let result: DictKey | undefined = isKwargsParam ? { state: 'unknown' } : undefined;
  if (!isKwargsParam) {
    for (const binding of bindings) {
      const value = bindingKey(binding.value!, key, scopes);
      if (value.state === 'unknown') return value;
      if (result && !sameKey(result, value)) return { state: 'unknown' };
      result = value;
    }
  }
  // later writes: kwargs["weights_only"] = X, kwargs.setdefault(...), kwargs.update(...)
  for (const ref of scopes.references(bindings[0])) {
    if (ref.startIndex >= before) continue; // uses after the call do not change what it received
    const write = writeOf(ref, key, scopes);
    if (write === 'unknown') return { state: 'unknown' };
    if (write === undefined) continue;
    // a write under an `if`, loop or `try` that the dict's creation is not under, or in another function, may or
    // may not happen
    if (
      enclosingFunction(ref)?.id !== enclosingFunction(splat)?.id ||
      bindings.some((b) => conditionalBetween(ref, b.value ?? b.node))
    ) {
      if (isKwargsParam) continue; // stays unknown
      return { state: 'unknown' };
    }
    if (write.kind === 'set') result = { state: 'value', node: write.node };
    else if (result?.state === 'absent') result = { state: 'value', node: write.node }; // setdefault on a known dict
  }
  return result ?? { state: 'unknown' };
}

/**
 * The value of `key` when the last event before the call that touches it is an item assignment (or `update`) that
 * surely runs before it — in the same block or one that holds the call — with the name not rebound in between:
 * `opts["weights_only"] = False` on the line before `torch.load(p, **opts)` decides, whatever came before.
 */
function lastSureWrite(
  splat: Node,
  bindings: readonly Binding[],
  key: string,
  scopes: FileScopes,
): DictKey | undefined {
  const refs = scopes.references(bindings[0]).filter((ref) => ref.startIndex < splat.startIndex);
  for (let i = refs.length - 1; i >= 0; i--) {
    const ref = refs[i];
    const write = writeOf(ref, key, scopes);
    if (write === undefined) continue; // a read, a `**` use, another key
    if (write === 'unknown' || write.kind !== 'set' || conditionalBetween(ref, splat)) return undefined;
    if (enclosingFunction(ref)?.id !== enclosingFunction(splat)?.id) return undefined; // a nested def may never run
    const rebound = bindings.some((b) => b.node.startIndex > ref.startIndex && b.node.startIndex < splat.startIndex);
    return rebound ? undefined : { state: 'value', node: write.node };
  }
  return undefined;
}

function enclosingFunction(node: Node): Node | null {
  return closestAncestor(node, ['function_definition', 'lambda']);
}

const BRANCHES = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'try_statement',
  'except_clause',
  'finally_clause',
  'match_statement',
  'conditional_expression',
  'boolean_operator',
]);

function conditionalBetween(write: Node, creation: Node): boolean {
  const types = [...BRANCHES, 'function_definition', 'module'];
  for (let p = closestAncestor(write, types); p; p = closestAncestor(p, types)) {
    if (p.type === 'function_definition' || p.type === 'module') return false;
    if (BRANCHES.has(p.type) && !(p.startIndex <= creation.startIndex && creation.endIndex <= p.endIndex)) return true;
  }
  return false;
}

function sameKey(a: DictKey, b: DictKey): boolean {
  if (a.state !== b.state) return false;
  return a.state !== 'value' || b.state !== 'value' || a.node.text === b.node.text;
}

/** The key in a dict-valued expression: `{...}`, `dict(...)`, `{...} if c else {...}`. */
function bindingKey(value: Node, key: string, scopes: FileScopes): DictKey {
  // every branch of `{…} if c else {…} if d else …` must agree: walked with a stack, as chains can be thousands long
  let first: DictKey | undefined;
  const stack: (Node | undefined)[] = [value];
  while (stack.length > 0) {
    const branch = stack.pop();
    const node = branch && unparen(branch);
    if (node?.type === 'conditional_expression') {
      const [a, , b] = namedChildren(node);
      stack.push(b, a);
      continue;
    }
    const found: DictKey = node ? branchKey(node, key, scopes) : { state: 'unknown' };
    if (found.state === 'unknown' || (first && !sameKey(first, found))) return { state: 'unknown' };
    first ??= found;
  }
  return first ?? { state: 'unknown' };
}

/** The key in a dict literal or `dict(...)` call. */
function branchKey(node: Node, key: string, scopes: FileScopes): DictKey {
  if (node.type === 'dictionary') return literalKey(node, key, scopes);
  if (node.type === 'call' && scopes.qualifiedName(node.childForFieldName('function') ?? node) === 'builtins.dict') {
    const args = callArguments(node);
    if (args.positional.length > 0 || args.hasDictSplat || args.hasListSplat) return { state: 'unknown' };
    const keyword = args.keywords.get(key)?.childForFieldName('value');
    return keyword ? { state: 'value', node: keyword } : { state: 'absent' };
  }
  return { state: 'unknown' };
}

function literalKey(dict: Node, key: string, _scopes: FileScopes): DictKey {
  let found: DictKey = { state: 'absent' };
  for (const item of namedChildren(dict)) {
    if (item.type === 'dictionary_splat') return { state: 'unknown' };
    if (item.type !== 'pair') return { state: 'unknown' }; // a comprehension or something new
    const k = item.childForFieldName('key');
    const text = k ? stringValue(k) : undefined;
    if (text === undefined) return { state: 'unknown' }; // a computed key may be anything
    if (text === key) found = { state: 'value', node: item.childForFieldName('value') ?? item };
  }
  return found;
}

/**
 * How a read of the dict's name affects `key`: undefined (no effect: `**kw`, `kw.get`, `k in kw`, `kw[...]` reads),
 * a write, or `unknown` (passed elsewhere, a computed key, `update` with something that is not a literal).
 */
function writeOf(
  ref: Node,
  key: string,
  scopes: FileScopes,
): { kind: 'set' | 'default'; node: Node } | 'unknown' | undefined {
  const { parent, child } = parentThroughParens(ref);
  if (!parent) return 'unknown';
  if (parent.type === 'dictionary_splat') return undefined;
  if (parent.type === 'comparison_operator') return undefined;
  if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === child.id) {
    const k = stringValue(parent.childForFieldName('subscript') ?? parent);
    const { parent: outer } = parentThroughParens(parent);
    const assigned = outer?.type === 'assignment' && outer.childForFieldName('left')?.id === parent.id;
    if (!assigned) return outer?.type === 'delete_statement' && k === key ? 'unknown' : undefined;
    if (k === undefined) return 'unknown';
    return k === key ? { kind: 'set', node: outer!.childForFieldName('right') ?? outer! } : undefined;
  }
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === child.id) {
    const call = parentOf(parent);
    if (call?.type !== 'call') return 'unknown';
    const method = methodName(call);
    const args = callArguments(call);
    if (method === 'get' || method === 'keys' || method === 'items' || method === 'values' || method === 'copy')
      return undefined;
    if (method === 'setdefault') {
      const k = args.positional[0] && stringValue(args.positional[0]);
      if (k === undefined) return 'unknown';
      return k === key && args.positional[1] ? { kind: 'default', node: args.positional[1] } : undefined;
    }
    if (method === 'update') {
      const literal = args.positional[0] ? unparen(args.positional[0]) : undefined;
      if (args.positional.length > 1 || args.hasDictSplat || (literal && literal.type !== 'dictionary'))
        return 'unknown';
      const fromLiteral = literal ? literalKey(literal, key, scopes) : { state: 'absent' as const };
      if (fromLiteral.state === 'unknown') return 'unknown';
      const keyword = args.keywords.get(key)?.childForFieldName('value');
      if (keyword) return { kind: 'set', node: keyword };
      return fromLiteral.state === 'value' ? { kind: 'set', node: fromLiteral.node } : undefined;
    }
    if (method === 'pop') {
      const k = args.positional[0] && stringValue(args.positional[0]);
      return k === undefined || k === key ? 'unknown' : undefined;
    }
    return 'unknown';
  }
  return 'unknown';
}

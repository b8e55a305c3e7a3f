/**
 * State-dict use of a torch.load result, judged from the file's own code: how much of the loaded value is visibly a
 * state dict (a mapping of tensors). Evidence-based; errs on "don't know".
 */
import type { Node } from '../syntax/parse';
import { callArguments, methodName, namedChildren, parentThroughParens, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';

/** How far a value is followed through names, calls and containers before the answer is "don't know". */
const MAX_DEPTH = 6;

/** Methods that read a mapping: `.items()`, `.values()` iterate its entries; `.get(k)` returns one. */
const ENTRY_METHODS = ['get', 'pop', 'setdefault'];
/** Builtins whose result is a number or string, whatever they are given: the entry goes no further. */
const TERMINAL_BUILTINS = new Set([
  'int',
  'float',
  'bool',
  'len',
  'range',
  'max',
  'min',
  'sum',
  'round',
  'abs',
  'format',
]);

/**
 * Per-question state: names being followed with the role they were followed in (cycles add nothing), whether the
 * value reached `load_state_dict` whole, and whether only part of it did or part of it was set aside.
 */
interface UseContext {
  visiting: Map<Binding, Role>;
  whole: boolean;
  part: boolean;
  /** Is the receiver of a `load_state_dict` call an nn.Module? */
  isModule: (receiver: Node) => boolean;
}

/**
 * How much of a torch.load result is visibly a state dict:
 * - `whole`: the loaded value itself (or a dict comprehension over all of its entries) is passed to the
 * `.load_state_dict(...)` of a receiver `isModule` accepts (an nn.Module), without `strict=False`, and nothing else
 * reads, pops, deletes or filters its entries —
 *   so every entry the file holds is one the receiver accepts as state (a module's strict `load_state_dict`
 *   rejects unexpected keys and non-tensor values: torch/nn/modules/module.py `_load_from_state_dict`, 2.6);
 * - `part`: the code uses it as a state dict only in part (`ckpt["state_dict"]` passed on, `strict=False`, entries
 *   read or removed): the rest of the file is unpickled too and may hold any object (a Lightning checkpoint's
 *   callbacks and hyper-parameters);
 * - undefined: some use is not a state-dict use.
 * Every other use must only read it as a mapping — keys iterated, entries read into names used as numbers, compared,
 * turned into numbers with `int()`/`len()`…, or saved again with `torch.save`. Anything else — calling it, `.eval()`,
 * `.to()`, returning it, storing it on an object or in a container that is not followed, `**` unpacking,
 * `print`/`isinstance` of its elements — gives undefined.
 */
export function stateDictUse(
  expr: Node,
  scopes: FileScopes,
  isModule: (receiver: Node) => boolean = () => false,
): 'whole' | 'part' | undefined {
  const context: UseContext = { visiting: new Map(), whole: false, part: false, isModule };
  if (!use(expr, scopes, 'mapping', 0, context) || (!context.whole && !context.part)) return undefined;
  return context.whole && !context.part ? 'whole' : 'part';
}

/**
 * What the value at hand is: the loaded mapping itself, an entry read from it, or an iterable of its entries
 * (`.items()`, `.values()`, a list literal of entries).
 */
type Role = 'mapping' | 'entry' | 'entries' | 'items' | 'key' | 'keys';

/** String methods a state-dict key may go through (`k.replace("module.", "")`). */
const STRING_METHODS = new Set([
  'replace',
  'startswith',
  'endswith',
  'split',
  'rsplit',
  'strip',
  'lstrip',
  'rstrip',
  'removeprefix',
  'removesuffix',
  'lower',
  'upper',
  'format',
  'join',
  'partition',
  'rpartition',
  'find',
  'count',
  'encode',
]);
/** Builtins a key may be passed to. */
const KEY_BUILTINS = new Set(['print', 'str', 'len', 'repr', 'int', 'float', 'format', 'sorted', 'hash']);

/** A key of the loaded mapping (a string in a state dict): indexing, string methods, comparisons and printing only. */
function keyUse(node: Node, scopes: FileScopes, depth: number, context: UseContext): boolean {
  if (depth > MAX_DEPTH) return false;
  const { parent, child } = parentThroughParens(node);
  if (!parent) return false;
  const isField = (field: string) => parent.childForFieldName(field)?.id === child.id;
  const next = (n: Node) => keyUse(n, scopes, depth + 1, context);
  switch (parent.type) {
    case 'subscript':
      return isField('subscript') || (isField('value') && next(parent)); // `sd[k]`, or `k[7:]`
    case 'slice':
      return true;
    case 'attribute': {
      const call = parent.parent;
      const method = parent.childForFieldName('attribute')?.text ?? '';
      return isField('object') && call?.type === 'call' && STRING_METHODS.has(method) && next(call);
    }
    case 'comparison_operator':
    case 'interpolation':
    case 'not_operator':
      return true;
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
    case 'if_clause':
      return isField('condition') || parent.type === 'if_clause'; // `if k.startswith("module."):`
    case 'binary_operator':
    case 'boolean_operator':
    case 'conditional_expression':
      return next(parent);
    case 'keyword_argument':
    case 'argument_list': {
      const called = calledName(parent, scopes);
      if (called !== undefined && called.startsWith('builtins.') && KEY_BUILTINS.has(called.slice('builtins.'.length)))
        return true;
      // `sd.pop(k)` / `sd.get(k)` on the mapping being followed
      const call = (parent.type === 'keyword_argument' ? parent.parent : parent)?.parent;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
      return (
        callee?.type === 'attribute' &&
        ENTRY_METHODS.includes(callee.childForFieldName('attribute')?.text ?? '') &&
        sameMapping(callee.childForFieldName('object'), scopes, context)
      );
    }
    case 'assignment': {
      const left = parent.childForFieldName('left');
      return isField('right') && left?.type === 'identifier' && nameUses(left, scopes, 'key', depth, context);
    }
    case 'pair':
      return isField('key'); // `{k.replace(...): v for k, v in ...}`
    default:
      return false;
  }
}

function use(node: Node, scopes: FileScopes, role: Role, depth: number, context: UseContext): boolean {
  if (depth > MAX_DEPTH) return false;
  if (role === 'key') return keyUse(node, scopes, depth, context);
  const { parent, child } = parentThroughParens(node);
  if (!parent) return false;
  const isField = (field: string) => parent.childForFieldName(field)?.id === child.id;
  const next = (n: Node, r: Role) => use(n, scopes, r, depth + 1, context);

  const receiver = loadStateDictCall(parent, child);
  if (receiver) {
    const object = receiver.childForFieldName('function')?.childForFieldName('object');
    if (role === 'mapping' && !lenient(receiver) && object && context.isModule(object)) context.whole = true;
    else context.part = true;
    return true;
  }
  switch (parent.type) {
    case 'subscript': {
      if (!isField('value')) return false;
      // `sd[k] = v` / `del sd[k]` edit the mapping; `sd[k]` read is an entry
      const { parent: outer, child: target } = parentThroughParens(parent);
      if (
        (outer?.type === 'assignment' || outer?.type === 'augmented_assignment') &&
        outer.childForFieldName('left')?.id === target.id
      )
        return role === 'mapping';
      // a deleted or read entry is one the state-dict use does not cover
      context.part = true;
      if (outer?.type === 'delete_statement') return role === 'mapping';
      return next(parent, 'entry');
    }
    case 'attribute': {
      const call = parent.parent;
      if (!isField('object') || call?.type !== 'call' || call.childForFieldName('function')?.id !== parent.id)
        return false;
      const method = parent.childForFieldName('attribute')?.text ?? '';
      if (role === 'entry') return false; // an entry used as an object (`.float()`, `.eval()`, `.items()` of a sub-dict)
      if (method === 'keys') return next(call, 'keys');
      if (method === 'items') return next(call, 'items');
      if (method === 'values') return next(call, 'entries');
      if (ENTRY_METHODS.includes(method)) {
        if (!movedWithin(call, scopes, context)) context.part = true;
        return next(call, 'entry');
      }
      return false;
    }
    case 'for_statement':
      // what the loop variables receive must be plain data: entries (`.values()`, a list of entries), or for
      // `.items()` the value part; keys of the mapping itself are names
      return (
        isField('right') &&
        role !== 'entry' &&
        loopTargetsOk(parent.childForFieldName('left'), role, scopes, depth, context)
      );
    case 'for_in_clause': {
      // a comprehension: its variables are judged where they are used, and the new container as a whole
      const comprehension = parent.parent;
      const made: Role = comprehension?.type === 'dictionary_comprehension' ? 'mapping' : 'entries';
      // `if k.startswith("model.")`: the entries left out may hold anything
      if (comprehension?.namedChildren.some((c) => c?.type === 'if_clause')) context.part = true;
      return (
        isField('right') &&
        role !== 'entry' &&
        comprehension !== null &&
        loopTargetsOk(parent.childForFieldName('left'), role, scopes, depth, context) &&
        next(comprehension, made)
      );
    }
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      // the element of a comprehension: the comprehension as a whole is judged by the `for` clause
      return role === 'entry' && isField('body');
    case 'comparison_operator':
      // `k in sd` tests the mapping; an entry may be compared (`ckpt["epoch"] > 3`): the result is a bool
      return (
        role === 'entry' ||
        (parent.children.some((c) => c?.type === 'in' || c?.type === 'not in') &&
          parent.lastNamedChild?.id === child.id)
      );
    case 'assignment': {
      const left = parent.childForFieldName('left');
      if (!isField('right')) return false;
      if (left?.type === 'identifier') return nameUses(left, scopes, role, depth, context);
      // `a, b = ckpt["pair"]`: each target is an entry of it
      if (left?.type === 'pattern_list' || left?.type === 'tuple_pattern')
        return role === 'entry' && targetsUsedAs(left, 'entry', scopes, depth, context);
      // `sd[new] = sd.pop(old)`: moved within the mapping being followed
      if (left?.type === 'subscript' && role === 'entry')
        return sameMapping(left.childForFieldName('value'), scopes, context);
      return false;
    }
    case 'augmented_assignment': {
      // `models += ckpt["extra"]`: the target now holds the entry; follow it
      const left = parent.childForFieldName('left');
      return (
        role === 'entry' &&
        isField('right') &&
        left?.type === 'identifier' &&
        nameUses(left, scopes, 'entry', depth, context)
      );
    }
    case 'keyword_argument':
    case 'argument_list': {
      const called = calledName(parent, scopes);
      if (called === 'torch.save' || called === 'torch.serialization.save') return true; // saved again as it is
      // list(sd) / sorted(sd.keys()) hold keys; list(sd.values()) holds entries
      if (role !== 'entry')
        return (
          (called === 'builtins.list' || called === 'builtins.sorted') &&
          next(parent.parent!, role === 'mapping' ? 'keys' : role)
        );
      return (
        called !== undefined &&
        called.startsWith('builtins.') &&
        TERMINAL_BUILTINS.has(called.slice('builtins.'.length))
      );
    }
    case 'list':
    case 'tuple':
    case 'set':
      // a container of entries: followed as such (`nets = [ckpt["g"], ckpt["d"]]` then `for m in nets: …`)
      return role === 'entry' && next(parent, 'entries');
    case 'pair':
      // copied into a dict literal: the new dict is followed as a mapping
      if (role !== 'entry' || !isField('value')) return false;
      if (parent.parent?.type === 'dictionary_comprehension') return true; // judged as a whole by its `for` clause
      return parent.parent?.type === 'dictionary' && next(parent.parent, 'mapping');
    case 'binary_operator':
    case 'unary_operator':
      // `ckpt["epoch"] + 1`: the result is followed (list concatenation of modules is still caught downstream)
      return role === 'entry' && next(parent, 'entry');
    case 'boolean_operator':
    case 'conditional_expression':
      // `ckpt.get("ema") or ckpt["model"]`: whichever is picked is used like the whole expression
      return role === 'entry' && next(parent, 'entry');
    case 'not_operator':
      return role === 'entry';
    case 'interpolation':
      return role === 'entry';
    default:
      return false;
  }
}

/**
 * Every read of the name is a state-dict use. With several bindings (`if …: sd = torch.load(a) else: sd = …`) every
 * read may see this value, so every read is judged; a read that leads back to a name being judged adds nothing.
 * Names bound in a class body, or declared `global`/`nonlocal` elsewhere, can be read where this does not look.
 */
function nameUses(name: Node, scopes: FileScopes, role: Role, depth: number, context: UseContext): boolean {
  // all bindings of a name in a scope share their reads: any of them stands for the name
  const binding = scopes.bindingsOf(name)?.[0];
  if (!binding || binding.scope.kind === 'class') return false;
  const seen = context.visiting.get(binding);
  if (seen !== undefined) {
    // `sd = sd["state_dict"]`: the name holds the whole value on one path and an entry on another
    if (seen !== role) context.part = true;
    return true;
  }
  context.visiting.set(binding, role);
  if (scopes.declaredOuter.has(binding.name)) return false; // read through global/nonlocal where we do not look
  return scopes.references(binding).every((ref) => use(ref, scopes, role, depth + 1, context));
}

/** `sd[new] = sd.pop(old)`: the entry `call` takes out is stored back under another key of the same mapping. */
function movedWithin(call: Node, scopes: FileScopes, context: UseContext): boolean {
  const { parent, child } = parentThroughParens(call);
  const left =
    parent?.type === 'assignment' && parent.childForFieldName('right')?.id === child.id
      ? parent.childForFieldName('left')
      : null;
  return left?.type === 'subscript' && sameMapping(left.childForFieldName('value'), scopes, context);
}

/** The subscript target's object is a name already being followed as this mapping. */
function sameMapping(object: Node | null, scopes: FileScopes, context: UseContext): boolean {
  if (object?.type !== 'identifier') return false;
  return (scopes.bindingsOf(object) ?? []).some((b) => context.visiting.has(b));
}

/** The `.load_state_dict(...)` call that `child` is the state-dict argument of (first positional or `state_dict=`). */
function loadStateDictCall(parent: Node, child: Node): Node | undefined {
  let list = parent;
  if (parent.type === 'keyword_argument') {
    if (parent.childForFieldName('name')?.text !== 'state_dict') return undefined;
    list = parent.parent ?? parent;
  } else if (parent.type !== 'argument_list' || namedChildren(parent)[0]?.id !== child.id) {
    return undefined;
  }
  const call = list.parent;
  return call?.type === 'call' && methodName(call) === 'load_state_dict' ? call : undefined;
}

/** A `load_state_dict` call that may ignore unexpected keys: `strict=` (or its position) is not literally True. */
function lenient(call: Node): boolean {
  const args = callArguments(call);
  if (args.hasListSplat || args.hasDictSplat) return true;
  const strict = args.keywords.get('strict')?.childForFieldName('value') ?? args.positional[1];
  return strict !== undefined && unparen(strict).type !== 'true';
}

/** The qualified name of the function whose argument list `parent` is (or holds the keyword `parent`). */
function calledName(parent: Node, scopes: FileScopes): string | undefined {
  const list = parent.type === 'keyword_argument' ? parent.parent : parent;
  const call = list?.parent;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  return callee ? scopes.qualifiedName(callee) : undefined;
}

/** Loop variables over a mapping (keys), `.items()` (key, entry) or entries: the entries are used as plain data. */
function loopTargetsOk(
  target: Node | null,
  role: Role,
  scopes: FileScopes,
  depth: number,
  context: UseContext,
): boolean {
  if (!target) return false;
  if (role === 'mapping' || role === 'keys') return targetsUsedAs(target, 'key', scopes, depth, context);
  if (role === 'items') {
    const parts = target.type === 'identifier' ? [] : namedChildren(unparen(target));
    return parts.length === 2
      ? targetsUsedAs(parts[0], 'key', scopes, depth, context) &&
          targetsUsedAs(parts[1], 'entry', scopes, depth, context)
      : targetsUsedAs(target, 'entry', scopes, depth, context);
  }
  return targetsUsedAs(target, 'entry', scopes, depth, context);
}

/** Every name bound by a target is unused or used only in the given role. */
function targetsUsedAs(
  target: Node | null,
  role: Role,
  scopes: FileScopes,
  depth: number,
  context: UseContext,
): boolean {
  if (!target) return false;
  const names =
    target.type === 'identifier'
      ? [target]
      : target.descendantsOfType('identifier').filter((n): n is Node => n !== null && isBindingTarget(n, target));
  return names.every((name) => {
    const binding = scopes.bindingsOf(name)?.find((b) => b.node.id === name.id);
    if (!binding) return false;
    const refs = scopes.references(binding);
    return refs.every((ref) => use(ref, scopes, role, depth + 1, context));
  });
}

/** True for identifiers of a target pattern itself, not inside a subscript or attribute of it. */
function isBindingTarget(name: Node, target: Node): boolean {
  for (let p = name.parent; p && p.id !== target.id; p = p.parent) {
    if (
      ![
        'pattern_list',
        'tuple_pattern',
        'list_pattern',
        'tuple',
        'list',
        'parenthesized_expression',
        'list_splat_pattern',
      ].includes(p.type)
    )
      return false;
  }
  return true;
}

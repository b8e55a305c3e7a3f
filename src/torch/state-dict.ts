/**
 * State-dict use of a torch.load result, judged from the file's own code: how much of the loaded value is visibly a
 * state dict (a mapping of tensors). Evidence-based; errs on "don't know".
 */
import { closestAncestor, type Node, parentOf } from '../syntax/parse';
import { callArguments, descendants, methodName, namedChildren, parentThroughParens, unparen } from '../syntax/python';
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
  /** Parameters of the helper functions entered (`apply(model, sd)`), with what this call passes them. */
  args: Map<Binding, Node>;
  /** The `d.update(loaded)` calls that copied the value into a mapping now followed (ids). */
  updates: Set<number>;
  /** The function whose callers a `return` was followed to (one call level only). */
  returnedFrom?: Node;
}

/**
 * How much of a torch.load result (`expr`, the load call) is visibly a state dict (a mapping of tensors), judged from
 * the code of its file (`scopes`):
 * - `whole`: the loaded value reaches the `.load_state_dict(...)` of a receiver `isModule` accepts (an nn.Module),
 *   without `strict=False`, with every entry it holds, and nothing else reads, pops, deletes, overwrites or filters
 *   its entries — so every entry the file holds is one the receiver accepts as state (a module's strict
 *   `load_state_dict` rejects unexpected keys and non-tensor values: torch/nn/modules/module.py
 *   `_load_from_state_dict`, 2.6). The ways it may get there (docs/rules/torch-load-missing-weights-only.md, "Fix
 *   safety", lists them with examples):
 *   - passed directly or through names (each read of every binding of a name is judged; `sd is None` only tests it);
 *   - keys renamed in place (`sd[k[7:]] = sd.pop(k)`);
 *   - a dict comprehension over all its items with one `for` clause, no `if`, each value the entry itself and each
 *     new key made from the old one (`{k.replace("module.", ""): v for k, v in sd.items()}`, `re.sub` on `k`);
 *   - copied with `d.update(loaded)` into a name bound only to a new dict or to a module's `state_dict()`, which is
 *     followed in turn;
 *   - passed to a parameter of a plain function of this file (`def apply(m, sd)`), followed in its body, where its
 *     other parameters stand for this call's arguments (`m.load_state_dict(sd)` with `m` this call's module);
 *   - returned (`return torch.load(p)`) from a plain function nested in another one, and every call of it judged as
 *     the value (one call level); a module-level function may be imported and called where nothing is judged, so its
 *     callers give `part` at best;
 * - `part`: the code uses it as a state dict only in part (`ckpt["state_dict"]` passed on, `strict=False`, entries
 *   read, removed or stored over, another `update` of the dict it was copied into, a filtered comprehension): the
 *   rest of the file is unpickled too and may hold any object (a Lightning checkpoint's callbacks and
 *   hyper-parameters);
 * - undefined: some use is not a state-dict use.
 * Every other use must only read it as a mapping — keys iterated, entries read into names used as numbers, compared,
 * turned into numbers with `int()`/`len()`…, or saved again with `torch.save`. Anything else — calling it, `.eval()`,
 * `.to()`, returning it from a function that is not followed, storing it on an object or in a container that is not
 * followed, `**` unpacking, `print`/`isinstance` of its elements — gives undefined.
 */
export function stateDictUse(
  expr: Node,
  scopes: FileScopes,
  isModule: (receiver: Node) => boolean = () => false,
): 'whole' | 'part' | undefined {
  const context: UseContext = {
    visiting: new Map(),
    whole: false,
    part: false,
    isModule,
    args: new Map(),
    updates: new Set(),
  };
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
      const call = parentOf(parent);
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
      const call = callOf(parent);
      // `re.sub(r"^module\.", "", k)`: a new key, followed as one
      if (called === 're.sub' && call && isArgument(parent, child, 2, 'string')) return next(call);
      // `sd.pop(k)` / `sd.get(k)` on the mapping being followed
      const callee = call?.childForFieldName('function');
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
    if (role === 'mapping' && !lenient(receiver) && object && context.isModule(passedAs(object, scopes, context)))
      context.whole = true;
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
      ) {
        // an entry stored over another (`sd["fc.weight"] = w`, `sd[k] += 1`) drops the one the file held there,
        // which may be any object; an entry moved within the mapping (`sd[k[7:]] = sd.pop(k)`) stays in it
        if (!(outer.type === 'assignment' && movedEntry(outer.childForFieldName('right'), scopes, context)))
          context.part = true;
        return role === 'mapping';
      }
      // a deleted or read entry is one the state-dict use does not cover
      context.part = true;
      if (outer?.type === 'delete_statement') return role === 'mapping';
      return next(parent, 'entry');
    }
    case 'attribute': {
      const call = parentOf(parent);
      if (!isField('object') || call?.type !== 'call' || call.childForFieldName('function')?.id !== parent.id)
        return false;
      const method = parent.childForFieldName('attribute')?.text ?? '';
      if (role === 'entry') return false; // an entry used as an object (`.float()`, `.eval()`, `.items()` of a sub-dict)
      if (method === 'keys') return next(call, 'keys');
      if (method === 'items') return next(call, 'items');
      if (method === 'values') return next(call, 'entries');
      if (method === 'update' && role === 'mapping') {
        // the update that copied the value in (`state.update(loaded)`); any other one may overwrite its entries
        if (!context.updates.has(call.id)) context.part = true;
        return true;
      }
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
      const comprehension = parentOf(parent);
      const made: Role = comprehension?.type === 'dictionary_comprehension' ? 'mapping' : 'entries';
      // `if k.startswith("model.")`: the entries left out may hold anything; so may those a new key does not keep
      // apart (`{"w": v for k, v in sd.items()}` keeps one entry)
      if (comprehension?.namedChildren.some((c) => c?.type === 'if_clause')) context.part = true;
      if (made === 'mapping' && !keysKept(comprehension!, parent, role, scopes)) context.part = true;
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
      // `k in sd` tests the mapping, `sd is None` what was loaded (None loads with weights_only too); an entry may
      // be compared (`ckpt["epoch"] > 3`): the result is a bool
      return (
        role === 'entry' ||
        (parent.children.some((c) => c?.type === 'in' || c?.type === 'not in') &&
          parent.lastNamedChild?.id === child.id) ||
        (role === 'mapping' && isNoneTest(parent))
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
      const target =
        role === 'mapping' || role === 'entry' ? updatedMapping(parent, child, scopes, context) : undefined;
      if (target) {
        // `state.update(loaded)`: every entry is copied into a dict, which is followed in its turn
        if (role === 'entry') context.part = true;
        context.updates.add(target.call.id);
        return nameUses(target.name, scopes, 'mapping', depth, context);
      }
      const param = helperParameter(parent, child, scopes);
      if (param !== undefined) {
        // `apply(model, sd)` of a function of this file: its parameter is followed in its body
        if (!param) return false;
        if (context.visiting.has(param.binding)) return false; // passed to it twice: judged for one call only
        for (const [binding, value] of param.args) context.args.set(binding, value);
        return nameUses(param.binding.node, scopes, role, depth, context);
      }
      const called = calledName(parent, scopes);
      if (called === 'torch.save' || called === 'torch.serialization.save') return true; // saved again as it is
      // list(sd) / sorted(sd.keys()) hold keys; list(sd.values()) holds entries
      if (role !== 'entry')
        return (
          (called === 'builtins.list' || called === 'builtins.sorted') &&
          next(parentOf(parent)!, role === 'mapping' ? 'keys' : role)
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
    case 'pair': {
      // copied into a dict literal: the new dict is followed as a mapping
      if (role !== 'entry' || !isField('value')) return false;
      const dict = parentOf(parent);
      if (dict?.type === 'dictionary_comprehension') return true; // judged as a whole by its `for` clause
      return dict?.type === 'dictionary' && next(dict, 'mapping');
    }
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
    case 'return_statement':
      return (role === 'mapping' || role === 'entry') && returnedUses(parent, scopes, role, depth, context);
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
    list = parentOf(parent) ?? parent;
  } else if (parent.type !== 'argument_list' || namedChildren(parent)[0]?.id !== child.id) {
    return undefined;
  }
  const call = parentOf(list);
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
  const list = parent.type === 'keyword_argument' ? parentOf(parent) : parent;
  const call = list && parentOf(list);
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
  for (let p = parentOf(name); p && p.id !== target.id; p = parentOf(p)) {
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

/** The call whose argument list is `parent` (or holds the keyword argument `parent`). */
function callOf(parent: Node): Node | undefined {
  const list = parent.type === 'keyword_argument' ? parentOf(parent) : parent;
  const call = list && parentOf(list);
  return call?.type === 'call' ? call : undefined;
}

/** `child` is the argument at position `index` (with no `*args` before it), or the keyword argument `name`. */
function isArgument(parent: Node, child: Node, index: number, name: string): boolean {
  if (parent.type === 'keyword_argument')
    return parent.childForFieldName('name')?.text === name && parent.childForFieldName('value')?.id === child.id;
  const call = callOf(parent);
  return call !== undefined && callArguments(call).positional[index]?.id === child.id;
}

/** `sd is None` / `sd is not None`: a test of what was loaded, not a use of it. */
function isNoneTest(comparison: Node): boolean {
  const operands = namedChildren(comparison);
  return (
    operands.length === 2 &&
    operands.some((o) => unparen(o).type === 'none') &&
    comparison.children.some((c) => c?.type === 'is' || c?.type === 'is not')
  );
}

/** `sd.pop(k)` / `sd.get(k)` of the mapping being followed, as the value stored under a new key. */
function movedEntry(value: Node | null, scopes: FileScopes, context: UseContext): boolean {
  const call = value ? unparen(value) : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  return (
    callee?.type === 'attribute' &&
    ENTRY_METHODS.includes(callee.childForFieldName('attribute')?.text ?? '') &&
    sameMapping(callee.childForFieldName('object'), scopes, context)
  );
}

/**
 * The receiver as the caller passed it: inside a helper entered from a call (`apply(model, sd)`), a parameter
 * stands for the argument of that call.
 */
function passedAs(receiver: Node, scopes: FileScopes, context: UseContext): Node {
  for (let node = unparen(receiver), hops = 0; hops <= MAX_DEPTH; hops++) {
    const bindings = node.type === 'identifier' ? scopes.bindingsOf(node) : undefined;
    const argument = bindings?.length === 1 ? context.args.get(bindings[0]) : undefined;
    if (!argument) return node;
    node = unparen(argument);
  }
  return receiver;
}

/**
 * A dict comprehension over the followed mapping keeps every entry apart only when it has this one `for` clause and
 * its new key is made from the key variable (`{k[7:]: v for k, v in sd.items()}`), not from something else.
 */
function keysKept(comprehension: Node, clause: Node, role: Role, scopes: FileScopes): boolean {
  if (namedChildren(comprehension).filter((c) => c.type === 'for_in_clause').length !== 1) return false;
  const target = clause.childForFieldName('left');
  const key = comprehension.childForFieldName('body')?.childForFieldName('key');
  if (!target || !key) return false;
  if (role === 'entries') return false; // `{f(v): v for v in sd.values()}`: the keys are not the file's
  const keyTarget = role === 'items' && target.type !== 'identifier' ? namedChildren(unparen(target))[0] : target;
  if (!keyTarget) return false;
  const names = keyTarget.type === 'identifier' ? [keyTarget] : keyTarget.descendantsOfType('identifier');
  const bound = new Set(names.map((n) => n?.id));
  return [key, ...key.descendantsOfType('identifier')].some(
    (id) =>
      id?.type === 'identifier' &&
      (scopes.bindingsOf(id) ?? []).some((b) => b.kind === 'iterate' && bound.has(b.node.id)),
  );
}

/**
 * `d.update(value)` with the value its only argument, where `d` is a name bound only to a new dict (`{}`, a dict
 * comprehension, `dict(...)`, `OrderedDict(...)`) or to the state dict of a module (`model.state_dict()`): the
 * call and the name. Anything else with an `update` method may keep or drop what it is given.
 */
function updatedMapping(
  parent: Node,
  child: Node,
  scopes: FileScopes,
  context: UseContext,
): { call: Node; name: Node } | undefined {
  const call = parent.type === 'argument_list' ? callOf(parent) : undefined;
  const callee = call?.childForFieldName('function');
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  if (!call || methodName(call) !== 'update' || object?.type !== 'identifier') return undefined;
  if (namedChildren(parent).length !== 1 || namedChildren(parent)[0].id !== child.id) return undefined;
  const bindings = scopes.bindingsOf(object);
  if (!bindings?.length || !bindings.every((b) => b.kind === 'assign' && b.value && newDict(b.value, scopes, context)))
    return undefined;
  return { call, name: object };
}

/** A new dict, or a module's `state_dict()` (an OrderedDict of its tensors: torch/nn/modules/module.py, 2.6). */
function newDict(value: Node, scopes: FileScopes, context: UseContext): boolean {
  const node = unparen(value);
  if (node.type === 'dictionary' || node.type === 'dictionary_comprehension') return true;
  if (node.type !== 'call') return false;
  const callee = node.childForFieldName('function');
  const name = callee ? scopes.qualifiedName(callee) : undefined;
  if (name === 'builtins.dict' || name === 'collections.OrderedDict') return true;
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  return (
    methodName(node) === 'state_dict' &&
    callArguments(node).list?.namedChildCount === 0 &&
    object !== null &&
    context.isModule(passedAs(object, scopes, context))
  );
}

/**
 * The function a name (a callee, or a `def`'s own name) denotes when it is a plain function of this file, whose body
 * runs with the arguments when it is called: one `def` binds the name, outside a class, with no decorator, not
 * `async`, no `yield`. `null` when a `def` binds the name but not like that; undefined when no `def` does.
 */
function plainFunction(callee: Node, scopes: FileScopes): { fn: Node; binding: Binding } | null | undefined {
  if (callee.type !== 'identifier') return undefined;
  const bindings = scopes.bindingsOf(callee);
  if (!bindings?.some((b) => b.kind === 'def')) return undefined;
  const [binding] = bindings;
  const fn = binding.node;
  if (
    bindings.length !== 1 ||
    binding.kind !== 'def' ||
    binding.scope.kind === 'class' ||
    scopes.declaredOuter.has(binding.name) ||
    fn.type !== 'function_definition' ||
    parentOf(fn)?.type === 'decorated_definition' ||
    fn.children.some((c) => c?.type === 'async') ||
    descendants(fn.childForFieldName('body') ?? fn, 'yield', ['function_definition', 'lambda', 'class_definition'])
      .length > 0
  )
    return null;
  return { fn, binding };
}

/**
 * `apply(model, sd)`, where `apply` is a plain function of this file ({@link plainFunction}) and `child` one of the
 * arguments: the parameter it is passed to, and what the call passes each parameter. `null` when a `def` binds the
 * callee but the argument cannot be matched to a parameter that holds it in the whole body (the call passes `*args`
 * or `**kwargs`, the signature has anything but plain parameters, the parameter is rebound); undefined when no `def`
 * binds the callee.
 */
function helperParameter(
  parent: Node,
  child: Node,
  scopes: FileScopes,
): { binding: Binding; args: Map<Binding, Node> } | null | undefined {
  const call = callOf(parent);
  const callee = call?.childForFieldName('function');
  const found = callee ? plainFunction(unparen(callee), scopes) : undefined;
  if (!call || !found) return found === null ? null : undefined;
  const args = callArguments(call);
  const params = namedChildren(found.fn.childForFieldName('parameters') ?? found.fn);
  if (args.hasListSplat || args.hasDictSplat || params.some((p) => !paramName(p))) return null;
  const passed = new Map<Binding, Node>();
  let target: Binding | undefined;
  const bind = (param: Node | undefined, value: Node | null | undefined) => {
    const name = param && paramName(param);
    const binding = name && scopes.bindingsOf(name)?.find((b) => b.kind === 'param' && b.node.id === name.id);
    if (!binding || !value) return false;
    passed.set(binding, value);
    if (value.id === child.id) target = binding;
    return true;
  };
  if (!args.positional.every((value, i) => bind(params[i], value))) return null;
  for (const [name, keyword] of args.keywords) {
    const p = params.find((q) => paramName(q)?.text === name);
    if (!bind(p, keyword.childForFieldName('value'))) return null;
  }
  // a parameter rebound in the body is not the argument everywhere
  if (!target || scopes.bindingsOf(target.node)?.length !== 1) return null;
  return { binding: target, args: passed };
}

/** The name of a plain parameter (`x`, `x=1`, `x: T`, `x: T = 1`); undefined for `*args`, `**kw`, `*`, `/`. */
function paramName(param: Node): Node | undefined {
  if (param.type === 'identifier') return param;
  if (param.type === 'default_parameter' || param.type === 'typed_default_parameter') {
    const name = param.childForFieldName('name');
    return name?.type === 'identifier' ? name : undefined;
  }
  if (param.type === 'typed_parameter') {
    const first = param.namedChild(0);
    return first?.type === 'identifier' ? first : undefined;
  }
  return undefined;
}

/**
 * `return sd` in a plain function of this file ({@link plainFunction}): every call of it is judged as the value
 * (one call level; the function must be called, and only called, where it is named). A module-level function may be
 * imported and called elsewhere, where nothing is judged: then the evidence is `part` at best.
 */
function returnedUses(ret: Node, scopes: FileScopes, role: Role, depth: number, context: UseContext): boolean {
  const fn = closestAncestor(ret, ['function_definition', 'lambda', 'class_definition', 'module']);
  const name = fn?.type === 'function_definition' ? fn.childForFieldName('name') : null;
  const found = name ? plainFunction(name, scopes) : undefined;
  // a helper entered from one call returns to that call only, which is not followed here
  if (!found || found.fn.id !== fn!.id || [...context.args.keys()].some((b) => b.scope.node.id === fn!.id))
    return false;
  // another `return` of the same function: its callers are judged already
  if (context.returnedFrom) return context.returnedFrom.id === fn!.id;
  const calls = scopes.references(found.binding);
  if (calls.length === 0) return false;
  context.returnedFrom = fn!;
  if (found.binding.scope.kind === 'module') context.part = true;
  return calls.every((ref) => {
    const { parent, child } = parentThroughParens(ref);
    return (
      parent?.type === 'call' &&
      parent.childForFieldName('function')?.id === child.id &&
      use(parent, scopes, role, depth + 1, context)
    );
  });
}

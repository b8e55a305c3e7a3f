/**
 * What a value is, judged from the file's own code: is a torch.load result used only as a state dict (a mapping of
 * tensors)? Is a torch.save argument an nn.Module? Both answers are evidence-based and err on "don't know".
 */
import type { Node } from '../syntax/parse';
import { callArguments, enclosing, methodName, namedChildren, parentThroughParens, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';
import { LOAD_FUNCTIONS } from './api';

const MAX_DEPTH = 6;

// ---------------------------------------------------------------------------------------------------------------
// State-dict use of a load result

/** Methods that read a mapping: `.items()`, `.values()` iterate its entries; `.get(k)` returns one. */
const ENTRY_METHODS = ['get', 'pop', 'setdefault'];
/** Builtins whose result is a number or string, whatever they are given: the entry goes no further. */
const TERMINAL_BUILTINS = new Set(['int', 'float', 'bool', 'len', 'range', 'max', 'min', 'sum', 'round', 'abs', 'format']);

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
 *   `.load_state_dict(...)` of a receiver `isModule` accepts (an nn.Module), without `strict=False`, and nothing else reads, pops, deletes or filters its entries —
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
export function stateDictUse(expr: Node, scopes: FileScopes, isModule: (receiver: Node) => boolean = () => false): 'whole' | 'part' | undefined {
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
const STRING_METHODS = new Set(['replace', 'startswith', 'endswith', 'split', 'rsplit', 'strip', 'lstrip', 'rstrip', 'removeprefix', 'removesuffix', 'lower', 'upper', 'format', 'join', 'partition', 'rpartition', 'find', 'count', 'encode']);
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
      if (called !== undefined && called.startsWith('builtins.') && KEY_BUILTINS.has(called.slice('builtins.'.length))) return true;
      // `sd.pop(k)` / `sd.get(k)` on the mapping being followed
      const call = (parent.type === 'keyword_argument' ? parent.parent : parent)?.parent;
      const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
      return callee?.type === 'attribute' && ENTRY_METHODS.includes(callee.childForFieldName('attribute')?.text ?? '') && sameMapping(callee.childForFieldName('object'), scopes, context);
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
      if ((outer?.type === 'assignment' || outer?.type === 'augmented_assignment') && outer.childForFieldName('left')?.id === target.id) return role === 'mapping';
      // a deleted or read entry is one the state-dict use does not cover
      context.part = true;
      if (outer?.type === 'delete_statement') return role === 'mapping';
      return next(parent, 'entry');
    }
    case 'attribute': {
      const call = parent.parent;
      if (!isField('object') || call?.type !== 'call' || call.childForFieldName('function')?.id !== parent.id) return false;
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
      return isField('right') && role !== 'entry' && loopTargetsOk(parent.childForFieldName('left'), role, scopes, depth, context);
    case 'for_in_clause': {
      // a comprehension: its variables are judged where they are used, and the new container as a whole
      const comprehension = parent.parent;
      const made: Role = comprehension?.type === 'dictionary_comprehension' ? 'mapping' : 'entries';
      // `if k.startswith("model.")`: the entries left out may hold anything
      if (comprehension?.namedChildren.some((c) => c?.type === 'if_clause')) context.part = true;
      return isField('right') && role !== 'entry' && comprehension !== null && loopTargetsOk(parent.childForFieldName('left'), role, scopes, depth, context) && next(comprehension, made);
    }
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      // the element of a comprehension: the comprehension as a whole is judged by the `for` clause
      return role === 'entry' && isField('body');
    case 'comparison_operator':
      // `k in sd` tests the mapping; an entry may be compared (`ckpt["epoch"] > 3`): the result is a bool
      return role === 'entry' || (parent.children.some((c) => c?.type === 'in' || c?.type === 'not in') && parent.lastNamedChild?.id === child.id);
    case 'assignment': {
      const left = parent.childForFieldName('left');
      if (!isField('right')) return false;
      if (left?.type === 'identifier') return nameUses(left, scopes, role, depth, context);
      // `a, b = ckpt["pair"]`: each target is an entry of it
      if (left?.type === 'pattern_list' || left?.type === 'tuple_pattern') return role === 'entry' && targetsUsedAs(left, 'entry', scopes, depth, context);
      // `sd[new] = sd.pop(old)`: moved within the mapping being followed
      if (left?.type === 'subscript' && role === 'entry') return sameMapping(left.childForFieldName('value'), scopes, context);
      return false;
    }
    case 'augmented_assignment': {
      // `models += ckpt["extra"]`: the target now holds the entry; follow it
      const left = parent.childForFieldName('left');
      return role === 'entry' && isField('right') && left?.type === 'identifier' && nameUses(left, scopes, 'entry', depth, context);
    }
    case 'keyword_argument':
    case 'argument_list': {
      const called = calledName(parent, scopes);
      if (called === 'torch.save' || called === 'torch.serialization.save') return true; // saved again as it is
      // list(sd) / sorted(sd.keys()) hold keys; list(sd.values()) holds entries
      if (role !== 'entry') return (called === 'builtins.list' || called === 'builtins.sorted') && next(parent.parent!, role === 'mapping' ? 'keys' : role);
      return called !== undefined && called.startsWith('builtins.') && TERMINAL_BUILTINS.has(called.slice('builtins.'.length));
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
  const left = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === child.id ? parent.childForFieldName('left') : null;
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
function loopTargetsOk(target: Node | null, role: Role, scopes: FileScopes, depth: number, context: UseContext): boolean {
  if (!target) return false;
  if (role === 'mapping' || role === 'keys') return targetsUsedAs(target, 'key', scopes, depth, context);
  if (role === 'items') {
    const parts = target.type === 'identifier' ? [] : namedChildren(unparen(target));
    return parts.length === 2 ? targetsUsedAs(parts[0], 'key', scopes, depth, context) && targetsUsedAs(parts[1], 'entry', scopes, depth, context) : targetsUsedAs(target, 'entry', scopes, depth, context);
  }
  return targetsUsedAs(target, 'entry', scopes, depth, context);
}

/** Every name bound by a target is unused or used only in the given role. */
function targetsUsedAs(target: Node | null, role: Role, scopes: FileScopes, depth: number, context: UseContext): boolean {
  if (!target) return false;
  const names = target.type === 'identifier' ? [target] : target.descendantsOfType('identifier').filter((n): n is Node => n !== null && isBindingTarget(n, target));
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
    if (!['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern'].includes(p.type)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// nn.Module values

/** Why a value is believed to be an nn.Module, for messages: e.g. "`Net()` (Net subclasses nn.Module, line 4)". */
export interface ModuleEvidence {
  /** The expression that is a module (inside a container literal, the element). */
  node: Node;
  reason: string;
  /** When the module sits in a container bound to a name (`ckpt = {"model": net}`), that name where it is used. */
  via?: Node;
}

export interface ModuleOptions {
  /** Extra fully qualified base classes to treat as nn.Module (config `extraModuleBases`). */
  extraModuleBases: readonly string[];
  /**
   * Looks a class up in other files of the project (`.models.Net`, `app.models.Net`, as resolved in this file) and
   * says why it is an nn.Module, if it is. Absent: only this file is known.
   */
  resolveClass?: (qualified: string) => string | undefined;
}

/** True for a fully qualified name that is an nn.Module base: a known base, `extraModuleBases`, or `torch.nn.X`. */
export function isModuleBaseName(name: string, extraModuleBases: readonly string[]): boolean {
  return MODULE_BASES.has(name) || extraModuleBases.includes(name) || /^torch\.nn\.[A-Z]\w*$/.test(name) && !NN_NON_MODULES.has(name.slice('torch.nn.'.length));
}

/**
 * Base classes that make a class an nn.Module. Sources: torch/nn/modules/module.py (`torch.nn.Module`, re-exported
 * as `torch.nn.Module`); lightning/pytorch/core/module.py (LightningModule subclasses nn.Module, 2.x);
 * transformers/modeling_utils.py (PreTrainedModel subclasses nn.Module, 4.x).
 */
const MODULE_BASES = new Set([
  'torch.nn.Module',
  'torch.nn.modules.module.Module',
  'pytorch_lightning.LightningModule',
  'lightning.LightningModule',
  'lightning.pytorch.LightningModule',
  'transformers.PreTrainedModel',
  'transformers.modeling_utils.PreTrainedModel',
]);

/** torch.nn names that are classes but not modules (torch/nn/__init__.py, 2.6). */
const NN_NON_MODULES = new Set(['Parameter', 'UninitializedParameter', 'Buffer', 'UninitializedBuffer']);

/** torchvision.models callables that do not return a model (torchvision/models/_api.py, 0.21). */
const TORCHVISION_NON_BUILDERS = new Set(['get_weight', 'get_model_weights', 'get_model_builder', 'list_models', 'WeightsEnum', 'Weights']);

/** Methods of nn.Module that return the module itself (torch/nn/modules/module.py, 2.6). */
const SELF_RETURNING = new Set(['to', 'cuda', 'cpu', 'eval', 'train', 'half', 'float', 'double', 'bfloat16', 'requires_grad_', 'share_memory', 'to_empty', 'xpu', 'ipu', 'mtia', 'type', 'apply', 'zero_grad_']);

/**
 * Evidence that `expr` evaluates to an nn.Module (or a dict/list/tuple literal holding one), else undefined.
 * Recognised: constructors of classes that subclass nn.Module (in this file, through other classes of this file),
 * `torch.nn.*` layer and container constructors, `torchvision.models` builders, `self` in a module's method,
 * `self.x` assigned a module in `__init__`, parameters annotated `nn.Module`, names bound only to such values, and
 * `.to()`/`.eval()`/… chains and `copy.deepcopy` of them.
 */
export function moduleEvidence(expr: Node, scopes: FileScopes, options: ModuleOptions, depth = 0): ModuleEvidence | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unparen(expr);
  switch (node.type) {
    case 'call':
      return callEvidence(node, scopes, options, depth);
    case 'identifier':
      return identifierEvidence(node, scopes, options, depth);
    case 'attribute': {
      // `ddp_model.module`: the module that DataParallel / DistributedDataParallel wraps
      const object = node.childForFieldName('object');
      if (node.childForFieldName('attribute')?.text === 'module' && object) {
        const wrapped = moduleEvidence(object, scopes, options, depth + 1);
        if (wrapped) return { node, reason: wrapped.reason };
      }
      return selfAttributeEvidence(node, scopes, options, depth);
    }
    case 'list':
    case 'tuple':
    case 'set':
      for (const element of namedChildren(node)) {
        const found = moduleEvidence(element, scopes, options, depth + 1);
        if (found) return found;
      }
      return undefined;
    case 'dictionary':
      for (const pair of namedChildren(node)) {
        const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
        const found = value ? moduleEvidence(value, scopes, options, depth + 1) : undefined;
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function callEvidence(call: Node, scopes: FileScopes, options: ModuleOptions, depth: number): ModuleEvidence | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const method = methodName(call);
  if (method && SELF_RETURNING.has(method)) {
    const object = callee.childForFieldName('object');
    const inner = object ? moduleEvidence(object, scopes, options, depth + 1) : undefined;
    return inner && { node: call, reason: inner.reason };
  }
  const name = scopes.qualifiedName(callee);
  if (name === 'copy.deepcopy' || name === 'copy.copy') {
    const arg = callArguments(call).positional[0];
    const inner = arg && moduleEvidence(arg, scopes, options, depth + 1);
    return inner && { node: call, reason: inner.reason };
  }
  if (name !== undefined) {
    const parts = name.split('.');
    const last = parts[parts.length - 1];
    if (parts.length === 3 && parts[0] === 'torch' && parts[1] === 'nn' && /^[A-Z]/.test(last) && !NN_NON_MODULES.has(last)) {
      return { node: call, reason: `\`${name}\` is an nn.Module` };
    }
    if (isModuleBase(name, options)) return { node: call, reason: `\`${name}\` is an nn.Module` };
    if (name.startsWith('torchvision.models.') && !TORCHVISION_NON_BUILDERS.has(last) && !last.endsWith('_Weights') && /^[a-z]/.test(last)) {
      return { node: call, reason: `\`${name}\` builds a torchvision model` };
    }
    // timm/_factory.py `create_model(...)` and torchvision.models `get_model(...)` return nn.Modules (timm 1.0)
    if (name === 'timm.create_model' || name === 'timm.models.create_model') return { node: call, reason: `\`${name}\` builds a timm model` };
    const elsewhere = options.resolveClass?.(name);
    if (elsewhere) return { node: call, reason: elsewhere };
  }
  if (callee.type === 'identifier') {
    const cls = moduleClass(callee, scopes, options, new Set());
    if (cls) return { node: call, reason: cls };
  }
  return undefined;
}

const nameCache = new WeakMap<Binding[], { options: ModuleOptions; depth: number; verdict: { found: ModuleEvidence; whole: boolean } | undefined }>();

/**
 * What all bindings of a name say (the same for every read of it): the evidence, and whether the name is the module
 * itself (`whole`) or a container holding one. Memoised per name, so a name rebound many times is judged once.
 */
function nameVerdict(bindings: Binding[], scopes: FileScopes, options: ModuleOptions, depth: number): { found: ModuleEvidence; whole: boolean } | undefined {
  const cached = nameCache.get(bindings);
  if (cached && cached.options === options && cached.depth <= depth) return cached.verdict;
  let found: ModuleEvidence | undefined;
  let verdict: { found: ModuleEvidence; whole: boolean } | undefined;
  let vetoed = false;
  for (const binding of bindings) {
    const evidence = bindingEvidence(binding, scopes, options, depth);
    if (evidence === 'cycle') continue;
    if (!evidence) {
      vetoed = true;
      break;
    }
    found ??= evidence;
  }
  if (found && !vetoed) {
    // a name bound to a module: the name is the module; bound to a container holding one: point at the element
    const f = found;
    const whole = f.via === undefined && bindings.some((b) => b.node.id === f.node.id || (b.value !== undefined && unparen(b.value).id === f.node.id));
    verdict = { found: f, whole };
  }
  nameCache.set(bindings, { options, depth, verdict });
  return verdict;
}

function identifierEvidence(node: Node, scopes: FileScopes, options: ModuleOptions, depth: number): ModuleEvidence | undefined {
  const bindings = scopes.bindingsOf(node);
  if (!bindings) return undefined;
  if (node.text === 'self' && bindings.length === 1 && bindings[0].kind === 'param') {
    const cls = enclosingModuleClass(bindings[0], scopes, options);
    return cls ? { node, reason: cls } : undefined;
  }
  const verdict = nameVerdict(bindings, scopes, options, depth);
  if (!verdict) return undefined;
  const { found, whole } = verdict;
  return whole ? { node, reason: found.reason } : { node: found.node, reason: found.reason, via: node };
}

const evidenceCache = new WeakMap<Binding, { options: ModuleOptions; depth: number; result: ModuleEvidence | undefined | 'cycle' }>();

/** A binding's evidence; `cycle` for `model = model.to(device)`, which says nothing new about `model`. Memoised. */
function bindingEvidence(binding: Binding, scopes: FileScopes, options: ModuleOptions, depth: number): ModuleEvidence | undefined | 'cycle' {
  const cached = evidenceCache.get(binding);
  // a result found with at least as much depth budget left is as good as a new one
  if (cached && cached.options === options && cached.depth <= depth) return cached.result;
  const result = computeBindingEvidence(binding, scopes, options, depth);
  evidenceCache.set(binding, { options, depth, result });
  return result;
}

function computeBindingEvidence(binding: Binding, scopes: FileScopes, options: ModuleOptions, depth: number): ModuleEvidence | undefined | 'cycle' {
  if ((binding.kind === 'param' || binding.kind === 'assign') && binding.annotation) {
    const annotation = unparen(binding.annotation.namedChild(0) ?? binding.annotation);
    const name = scopes.qualifiedName(annotation);
    const what = binding.kind === 'param' ? 'parameter' : 'variable';
    if (name !== undefined && isModuleBase(name, options)) return { node: binding.node, reason: `${what} \`${binding.name}\` is annotated \`${annotation.text}\`` };
    const cls = (annotation.type === 'identifier' ? moduleClass(annotation, scopes, options, new Set()) : undefined) ?? (name !== undefined ? options.resolveClass?.(name) : undefined);
    if (cls || binding.kind === 'param') return cls ? { node: binding.node, reason: cls } : undefined;
  }
  if (binding.kind !== 'assign' || !binding.value) return undefined;
  const value = unparen(binding.value);
  if (refersTo(value, binding.name)) return 'cycle';
  // `model = torch.load(resume) if resume else Net()`-style code: a loaded object says nothing either way
  if (value.type === 'call' && LOAD_FUNCTIONS.has(scopes.qualifiedName(value.childForFieldName('function') ?? value) ?? '')) return 'cycle';
  return moduleEvidence(value, scopes, options, depth + 1);
}

/** `model.to(device)` / `model.eval()` chains rooted at the identifier `name`. */
function refersTo(value: Node, name: string): boolean {
  let node = value;
  while (node.type === 'call' && methodName(node) && SELF_RETURNING.has(methodName(node)!)) {
    node = unparen(node.childForFieldName('function')?.childForFieldName('object') ?? node);
  }
  return node.type === 'identifier' && node.text === name;
}

/** `self.net` inside a class whose `__init__` assigns `self.net` only module values. */
function selfAttributeEvidence(node: Node, scopes: FileScopes, options: ModuleOptions, depth: number): ModuleEvidence | undefined {
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute')?.text;
  if (object?.type !== 'identifier' || object.text !== 'self' || !attr) return undefined;
  const cls = enclosing(node, ['class_definition']);
  const init = cls?.childForFieldName('body')?.namedChildren.map((c) => (c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c)).find((c) => c?.type === 'function_definition' && c.childForFieldName('name')?.text === '__init__');
  if (!init) return undefined;
  let found: ModuleEvidence | undefined;
  for (const assignment of assignmentsTo(init, attr)) {
    const value = assignment.childForFieldName('right');
    const evidence = value && moduleEvidence(value, scopes, options, depth + 1);
    if (!evidence) return undefined;
    found ??= evidence;
  }
  return found && { node, reason: `\`__init__\` sets \`self.${attr}\` to a module: ${found.reason}` };
}

function assignmentsTo(fn: Node, attr: string): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [fn.childForFieldName('body') ?? fn];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      if (left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self' && left.childForFieldName('attribute')?.text === attr) found.push(n);
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return found;
}

function isModuleBase(name: string, options: ModuleOptions): boolean {
  return MODULE_BASES.has(name) || options.extraModuleBases.includes(name);
}

/** If `self` is the first parameter of a method of an nn.Module class, that class's evidence. */
function enclosingModuleClass(selfParam: Binding, scopes: FileScopes, options: ModuleOptions): string | undefined {
  const fn = selfParam.scope.node;
  const body = fn.parent;
  const cls = body?.type === 'block' ? body.parent : body?.type === 'decorated_definition' ? body.parent?.parent : undefined;
  if (cls?.type !== 'class_definition') return undefined;
  return classIsModule(cls, scopes, options, new Set());
}

/** If the identifier names a class of this file that subclasses nn.Module, why. */
function moduleClass(name: Node, scopes: FileScopes, options: ModuleOptions, seen: Set<number>): string | undefined {
  const bindings = scopes.bindingsOf(name);
  if (!bindings || bindings.length !== 1 || bindings[0].kind !== 'class') return undefined;
  return classIsModule(bindings[0].node, scopes, options, seen);
}

function classIsModule(cls: Node, scopes: FileScopes, options: ModuleOptions, seen: Set<number>): string | undefined {
  if (seen.has(cls.id)) return undefined;
  seen.add(cls.id);
  const className = cls.childForFieldName('name')?.text ?? '?';
  const line = cls.startPosition.row + 1;
  for (const base of namedChildren(cls.childForFieldName('superclasses') ?? cls).filter((b) => b.type !== 'keyword_argument')) {
    if (cls.childForFieldName('superclasses') === null) break;
    const name = scopes.qualifiedName(base);
    const direct = name !== undefined && (isModuleBase(name, options) || /^torch\.nn\.[A-Z]\w*$/.test(name) || options.resolveClass?.(name) !== undefined);
    if (direct || (base.type === 'identifier' && moduleClass(base, scopes, options, seen))) {
      return `\`${className}\` subclasses nn.Module (line ${line})`;
    }
  }
  return undefined;
}

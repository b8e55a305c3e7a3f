/**
 * nn.Module values, judged from the file's own code (and the project index through `resolveClass`): is a
 * torch.save argument, or a `load_state_dict` receiver, an nn.Module? Evidence-based; errs on "don't know".
 */
import { type Node, parentOf } from '../syntax/parse';
import { callArguments, enclosing, methodName, namedChildren, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';
import { LOAD_FUNCTIONS } from './api';

/** How far a value is followed through names, calls and containers before the answer is "don't know". */
const MAX_DEPTH = 6;

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
  return (
    MODULE_BASES.has(name) ||
    extraModuleBases.includes(name) ||
    (/^torch\.nn\.[A-Z]\w*$/.test(name) && !NN_NON_MODULES.has(name.slice('torch.nn.'.length)))
  );
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
const TORCHVISION_NON_BUILDERS = new Set([
  'get_weight',
  'get_model_weights',
  'get_model_builder',
  'list_models',
  'WeightsEnum',
  'Weights',
]);

/** Methods of nn.Module that return the module itself (torch/nn/modules/module.py, 2.6). */
const SELF_RETURNING = new Set([
  'to',
  'cuda',
  'cpu',
  'eval',
  'train',
  'half',
  'float',
  'double',
  'bfloat16',
  'requires_grad_',
  'share_memory',
  'to_empty',
  'xpu',
  'ipu',
  'mtia',
  'type',
  'apply',
  'zero_grad_',
]);

/**
 * Evidence that `expr` evaluates to an nn.Module (or a dict/list/tuple literal holding one), else undefined.
 * Recognised: constructors of classes that subclass nn.Module (in this file, through other classes of this file),
 * `torch.nn.*` layer and container constructors, `torchvision.models` builders, `self` in a module's method,
 * `self.x` assigned a module in `__init__`, parameters annotated `nn.Module`, names bound only to such values, and
 * `.to()`/`.eval()`/… chains and `copy.deepcopy` of them.
 */
export function moduleEvidence(
  expr: Node,
  scopes: FileScopes,
  options: ModuleOptions,
  depth = 0,
): ModuleEvidence | undefined {
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

function callEvidence(
  call: Node,
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): ModuleEvidence | undefined {
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
    if (
      parts.length === 3 &&
      parts[0] === 'torch' &&
      parts[1] === 'nn' &&
      /^[A-Z]/.test(last) &&
      !NN_NON_MODULES.has(last)
    ) {
      return { node: call, reason: `\`${name}\` is an nn.Module` };
    }
    if (isModuleBaseName(name, options.extraModuleBases)) return { node: call, reason: `\`${name}\` is an nn.Module` };
    if (
      name.startsWith('torchvision.models.') &&
      !TORCHVISION_NON_BUILDERS.has(last) &&
      !last.endsWith('_Weights') &&
      /^[a-z]/.test(last)
    ) {
      return { node: call, reason: `\`${name}\` builds a torchvision model` };
    }
    // timm/_factory.py `create_model(...)` and torchvision.models `get_model(...)` return nn.Modules (timm 1.0)
    if (name === 'timm.create_model' || name === 'timm.models.create_model')
      return { node: call, reason: `\`${name}\` builds a timm model` };
    const elsewhere = options.resolveClass?.(name);
    if (elsewhere) return { node: call, reason: elsewhere };
  }
  if (callee.type === 'identifier') {
    const cls = moduleClass(callee, scopes, options, new Set());
    if (cls) return { node: call, reason: cls };
  }
  return undefined;
}

const nameCache = new WeakMap<
  Binding[],
  { options: ModuleOptions; depth: number; verdict: { found: ModuleEvidence; whole: boolean } | undefined }
>();

/**
 * What all bindings of a name say (the same for every read of it): the evidence, and whether the name is the module
 * itself (`whole`) or a container holding one. Memoised per name, so a name rebound many times is judged once.
 */
function nameVerdict(
  bindings: Binding[],
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): { found: ModuleEvidence; whole: boolean } | undefined {
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
    const whole =
      f.via === undefined &&
      bindings.some((b) => b.node.id === f.node.id || (b.value !== undefined && unparen(b.value).id === f.node.id));
    verdict = { found: f, whole };
  }
  nameCache.set(bindings, { options, depth, verdict });
  return verdict;
}

function identifierEvidence(
  node: Node,
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): ModuleEvidence | undefined {
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

const evidenceCache = new WeakMap<
  Binding,
  { options: ModuleOptions; depth: number; result: ModuleEvidence | undefined | 'cycle' }
>();

/** A binding's evidence; `cycle` for `model = model.to(device)`, which says nothing new about `model`. Memoised. */
function bindingEvidence(
  binding: Binding,
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): ModuleEvidence | undefined | 'cycle' {
  const cached = evidenceCache.get(binding);
  // a result found with at least as much depth budget left is as good as a new one
  if (cached && cached.options === options && cached.depth <= depth) return cached.result;
  const result = computeBindingEvidence(binding, scopes, options, depth);
  evidenceCache.set(binding, { options, depth, result });
  return result;
}

function computeBindingEvidence(
  binding: Binding,
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): ModuleEvidence | undefined | 'cycle' {
  if ((binding.kind === 'param' || binding.kind === 'assign') && binding.annotation) {
    const annotation = unparen(binding.annotation.namedChild(0) ?? binding.annotation);
    const name = scopes.qualifiedName(annotation);
    const what = binding.kind === 'param' ? 'parameter' : 'variable';
    if (name !== undefined && isModuleBaseName(name, options.extraModuleBases))
      return { node: binding.node, reason: `${what} \`${binding.name}\` is annotated \`${annotation.text}\`` };
    const cls =
      (annotation.type === 'identifier' ? moduleClass(annotation, scopes, options, new Set()) : undefined) ??
      (name !== undefined ? options.resolveClass?.(name) : undefined);
    if (cls || binding.kind === 'param') return cls ? { node: binding.node, reason: cls } : undefined;
  }
  if (binding.kind !== 'assign' || !binding.value) return undefined;
  const value = unparen(binding.value);
  if (refersTo(value, binding.name)) return 'cycle';
  // `model = torch.load(resume) if resume else Net()`-style code: a loaded object says nothing either way
  if (
    value.type === 'call' &&
    LOAD_FUNCTIONS.has(scopes.qualifiedName(value.childForFieldName('function') ?? value) ?? '')
  )
    return 'cycle';
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
function selfAttributeEvidence(
  node: Node,
  scopes: FileScopes,
  options: ModuleOptions,
  depth: number,
): ModuleEvidence | undefined {
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute')?.text;
  if (object?.type !== 'identifier' || object.text !== 'self' || !attr) return undefined;
  const cls = enclosing(node, ['class_definition']);
  const init = cls
    ?.childForFieldName('body')
    ?.namedChildren.map((c) => (c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c))
    .find((c) => c?.type === 'function_definition' && c.childForFieldName('name')?.text === '__init__');
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
      if (
        left?.type === 'attribute' &&
        left.childForFieldName('object')?.text === 'self' &&
        left.childForFieldName('attribute')?.text === attr
      )
        found.push(n);
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return found;
}

/** If `self` is the first parameter of a method of an nn.Module class, that class's evidence. */
function enclosingModuleClass(selfParam: Binding, scopes: FileScopes, options: ModuleOptions): string | undefined {
  const fn = selfParam.scope.node;
  const body = parentOf(fn);
  const cls =
    body?.type === 'block'
      ? parentOf(body)
      : body?.type === 'decorated_definition'
        ? parentOf(parentOf(body)!)
        : undefined;
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
  for (const base of namedChildren(cls.childForFieldName('superclasses') ?? cls).filter(
    (b) => b.type !== 'keyword_argument',
  )) {
    if (cls.childForFieldName('superclasses') === null) break;
    const name = scopes.qualifiedName(base);
    const direct =
      name !== undefined &&
      (isModuleBaseName(name, options.extraModuleBases) || options.resolveClass?.(name) !== undefined);
    if (direct || (base.type === 'identifier' && moduleClass(base, scopes, options, seen))) {
      return `\`${className}\` subclasses nn.Module (line ${line})`;
    }
  }
  return undefined;
}

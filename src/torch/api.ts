/**
 * What pylint-torch knows about torch's serialization API: which callables load and save, and where their
 * parameters sit. Facts cite docs/torch-facts.md and the torch source files they come from.
 */
import { closestAncestor, type Node, parentOf } from '../syntax/parse';
import { argumentValue, CallArguments, callArguments, callEndingWith, stringValue, unparen } from '../syntax/python';
import { constantValue, type Constant, dictKey, type ImportedConstant } from '../analysis/constants';
import type { FileScopes } from '../syntax/scope';

/** A member of the torch.load family and the shape of its signature. */
export interface LoadFunction {
  /** The name users know it by, for messages. */
  display: string;
  /** 0-based position of the path/URL parameter and its keyword name. */
  path: { index: number; name: string };
  /** Position of `weights_only` when it can be passed positionally; undefined when keyword-only. */
  weightsOnlyIndex?: number;
  /** Position of `pickle_module`, when the function has one. */
  pickleModuleIndex?: number;
  /**
   * `weights_only` default: `torch` when torch decides (False before 2.6, True from 2.6, PR #137602), `false` when it
   * is False on every version, `true` for wrappers that default to safe loading.
   */
  weightsOnlyDefault: 'torch' | boolean;
  /** The keyword that carries weights_only (`weights_only` unless a wrapper names it otherwise). */
  weightsOnlyName?: string;
  /** For project wrappers and known third-party loaders: where it is defined, for messages (`utils.py:12`). */
  via?: string;
  /** False when the callable does not accept a weights_only keyword (a fix must not add one). */
  acceptsWeightsOnly?: boolean;
  /** For project wrappers: the torch function they call, for messages (default `torch.load`). */
  wraps?: string;
  /**
   * False for a project wrapper that does not return what torch loads as it is (`return torch.load(f)["model"]`):
   * a state-dict use at its call site then covers part of the file only.
   */
  returnsLoaded?: boolean;
  /**
   * The torch release that added the `weights_only` keyword to this loader, [major, minor]: a fix that adds the
   * keyword raises `TypeError` on any older torch. Undefined for wrappers, which pass it on to `torch.load`
   * ({@link WEIGHTS_ONLY_SINCE}).
   */
  weightsOnlySince?: readonly [number, number];
  /**
   * True when the callable is bound elsewhere — a `functools.partial` object, a parameter's default
   * (`loader=torch.load`): callers may pass other arguments (`pickle_module`) or another callable, so no fix of it is
   * ever safe.
   */
  indirect?: boolean;
  /**
   * False when a call that does not pass weights_only is not reported: the loader's own default is not known to be
   * torch's (Lightning's loading APIs pass None on to torch for local files only).
   */
  reportsAbsent?: boolean;
}

/** Finds project wrappers and known loaders for a callee that is not a torch function itself. */
export type LoaderResolver = (callee: Node) => LoadFunction | undefined;

/** torch.load gained `weights_only` in torch 1.13 (pytorch/pytorch PR #86812, docs/torch-facts.md). */
export const WEIGHTS_ONLY_SINCE: readonly [number, number] = [1, 13];

/**
 * torch/serialization.py (2.6): `load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
 * **pickle_load_args)` — weights_only is keyword-only.
 */
const TORCH_LOAD: LoadFunction = {
  display: 'torch.load',
  path: { index: 0, name: 'f' },
  pickleModuleIndex: 2,
  weightsOnlyDefault: 'torch',
  weightsOnlySince: WEIGHTS_ONLY_SINCE,
};

/**
 * torch/hub.py (2.6): `load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
 * check_hash=False, file_name=None, weights_only=False)`; torch/utils/model_zoo.py re-exports it as `load_url`.
 * weights_only defaults to False on every version (docs/torch-facts.md).
 */
const HUB_LOAD: Omit<LoadFunction, 'display'> = {
  path: { index: 0, name: 'url' },
  weightsOnlyIndex: 6,
  weightsOnlyDefault: false,
  // torch 2.1 (pytorch/pytorch PR #98479, merged April 2023 after the 2.0 branch cut)
  weightsOnlySince: [2, 1],
};

export const LOAD_FUNCTIONS: ReadonlyMap<string, LoadFunction> = new Map([
  ['torch.load', TORCH_LOAD],
  ['torch.serialization.load', { ...TORCH_LOAD, display: 'torch.serialization.load' }],
  ['torch.hub.load_state_dict_from_url', { ...HUB_LOAD, display: 'torch.hub.load_state_dict_from_url' }],
  ['torch.utils.model_zoo.load_url', { ...HUB_LOAD, display: 'torch.utils.model_zoo.load_url' }],
]);

/** torch/serialization.py (2.6): `save(obj, f, pickle_module=pickle, pickle_protocol=2, ...)`. */
export const SAVE_FUNCTIONS: ReadonlySet<string> = new Set(['torch.save', 'torch.serialization.save']);

/** A resolved call of the torch.load family. */
export interface LoadCall {
  call: Node;
  fn: LoadFunction;
  args: CallArguments;
}

/**
 * The torch.load-family call `call` makes, resolved through imports, aliases and literal lookups (`getattr(torch,
 * "load")`), or undefined. Also:
 * - `functools.partial(torch.load, ...)` itself, with the partial's arguments as the call's (positions after the
 *   bound callable); a call of a name bound to such a partial only when it passes weights_only itself (else the
 *   partial is what is reported);
 * - a call of a parameter whose default is a loader (`def f(p, loader=torch.load): loader(p)`);
 * - Lightning's loading APIs (lightning 2.5 `LightningModule.load_from_checkpoint`, `Trainer.fit/validate/test/
 *   predict(ckpt_path=...)`, `Fabric.load/load_raw`), which take weights_only and pass it on to torch.load
 *   (lightning/fabric/utilities/cloud_io.py `_load`): only an explicit weights_only is judged there.
 */
export function asLoadCall(call: Node, scopes: FileScopes, resolveLoader?: LoaderResolver): LoadCall | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const fn = loaderOf(callee, scopes, resolveLoader);
  if (fn) return { call, fn, args: callArguments(call) };
  if (scopes.qualifiedName(callee) === 'functools.partial') return partialLoad(call, scopes, resolveLoader);
  return boundLoad(call, callee, scopes, resolveLoader) ?? lightningLoad(call, callee, scopes);
}

function loaderOf(callee: Node, scopes: FileScopes, resolveLoader?: LoaderResolver): LoadFunction | undefined {
  const name = scopes.qualifiedName(callee);
  return (name === undefined ? fallbackImport(callee, scopes) : LOAD_FUNCTIONS.get(name)) ?? resolveLoader?.(callee);
}

/** `functools.partial(<loader>, ...)`: the loader, with the partial's own arguments shifted past the callable. */
function partialLoad(call: Node, scopes: FileScopes, resolveLoader?: LoaderResolver): LoadCall | undefined {
  const args = callArguments(call);
  const bound = args.positional[0];
  const fn = bound && loaderOf(bound, scopes, resolveLoader);
  return fn && { call, fn: { ...fn, indirect: true }, args: { ...args, positional: args.positional.slice(1) } };
}

/** A call of a name bound to a loader partial (passing weights_only itself), or of a parameter defaulting to one. */
function boundLoad(call: Node, callee: Node, scopes: FileScopes, resolveLoader?: LoaderResolver): LoadCall | undefined {
  if (callee.type !== 'identifier') return undefined;
  const bindings = scopes.bindingsOf(callee) ?? [];
  if (bindings.length !== 1) return undefined;
  const [binding] = bindings;
  if (binding.kind !== 'param' && binding.kind !== 'assign') return undefined;
  const args = callArguments(call);
  const line = binding.node.startPosition.row + 1;
  const view = (fn: LoadFunction, via: string): LoadFunction => ({
    ...fn,
    display: callee.text,
    via,
    wraps: fn.via ? fn.wraps : fn.display,
    indirect: true,
  });
  if (binding.kind === 'param' && binding.default) {
    const value = unparen(binding.default);
    const fn =
      value.type === 'call' &&
      scopes.qualifiedName(value.childForFieldName('function') ?? value) === 'functools.partial'
        ? partialLoad(value, scopes, resolveLoader)?.fn
        : loaderOf(value, scopes, resolveLoader);
    return fn && { call, fn: view(fn, `the default of parameter \`${binding.name}\`, line ${line}`), args };
  }
  if (binding.kind !== 'assign' || !binding.value) return undefined;
  const value = unparen(binding.value);
  if (
    value.type !== 'call' ||
    scopes.qualifiedName(value.childForFieldName('function') ?? value) !== 'functools.partial'
  )
    return undefined;
  const partial = partialLoad(value, scopes, resolveLoader);
  if (!partial || !args.keywords.has(partial.fn.weightsOnlyName ?? 'weights_only')) return undefined;
  return { call, fn: view(partial.fn, `functools.partial, line ${line}`), args };
}

/** Lightning's methods that load a checkpoint with a weights_only parameter (lightning 2.5), by method name. */
const LIGHTNING_LOADERS: Readonly<Record<string, { path: { index: number; name: string }; receiver?: RegExp }>> = {
  load_from_checkpoint: { path: { index: 0, name: 'checkpoint_path' } },
  // Trainer: the checkpoint is only loaded when ckpt_path is passed
  fit: { path: { index: -1, name: 'ckpt_path' } },
  validate: { path: { index: -1, name: 'ckpt_path' } },
  test: { path: { index: -1, name: 'ckpt_path' } },
  predict: { path: { index: -1, name: 'ckpt_path' } },
  // Fabric.load(path, state=None, strict=True, *, weights_only=None) and load_raw(path, obj, strict, *, weights_only)
  load: { path: { index: 0, name: 'path' }, receiver: /(^|[._])fabric$/i },
  load_raw: { path: { index: 0, name: 'path' }, receiver: /(^|[._])fabric$/i },
};

function lightningLoad(call: Node, callee: Node, scopes: FileScopes): LoadCall | undefined {
  if (callee.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  const known = Object.hasOwn(LIGHTNING_LOADERS, method) ? LIGHTNING_LOADERS[method] : undefined;
  if (!known || !receiver) return undefined;
  const args = callArguments(call);
  if (!args.keywords.has('weights_only')) return undefined;
  if (known.path.index < 0 && !args.keywords.has(known.path.name)) return undefined;
  if (known.receiver && !known.receiver.test(receiver.text) && !constructedFabric(receiver, scopes)) return undefined;
  const fn: LoadFunction = {
    display: `${receiver.text}.${method}`,
    path: known.path,
    weightsOnlyDefault: 'torch',
    via: 'Lightning',
    wraps: 'torch.load',
    acceptsWeightsOnly: true,
    reportsAbsent: false,
  };
  return { call, fn, args };
}

/** `fabric = Fabric(...)` (lightning.Fabric / lightning.fabric.Fabric / lightning_fabric.Fabric). */
function constructedFabric(receiver: Node, scopes: FileScopes): boolean {
  if (receiver.type !== 'identifier') return false;
  const bindings = scopes.bindingsOf(receiver) ?? [];
  return bindings.some((b) => {
    const value = b.kind === 'assign' && b.value ? unparen(b.value) : undefined;
    const ctor =
      value?.type === 'call' ? scopes.qualifiedName(value.childForFieldName('function') ?? value) : undefined;
    return ctor !== undefined && /^(lightning|lightning\.fabric|lightning_fabric)\.Fabric$/.test(ctor);
  });
}

/** A name imported from one of several torch modules in a try/except: a loader if every candidate is the same kind. */
function fallbackImport(callee: Node, scopes: FileScopes): LoadFunction | undefined {
  const candidates = scopes.qualifiedNameCandidates(callee);
  const fns = candidates?.map((c) => LOAD_FUNCTIONS.get(c));
  if (
    !fns?.length ||
    fns.some((f) => !f || f.weightsOnlyDefault !== fns[0]!.weightsOnlyDefault || f.path.index !== fns[0]!.path.index)
  )
    return undefined;
  return fns[0];
}

/** True when `call` calls torch.save (or torch.serialization.save). */
export function isSaveCall(call: Node, scopes: FileScopes): boolean {
  const callee = call.childForFieldName('function');
  const name = callee && scopes.qualifiedName(callee);
  return name !== undefined && name !== null && SAVE_FUNCTIONS.has(name);
}

/** The expression passed as `weights_only`, if visible. */
export function weightsOnlyArgument(load: LoadCall): Node | undefined {
  const keyword = load.fn.weightsOnlyName ?? 'weights_only';
  return load.fn.weightsOnlyIndex === undefined || load.fn.weightsOnlyIndex < 0
    ? (load.args.keywords.get(keyword)?.childForFieldName('value') ?? undefined)
    : argumentValue(load.args, load.fn.weightsOnlyIndex, keyword);
}

/** The expression passed as `pickle_module`, if visible. */
export function pickleModuleArgument(load: LoadCall): Node | undefined {
  return load.fn.pickleModuleIndex === undefined
    ? undefined
    : argumentValue(load.args, load.fn.pickleModuleIndex, 'pickle_module');
}

/** The path, file object or URL argument, if visible. */
export function pathArgument(load: LoadCall): Node | undefined {
  return load.fn.path.index < 0
    ? (load.args.keywords.get(load.fn.path.name)?.childForFieldName('value') ?? undefined)
    : argumentValue(load.args, load.fn.path.index, load.fn.path.name);
}

/** True when `expr` is certainly `False` (a literal, or names bound only to False, `not True`, …). */
export function isCertainlyFalse(expr: Node, scopes: FileScopes): boolean {
  return constantValue(expr, scopes) === 'false';
}

/**
 * What weights_only a call passes: `absent` (not passed, and any `**kwargs` dict certainly lacks it), a constant,
 * or `unknown`. `node` is the expression that carries it; `direct` when that is an argument of the call itself.
 */
export function resolvedWeightsOnly(
  load: LoadCall,
  scopes: FileScopes,
  imported?: ImportedConstant,
): { value: Constant | 'absent'; node?: Node; direct: boolean } {
  const given = weightsOnlyArgument(load);
  if (given) return { value: constantValue(given, scopes, imported), node: given, direct: true };
  if (!load.args.hasDictSplat) return { value: 'absent', direct: true };
  const key = load.fn.weightsOnlyName ?? 'weights_only';
  let found: { value: Constant | 'absent'; node?: Node; direct: boolean } = { value: 'absent', direct: false };
  for (const splat of load.args.list?.namedChildren ?? []) {
    if (splat?.type !== 'dictionary_splat' || !splat.namedChild(0)) continue;
    const entry = dictKey(splat.namedChild(0)!, key, scopes);
    if (entry.state === 'unknown') return { value: 'unknown', direct: false };
    if (entry.state === 'value')
      found = { value: constantValue(entry.node, scopes, imported), node: entry.node, direct: false };
  }
  return found;
}

/**
 * Keyword arguments of torch.load that `weights_only=True` cannot be combined with: `pickle_module` raises
 * RuntimeError, and the weights_only unpickler takes no pickle argument but `encoding` (`Unpickler(file, *,
 * encoding="bytes")` in torch/_weights_only_unpickler.py, 1.13 to 2.6), so `fix_imports`, `errors` and `buffers`
 * raise TypeError. Torch's own loaders only (a wrapper's keywords are its own).
 */
const NOT_WITH_WEIGHTS_ONLY = ['pickle_module', 'fix_imports', 'errors', 'buffers'];

/**
 * The first argument of `load` that stops `weights_only=True` from being added (see NOT_WITH_WEIGHTS_ONLY): passed
 * by keyword (or `pickle_module` by position) or held by a `**dict` (`"pickle_module"`, `'opts["fix_imports"]'`), or
 * possibly carried by a `**dict` that is not known to lack it (`"**opts"`: starts with `**`); undefined when none.
 */
export function blocksWeightsOnly(load: LoadCall, scopes: FileScopes): string | undefined {
  if (load.fn.via) return undefined;
  if (pickleModuleArgument(load)) return 'pickle_module';
  const keyword = NOT_WITH_WEIGHTS_ONLY.find((k) => load.args.keywords.has(k));
  if (keyword) return keyword;
  for (const splat of load.args.list?.namedChildren ?? []) {
    if (splat?.type !== 'dictionary_splat' || !splat.namedChild(0)) continue;
    const dict = splat.namedChild(0)!;
    const states = NOT_WITH_WEIGHTS_ONLY.map((k) => [k, dictKey(dict, k, scopes).state] as const);
    const held = states.find(([, state]) => state === 'value');
    if (held) return `${dict.text}["${held[0]}"]`;
    if (states.some(([, state]) => state !== 'absent')) return `**${dict.text}`;
  }
  return undefined;
}

/**
 * The allowlist entries of every `with torch.serialization.safe_globals([...]):` (torch 2.5+, torch/serialization.py)
 * whose body holds `node`, in the same function, innermost first; undefined when there is none. An entry is the
 * list element's node; `unknown` marks a list that is not a literal (a name, a call).
 */
const WITH_OR_SCOPE = ['with_statement', 'function_definition', 'lambda', 'class_definition'];

export function safeGlobalsAround(node: Node, scopes: FileScopes): (Node | 'unknown')[] | undefined {
  let found: (Node | 'unknown')[] | undefined;
  for (
    let p = closestAncestor(node, WITH_OR_SCOPE);
    p?.type === 'with_statement';
    p = closestAncestor(p, WITH_OR_SCOPE)
  ) {
    const body = p.childForFieldName('body');
    if (!body || node.startIndex < body.startIndex) continue;
    const clause = p.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let value = item?.childForFieldName('value');
      if (value?.type === 'as_pattern') value = value.namedChild(0);
      const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
      if (!callee || scopes.qualifiedName(callee) !== 'torch.serialization.safe_globals') continue;
      const list = value!.childForFieldName('arguments')?.namedChild(0);
      found ??= [];
      if (list?.type === 'list')
        found.push(...list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment'));
      else found.push('unknown');
    }
  }
  return found;
}

/**
 * The global name an allowlist entry allows, as torch records it: `(obj, "module.Name")` → that string; a class or
 * function → its qualified name. Undefined when it cannot be named statically (a local class, a relative import).
 */
export function allowlistEntryName(entry: Node, scopes: FileScopes): string | undefined {
  const e = unparen(entry);
  if (e.type === 'tuple' && e.namedChildren.length === 2) return stringValue(e.namedChildren[1]!);
  const name = scopes.qualifiedName(e);
  return name === undefined || name.startsWith('.') ? undefined : name;
}

/**
 * What `add_safe_globals([...])` calls in a file allowlist for the whole process: the names, or `unknown` when a
 * call's list is not a literal or an entry cannot be named (it might allow anything). Empty when there is no call.
 */
export function processAllowlist(scopes: FileScopes): string[] | 'unknown' {
  const names: string[] = [];
  for (const id of scopes.identifiersNamed('add_safe_globals')) {
    // `add_safe_globals(...)` or `torch.serialization.add_safe_globals(...)`: the callee ends with this identifier
    const found = callEndingWith(id);
    if (!found) {
      // `from torch.serialization import add_safe_globals` is fine; an alias or any other use may hide a call
      const dotted = parentOf(id);
      const plainImport = dotted?.type === 'dotted_name' && parentOf(dotted)?.type === 'import_from_statement';
      if (plainImport) continue;
      return 'unknown';
    }
    if (scopes.qualifiedName(found.callee) !== 'torch.serialization.add_safe_globals') continue;
    const list = found.call.childForFieldName('arguments')?.namedChild(0);
    if (list?.type !== 'list') return 'unknown';
    for (const entry of list.namedChildren) {
      if (!entry || entry.type === 'comment') continue;
      const name = allowlistEntryName(entry, scopes);
      if (name === undefined) return 'unknown';
      names.push(name);
    }
  }
  return names;
}

/**
 * True when `node` is inside a `torch.serialization.safe_globals` block: the code already relies on weights_only
 * loading there.
 */
export function insideSafeGlobals(node: Node, scopes: FileScopes): boolean {
  return safeGlobalsAround(node, scopes) !== undefined;
}

/** `" (which wraps torch.load, utils.py:12)"` for wrappers and known loaders, empty for torch's own functions. */
export function viaText(fn: LoadFunction): string {
  return fn.via ? ` (which wraps ${fn.wraps ?? 'torch.load'}, ${fn.via})` : '';
}

/**
 * Load wrappers: project functions that call the torch.load family on a path they receive and forward
 * `weights_only` (a parameter with a default, or `**kwargs` with a `setdefault`). Their call sites are checked like
 * torch.load calls; the wrapper's own internal call, which passes the parameter through, is not reported.
 */
import { closestAncestor, type Node } from '../syntax/parse';
import { callArguments, methodName, namedChildren, stringValue, unparen } from '../syntax/python';
import type { FileScopes } from '../syntax/scope';
import { dictKey } from '../analysis/constants';
import { asLoadCall, type LoadCall, type LoadFunction, pathArgument, weightsOnlyArgument } from './api';

/** How many openers, path builders and names a wrapper's path is followed through to its parameter. */
const MAX_PATH_DEPTH = 6;

/** A wrapper's signature as far as loading goes (plain data: it outlives the file's tree). */
export interface LoaderSummary {
  name: string;
  /** 1-based line of the `def`. */
  line: number;
  file: string;
  path: { index: number; name: string };
  /** The parameter that carries weights_only, if any; else it travels in `**kwargs`. */
  weightsOnlyParam?: { index: number; name: string };
  /** What the wrapper passes when the caller says nothing. */
  weightsOnlyDefault: 'torch' | boolean;
  /** The torch function it calls (`torch.load`, `torch.hub.load_state_dict_from_url`), for messages. */
  wraps: string;
  /** The torch release that added `weights_only` to that function (api.ts `weightsOnlySince`). */
  weightsOnlySince?: readonly [number, number];
  /**
   * True when it returns what torch loads as it is (`return torch.load(f)`): only then is a call site's use of the
   * result a use of the whole file.
   */
  returnsLoaded: boolean;
}

/**
 * Third-party wrappers that hide a torch.load, keyed by qualified name. Each entry cites where its behaviour was read.
 * Config `knownLoaders` adds to and overrides these.
 */
export const BUILTIN_LOADERS: Readonly<Record<string, KnownLoader>> = {
  // ultralytics/utils/patches.py `torch_load` (8.3.x): adds weights_only=False when the caller does not pass it.
  'ultralytics.utils.patches.torch_load': { weightsOnlyDefault: false },
  // fairseq/checkpoint_utils.py `load_checkpoint_to_cpu(path, arg_overrides=None, load_on_all_ranks=False)`
  // (commit 3d262bb, 2025-09): torch.load(f, map_location=cpu, weights_only=False).
  'fairseq.checkpoint_utils.load_checkpoint_to_cpu': { weightsOnlyDefault: false, acceptsWeightsOnly: false },
  // TTS/utils/io.py `load_fsspec(path, map_location=None, cache=True, **kwargs)` (coqui TTS 0.22): forwards **kwargs
  // to torch.load, so torch's own default applies.
  'TTS.utils.io.load_fsspec': { weightsOnlyDefault: 'torch' },
  // lightning/fabric/utilities/cloud_io.py `_load(path_or_url, map_location=None, weights_only=None)` (2.5):
  // None lets torch decide for files (False for http URLs, which go to load_state_dict_from_url).
  'lightning.fabric.utilities.cloud_io._load': {
    weightsOnlyDefault: 'torch',
    weightsOnlyParam: { index: 2, name: 'weights_only' },
  },
  'lightning_fabric.utilities.cloud_io._load': {
    weightsOnlyDefault: 'torch',
    weightsOnlyParam: { index: 2, name: 'weights_only' },
  },
};

/** A `knownLoaders` entry: how a third-party loader treats weights_only; its path is the first argument. */
export interface KnownLoader {
  weightsOnlyDefault: 'torch' | boolean;
  weightsOnlyParam?: { index: number; name: string };
  /** False when the loader has no weights_only parameter (no fix adds one); default true. */
  acceptsWeightsOnly?: boolean;
}

/** The LoadFunction view of a wrapper, for rules that check torch.load calls. */
export function wrapperLoadFunction(summary: LoaderSummary, where: string): LoadFunction {
  return {
    display: summary.name,
    via: where,
    acceptsWeightsOnly: true,
    path: summary.path,
    weightsOnlyIndex: summary.weightsOnlyParam?.index,
    weightsOnlyName: summary.weightsOnlyParam?.name ?? 'weights_only',
    weightsOnlyDefault: summary.weightsOnlyDefault,
    weightsOnlySince: summary.weightsOnlySince,
    wraps: summary.wraps,
    returnsLoaded: summary.returnsLoaded,
  };
}

/** A known third-party loader as a LoadFunction. */
export function knownLoadFunction(name: string, known: KnownLoader): LoadFunction {
  return {
    display: name.split('.').pop() ?? name,
    via: name,
    acceptsWeightsOnly: known.acceptsWeightsOnly ?? true,
    path: { index: 0, name: 'f' },
    weightsOnlyIndex: known.weightsOnlyParam?.index,
    weightsOnlyName: known.weightsOnlyParam?.name ?? 'weights_only',
    weightsOnlyDefault: known.weightsOnlyDefault,
  };
}

/** The load wrappers among the module-level functions of a file. */
export function summarizeLoaders(file: string, scopes: FileScopes): Map<string, LoaderSummary> {
  const loaders = new Map<string, LoaderSummary>();
  for (const [name, bindings] of scopes.module.bindings) {
    if (bindings.length !== 1 || bindings[0].kind !== 'def') continue;
    const summary = summarizeFunction(file, bindings[0].node, scopes);
    if (summary) loaders.set(name, summary);
  }
  return loaders;
}

function summarizeFunction(file: string, fn: Node, scopes: FileScopes): LoaderSummary | undefined {
  const body = fn.childForFieldName('body');
  const paramList = fn.childForFieldName('parameters');
  if (!body || !paramList) return undefined;
  const params = namedChildren(paramList);
  const positional = params.filter(
    (p) =>
      !['list_splat_pattern', 'dictionary_splat_pattern', 'keyword_separator', 'positional_separator'].includes(p.type),
  );
  const nameOf = (p: Node) =>
    p.type === 'identifier'
      ? p
      : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier') ?? null);
  const kwargsParam = params.find((p) => p.type === 'dictionary_splat_pattern')?.namedChild(0)?.text;
  const indexOf = (name: string) => positional.findIndex((p) => nameOf(p)?.text === name);

  const name = fn.childForFieldName('name')?.text ?? '?';
  const line = fn.startPosition.row + 1;
  // every load that forwards the path parameter counts (one per torch version, a URL branch…): the worst wins
  const found: LoaderSummary[] = [];
  let returned: Set<number> | undefined;
  for (const call of body.descendantsOfType('call')) {
    if (!call) continue;
    const one = summarizeLoad(call);
    if (one === 'not-a-wrapper') return undefined;
    if (one) found.push(one);
  }
  return combine(found);

  function summarizeLoad(call: Node): LoaderSummary | 'not-a-wrapper' | undefined {
    const load = asLoadCall(call, scopes);
    if (!load || load.fn.via || load.fn.indirect) return undefined; // wrappers of wrappers are not followed
    const pathExpr = pathArgument(load);
    const pathParam = pathExpr && parameterOf(pathExpr, fn, scopes);
    if (!pathParam) return undefined;
    const path = { index: indexOf(pathParam), name: pathParam };
    const wrapped = {
      wraps: load.fn.display,
      weightsOnlySince: load.fn.weightsOnlySince,
      returnsLoaded: (returned ??= returnedCalls(body!)).has(call.id),
    };
    // passed as a keyword, or held by a local options dict (`opts = {"weights_only": trust}; torch.load(p, **opts)`)
    const given = weightsOnlyArgument(load) ?? optionsEntry(load, kwargsParam, scopes);
    if (given) {
      const wo = unparen(given);
      if (wo.type !== 'identifier') return undefined; // a fixed value: the internal call is the finding
      const bindings = scopes.bindingsOf(wo) ?? [];
      const param = bindings.find((b) => b.kind === 'param' && b.scope.node.id === fn.id);
      // `wo = kwargs.pop("weights_only", False)`: forwarded through **kwargs with that default
      const popped =
        bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value
          ? kwargsRead(bindings[0].value, kwargsParam)
          : undefined;
      if (popped !== undefined) return { name, line, file, path, weightsOnlyDefault: popped, ...wrapped };
      if (!param) return undefined;
      // the parameter must reach the call as passed, or be replaced only when None (`if wo is None: wo = False`)
      const others = bindings.filter((b) => b !== param);
      const declared = positional.find((p) => nameOf(p)?.text === wo.text)?.childForFieldName('value');
      let fallback: 'torch' | boolean = declared ? literalDefault(declared) : 'torch';
      if (others.length > 0) {
        const constant =
          others.length === 1 && others[0].kind === 'assign' && others[0].value
            ? literalDefault(others[0].value)
            : undefined;
        if (
          constant === undefined ||
          constant === 'torch' ||
          fallback !== 'torch' ||
          !replacedWhenNone(others[0], wo.text)
        )
          return 'not-a-wrapper';
        fallback = constant;
      }
      return {
        name,
        line,
        file,
        path,
        weightsOnlyParam: { index: indexOf(wo.text), name: wo.text },
        weightsOnlyDefault: fallback,
        ...wrapped,
      };
    }
    const splat =
      load.args.hasDictSplat &&
      kwargsParam &&
      callArguments(call).list?.namedChildren.some(
        (a) => a?.type === 'dictionary_splat' && a.namedChild(0)?.text === kwargsParam,
      );
    if (!splat) return undefined;
    const written = kwargsWrite(body!, kwargsParam!);
    // a forced value (`kwargs["weights_only"] = False`) is not a default: the internal call is the finding; without
    // a write, the wrapped function's own default applies (False for the hub loaders)
    if (written?.forced) return 'not-a-wrapper';
    return { name, line, file, path, weightsOnlyDefault: written?.value ?? load.fn.weightsOnlyDefault, ...wrapped };
  }
}

/**
 * One summary for a wrapper with several loads of its parameters: the load with the worst default (False, then
 * torch's, then True) gives the path and weights_only parameters and the default; `wraps` names every function it
 * calls (`torch.load and torch.hub.load_state_dict_from_url`), `weightsOnlySince` is the newest, and `returnsLoaded`
 * holds only when every load is returned as it is. Undefined when there is none.
 */
function combine(found: readonly LoaderSummary[]): LoaderSummary | undefined {
  if (found.length <= 1) return found[0];
  const rank = (d: 'torch' | boolean) => (d === false ? 0 : d === 'torch' ? 1 : 2);
  const worst = found.reduce((a, b) => (rank(b.weightsOnlyDefault) < rank(a.weightsOnlyDefault) ? b : a));
  const since = found
    .map((f) => f.weightsOnlySince)
    .reduce((a, b) => (!a ? b : !b ? a : a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? a : b));
  return {
    ...worst,
    wraps: [...new Set(found.map((f) => f.wraps))].join(' and '),
    weightsOnlySince: since,
    returnsLoaded: found.every((f) => f.returnsLoaded),
  };
}

/** The `weights_only` entry of a local options dict the load unpacks (not the wrapper's own `**kwargs`). */
function optionsEntry(load: LoadCall, kwargsParam: string | undefined, scopes: FileScopes): Node | undefined {
  for (const splat of load.args.list?.namedChildren ?? []) {
    const dict = splat?.type === 'dictionary_splat' ? splat.namedChild(0) : null;
    if (!dict || dict.text === kwargsParam) continue;
    const entry = dictKey(dict, 'weights_only', scopes);
    if (entry.state === 'value') return entry.node;
  }
  return undefined;
}

/**
 * The calls of a function body that are returned as they are (`return torch.load(...)`, through parentheses only:
 * their closest ancestor other than a parenthesized expression is a return statement), by node id. Found from the
 * return statements down, so that no parent table of the whole tree is built for a wrapper's summary.
 */
function returnedCalls(body: Node): Set<number> {
  const ids = new Set<number>();
  const stack: Node[] = [];
  for (const ret of body.descendantsOfType('return_statement')) if (ret) stack.push(...namedChildren(ret));
  // an explicit stack: `return ((((…))))` may nest thousands deep
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'call') ids.add(node.id);
    else if (node.type === 'parenthesized_expression') stack.push(...namedChildren(node));
  }
  return ids;
}

/** `kwargs.pop("weights_only", D)` / `kwargs.get("weights_only", D)`: the default D, else undefined. */
function kwargsRead(value: Node, kwargs: string | undefined): 'torch' | boolean | undefined {
  const v = unparen(value);
  const object = v.type === 'call' ? v.childForFieldName('function')?.childForFieldName('object') : null;
  if (!kwargs || object?.text !== kwargs || !['pop', 'get'].includes(methodName(v) ?? '')) return undefined;
  const args = callArguments(v).positional;
  if (stringValue(args[0] ?? v) !== 'weights_only') return undefined;
  return args[1] ? literalDefault(args[1]) : 'torch';
}

/** `if wo is None: wo = C` — the assignment sits under an `if` that tests the name against None. */
function replacedWhenNone(assignment: { node: Node }, name: string): boolean {
  const test = closestAncestor(assignment.node, ['if_statement', 'function_definition']);
  if (test?.type !== 'if_statement') return false;
  const condition = test.childForFieldName('condition')?.text.replace(/\s+/g, ' ') ?? '';
  return condition === `${name} is None` || condition === `not ${name}`;
}

/** `False` / `True` / `None` (torch decides) as a default; anything else counts as torch's default. */
function literalDefault(value: Node): 'torch' | boolean {
  const v = unparen(value);
  return v.type === 'false' ? false : v.type === 'true' ? true : 'torch';
}

/**
 * What a wrapper writes into its `**kwargs` for weights_only: `setdefault` gives a default; item assignment or
 * `update` outside a test for the key forces the value whatever the caller passed.
 */
function kwargsWrite(body: Node, kwargs: string): { value: 'torch' | boolean; forced: boolean } | undefined {
  for (const node of body.descendantsOfType(['call', 'assignment'])) {
    if (!node) continue;
    if (node.type === 'call') {
      const object = node.childForFieldName('function')?.childForFieldName('object');
      if (object?.text !== kwargs) continue;
      const args = callArguments(node);
      if (
        methodName(node) === 'setdefault' &&
        stringValue(args.positional[0] ?? node) === 'weights_only' &&
        args.positional[1]
      ) {
        return { value: literalDefault(args.positional[1]), forced: false };
      }
      if (methodName(node) === 'update') {
        const keyword = args.keywords.get('weights_only')?.childForFieldName('value');
        const pair =
          args.positional[0] && unparen(args.positional[0]).type === 'dictionary'
            ? namedChildren(unparen(args.positional[0])).find(
                (p) => p.type === 'pair' && stringValue(p.childForFieldName('key') ?? p) === 'weights_only',
              )
            : undefined;
        const value = keyword ?? pair?.childForFieldName('value');
        if (value) return { value: literalDefault(value), forced: !guardedByKeyTest(node) };
      }
    }
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (
        left?.type === 'subscript' &&
        left.childForFieldName('value')?.text === kwargs &&
        stringValue(left.childForFieldName('subscript') ?? left) === 'weights_only' &&
        right
      ) {
        return { value: literalDefault(right), forced: !guardedByKeyTest(node) };
      }
    }
  }
  return undefined;
}

/** Under `if "weights_only" not in kwargs:` (or `kwargs.get("weights_only") is None`): a default, not a force. */
function guardedByKeyTest(node: Node): boolean {
  const types = ['if_statement', 'function_definition'];
  for (let p = closestAncestor(node, types); p?.type === 'if_statement'; p = closestAncestor(p, types))
    if (/weights_only/.test(p.childForFieldName('condition')?.text ?? '')) return true;
  return false;
}

/** The parameter of `fn` that the path expression comes from: `p`, `open(p)`, `io.BytesIO(p)`, `x = p` … */
function parameterOf(expr: Node, fn: Node, scopes: FileScopes, depth = 0): string | undefined {
  if (depth > MAX_PATH_DEPTH) return undefined;
  const node = unparen(expr);
  if (node.type === 'identifier') {
    for (const binding of scopes.bindingsOf(node) ?? []) {
      if (binding.kind === 'param' && binding.scope.node.id === fn.id) return binding.name;
      if ((binding.kind === 'assign' || binding.kind === 'with') && binding.value) {
        const found = parameterOf(binding.value, fn, scopes, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
  if (node.type === 'call') {
    // openers and path builders: open(p), fsspec.open(f"filecache::{p}"), io.BytesIO(p), Path(p), os.path.join(p, …)
    const callee = node.childForFieldName('function');
    const name = callee ? (scopes.qualifiedName(callee) ?? callee.text) : '';
    if (/(^|\.)(open|BytesIO|str|fspath|Path|join|expanduser|abspath)$/.test(name)) {
      for (const arg of callArguments(node).positional) {
        const found = parameterOf(arg, fn, scopes, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
  if (node.type === 'string') {
    for (const part of namedChildren(node)) {
      const inner = part.type === 'interpolation' ? part.namedChild(0) : null;
      const found = inner && parameterOf(inner, fn, scopes, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (node.type === 'conditional_expression') {
    for (const branch of [namedChildren(node)[0], namedChildren(node)[2]]) {
      const found = branch && parameterOf(branch, fn, scopes, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (node.type === 'binary_operator') {
    return (
      parameterOf(node.childForFieldName('left') ?? node, fn, scopes, depth + 1) ??
      parameterOf(node.childForFieldName('right') ?? node, fn, scopes, depth + 1)
    );
  }
  return undefined;
}

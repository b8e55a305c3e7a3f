/**
 * Untrusted sources, followed within one function: does a path or file object come from the command line, the
 * environment, user input or a download? Used to raise `weights_only=False` to an error.
 */
import type { Node } from '../syntax/parse';
import { argumentValue, callArguments, methodName, namedChildren, stringValue, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';

/** How many assignments, calls and string operations an untrusted value is followed through. */
const MAX_TAINT_DEPTH = 12;

/** Where untrusted data enters: a description for messages and the node whose line the message names. */
export interface UntrustedSource {
  description: string;
  node: Node;
}

const URL_PREFIX = /^(https?|ftp|s3|gs|hf):\/\//i;

/** Calls whose result is downloaded or user-supplied data (or a path to it). */
const SOURCE_CALLS: ReadonlyMap<string, string> = new Map([
  ['os.getenv', 'an environment variable (os.getenv)'],
  ['os.environ.get', 'an environment variable (os.environ.get)'],
  ['builtins.input', 'user input (input())'],
  ['huggingface_hub.hf_hub_download', 'a download (hf_hub_download)'],
  ['huggingface_hub.snapshot_download', 'a download (snapshot_download)'],
  ['urllib.request.urlretrieve', 'a download (urlretrieve)'],
  ['urllib.request.urlopen', 'a download (urlopen)'],
  ['requests.get', 'a download (requests.get)'],
  ['requests.post', 'a download (requests.post)'],
  ['gdown.download', 'a download (gdown.download)'],
  ['wget.download', 'a download (wget.download)'],
]);

/** Calls that download to a path given as an argument: (position, keyword) of that path. */
const DOWNLOAD_TO: ReadonlyMap<string, [number, string]> = new Map([
  ['torch.hub.download_url_to_file', [1, 'dst']],
  ['urllib.request.urlretrieve', [1, 'filename']],
  ['gdown.download', [1, 'output']],
  ['wget.download', [1, 'out']],
]);

/** Calls that return data derived from their arguments (paths, file objects, buffers). */
const PROPAGATING_CALLS = new Set([
  'os.path.join',
  'os.path.abspath',
  'os.path.expanduser',
  'os.path.realpath',
  'os.path.normpath',
  'os.fspath',
  'pathlib.Path',
  'pathlib.PurePath',
  'builtins.str',
  'builtins.open',
  'builtins.vars',
  'io.BytesIO',
  'io.open',
]);
/** Methods whose result is derived from their object and arguments. */
const PROPAGATING_METHODS = new Set([
  'format',
  'joinpath',
  'resolve',
  'expanduser',
  'absolute',
  'read',
  'read_bytes',
  'strip',
  'replace',
]);
const ARGPARSE_NAMESPACE = 'the command-line arguments (argparse)';
/** Attributes of a Django/DRF view's `request` parameter that hold client data. */
const REQUEST_DATA = new Set([
  'FILES',
  'body',
  'POST',
  'GET',
  'data',
  'stream',
  'files',
  'form',
  'args',
  'json',
  'values',
]);

/**
 * The untrusted source `expr` derives from, or undefined when none is visible in this file. Follows assignments,
 * `with … as`, f-strings, `+`/`%`/`/`, `os.path.join`, `pathlib.Path`, `open()`, `io.BytesIO()` and `.format()`.
 * Function parameters are not sources here (that needs call-site analysis).
 */
export function untrustedSource(expr: Node, scopes: FileScopes): UntrustedSource | undefined {
  return trace(expr, scopes, 0, new Set(), 1);
}

/** `calls`: how many function boundaries of this file may still be crossed (arguments in, return values out). */
function trace(
  expr: Node,
  scopes: FileScopes,
  depth: number,
  seen: Set<Binding>,
  calls: number,
): UntrustedSource | undefined {
  if (depth > MAX_TAINT_DEPTH) return undefined;
  const node = unparen(expr);
  const next = (n: Node | null | undefined, callsLeft = calls) =>
    n ? trace(n, scopes, depth + 1, seen, callsLeft) : undefined;
  const first = (nodes: (Node | null | undefined)[]) => {
    for (const n of nodes) {
      const found = next(n);
      if (found) return found;
    }
    return undefined;
  };

  switch (node.type) {
    case 'string': {
      const literal = stringValue(node);
      if (literal !== undefined)
        return URL_PREFIX.test(literal) ? { description: `the URL ${JSON.stringify(literal)}`, node } : undefined;
      const content = namedChildren(node).find((c) => c.type === 'string_content');
      if (content && content.startIndex === (node.namedChild(0)?.endIndex ?? -1) && URL_PREFIX.test(content.text)) {
        return { description: `a URL (${node.text})`, node };
      }
      return first(
        namedChildren(node)
          .filter((c) => c.type === 'interpolation')
          .map((c) => c.namedChild(0)),
      );
    }
    case 'concatenated_string':
      return first(namedChildren(node));
    case 'binary_operator':
      return first([node.childForFieldName('left'), node.childForFieldName('right')]);
    case 'conditional_expression':
      return first(namedChildren(node).slice(0, 1).concat(namedChildren(node).slice(2)));
    case 'subscript': {
      const value = node.childForFieldName('value');
      if (value && scopes.qualifiedName(value) === 'os.environ')
        return { description: `an environment variable (${node.text})`, node };
      return next(value);
    }
    case 'await':
      return next(node.namedChild(0));
    case 'attribute': {
      const name = scopes.qualifiedName(node);
      if (name === 'sys.argv') return { description: 'the command line (sys.argv)', node };
      if (name?.startsWith('flask.request.')) return { description: `HTTP request data (${node.text})`, node };
      const attr0 = node.childForFieldName('attribute')?.text ?? '';
      const base = node.childForFieldName('object');
      if (
        base?.type === 'identifier' &&
        base.text === 'request' &&
        REQUEST_DATA.has(attr0) &&
        scopes.bindingsOf(base)?.some((b) => b.kind === 'param')
      ) {
        return { description: `HTTP request data (${node.text})`, node };
      }
      const object = node.childForFieldName('object');
      const namespace = object && argparseNamespace(object, scopes);
      if (namespace)
        return { description: `the command-line argument \`${node.text}\` from argparse`, node: namespace };
      // an attribute of untrusted data is untrusted (`response.content`, `cfg.path`, a namespace passed in as `args`)
      const inner = next(object);
      if (inner?.description === ARGPARSE_NAMESPACE)
        return { description: `the command-line argument \`${node.text}\` from argparse`, node: inner.node };
      return inner;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const name = callee ? scopes.qualifiedName(callee) : undefined;
      const source = name !== undefined ? SOURCE_CALLS.get(name) : undefined;
      if (source) return { description: source, node };
      // vars(args)[...], main(parser.parse_args())
      if (isParseArgs(node)) return { description: ARGPARSE_NAMESPACE, node };
      if (name?.startsWith('flask.request.')) return { description: `HTTP request data (${node.text})`, node };
      // a function of this file: what it returns
      if (calls > 0 && callee?.type === 'identifier') {
        const fn = localFunction(callee, scopes);
        if (fn) {
          for (const ret of fn.descendantsOfType('return_statement')) {
            const found = ret?.namedChild(0) ? next(ret.namedChild(0), calls - 1) : undefined;
            if (found) return found;
          }
        }
      }
      const args = callArguments(node);
      const argValues = [...args.positional, ...[...args.keywords.values()].map((k) => k.childForFieldName('value'))];
      if (name !== undefined && PROPAGATING_CALLS.has(name)) return first(argValues);
      const method = methodName(node);
      if (method && PROPAGATING_METHODS.has(method)) return first([callee?.childForFieldName('object'), ...argValues]);
      return undefined;
    }
    case 'identifier': {
      if (scopes.qualifiedName(node) === 'sys.argv') return { description: 'the command line (sys.argv)', node }; // from sys import argv
      const bindings = scopes.bindingsOf(node) ?? [];
      for (const binding of bindings) {
        if (seen.has(binding)) continue;
        seen.add(binding);
        if (binding.kind === 'param') {
          const found = parameterSource(binding, scopes, calls, (arg) => next(arg, calls - 1));
          if (found) return found;
          continue;
        }
        if (!binding.value || !['assign', 'unpack', 'with', 'iterate'].includes(binding.kind)) continue;
        const found = next(binding.value);
        if (found) return found;
      }
      return bindings[0] ? downloadedTo(bindings[0], scopes) : undefined;
    }
    default:
      return undefined;
  }
}

/** The def of this file that a called identifier names (one binding, a `def`), else undefined. */
function localFunction(callee: Node, scopes: FileScopes): Node | undefined {
  const bindings = scopes.bindingsOf(callee);
  return bindings?.length === 1 && bindings[0].kind === 'def' ? bindings[0].node : undefined;
}

/**
 * A parameter is a source when its function is a click/typer command (the framework fills it from the command
 * line), a FastAPI upload (`UploadFile`, `File(...)`), or — one call level deep — when a call of the function in this
 * file passes untrusted data for it.
 */
function parameterSource(
  param: Binding,
  scopes: FileScopes,
  calls: number,
  traceArg: (arg: Node) => UntrustedSource | undefined,
): UntrustedSource | undefined {
  const fn = param.scope.node;
  if (fn.type !== 'function_definition') return undefined;
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  for (const decorator of decorated?.namedChildren.filter((c) => c?.type === 'decorator') ?? []) {
    if (decorator && isCliDecorator(decorator, scopes))
      return {
        description: `the command-line parameter \`${param.name}\` (${decoratorName(decorator)})`,
        node: param.node,
      };
  }
  const annotation = param.annotation
    ? scopes.qualifiedName(unparen(param.annotation.namedChild(0) ?? param.annotation))
    : undefined;
  const defaultValue = param.node.parent?.childForFieldName('value');
  const defaultCall =
    defaultValue?.type === 'call'
      ? scopes.qualifiedName(defaultValue.childForFieldName('function') ?? defaultValue)
      : undefined;
  if (annotation?.endsWith('.UploadFile') || defaultCall === 'fastapi.File' || defaultCall === 'fastapi.Form') {
    return { description: `an uploaded file (parameter \`${param.name}\`)`, node: param.node };
  }
  if (calls <= 0) return undefined;
  // call sites of this function in the file: `f(x)` or `f(name=x)`
  const nameNode = fn.childForFieldName('name');
  const params = namedChildren(fn.childForFieldName('parameters') ?? fn);
  const index = params.findIndex(
    (p) =>
      p.id === param.node.id ||
      p.namedChildren.some((c) => c?.id === param.node.id) ||
      p.childForFieldName('name')?.id === param.node.id,
  );
  if (!nameNode || index < 0) return undefined;
  const defBinding = scopes.lookup(nameNode.text, scopes.scopeOf(fn))?.find((b) => b.node.id === fn.id);
  if (!defBinding) return undefined;
  for (const ref of scopes.references(defBinding)) {
    const call = ref.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== ref.id) continue;
    const arg = argumentValue(callArguments(call), index, param.name);
    const found = arg && traceArg(arg);
    if (found) return found;
  }
  return undefined;
}

function decoratorName(decorator: Node): string {
  return decorator.text.replace(/^@/, '').replace(/\(.*$/s, '');
}

/** `@click.command()`, `@click.option(...)`, `@app.command()` on a `typer.Typer()` or `click.group()` object. */
function isCliDecorator(decorator: Node, scopes: FileScopes): boolean {
  let expr = decorator.namedChild(0);
  if (expr?.type === 'call') expr = expr.childForFieldName('function');
  if (!expr) return false;
  const name = scopes.qualifiedName(expr);
  if (name && (name.startsWith('click.') || name.startsWith('typer.'))) return true;
  if (expr.type !== 'attribute' || !['command', 'callback'].includes(expr.childForFieldName('attribute')?.text ?? ''))
    return false;
  const object = expr.childForFieldName('object');
  for (const binding of (object?.type === 'identifier' ? scopes.bindingsOf(object) : undefined) ?? []) {
    const value = binding.kind === 'assign' && binding.value ? unparen(binding.value) : undefined;
    const maker =
      value?.type === 'call' ? scopes.qualifiedName(value.childForFieldName('function') ?? value) : undefined;
    if (maker && (maker.startsWith('typer.') || maker.startsWith('click.'))) return true;
  }
  return false;
}

/** A name that a download call writes to (`torch.hub.download_url_to_file(url, dst)`) elsewhere in its scope. */
function downloadedTo(binding: Binding, scopes: FileScopes): UntrustedSource | undefined {
  for (const ref of scopes.references(binding)) {
    const list = ref.parent?.type === 'keyword_argument' ? ref.parent.parent : ref.parent;
    const call = list?.type === 'argument_list' ? list.parent : null;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const name = callee ? scopes.qualifiedName(callee) : undefined;
    const target = name ? DOWNLOAD_TO.get(name) : undefined;
    if (!call || !target) continue;
    if (argumentValue(callArguments(call), target[0], target[1])?.id === ref.id) {
      return { description: `a download (${name!.split('.').pop()})`, node: call };
    }
  }
  return undefined;
}

/** If `expr` is an argparse namespace (`parser.parse_args()` or a name bound to it), the parse_args call. */
function argparseNamespace(expr: Node, scopes: FileScopes): Node | undefined {
  const node = unparen(expr);
  if (node.type === 'call') return isParseArgs(node) ? node : undefined;
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    return value && value.type === 'call' && methodName(value) === 'parse_known_args' ? value : undefined;
  }
  if (node.type !== 'identifier') return undefined;
  for (const binding of scopes.bindingsOf(node) ?? []) {
    // `args = parser.parse_args()`, or `args, rest = parser.parse_known_args()`
    const value =
      (binding.kind === 'assign' || binding.kind === 'unpack') && binding.value ? unparen(binding.value) : undefined;
    if (value && (isParseArgs(value) || (value.type === 'subscript' && argparseNamespace(value, scopes)))) return value;
  }
  return undefined;
}

function isParseArgs(call: Node): boolean {
  return call.type === 'call' && ['parse_args', 'parse_known_args'].includes(methodName(call) ?? '');
}

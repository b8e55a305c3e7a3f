/**
 * Untrusted sources, followed within one function: does a path or file object come from the command line, the
 * environment, user input or a download? Used to raise `weights_only=False` to an error.
 */
import type { Node } from './parse';
import { callArguments, methodName, namedChildren, stringValue, unparen } from './python';
import type { Binding, FileScopes } from './scope';

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
]);

/** Calls that return data derived from their arguments (paths, file objects, buffers). */
const PROPAGATING_CALLS = new Set([
  'os.path.join', 'os.path.abspath', 'os.path.expanduser', 'os.path.realpath', 'os.path.normpath', 'os.fspath',
  'pathlib.Path', 'pathlib.PurePath', 'builtins.str', 'builtins.open', 'builtins.vars', 'io.BytesIO', 'io.open',
]);
/** Methods whose result is derived from their object and arguments. */
const PROPAGATING_METHODS = new Set(['format', 'joinpath', 'resolve', 'expanduser', 'absolute', 'read', 'read_bytes', 'strip', 'replace']);
/** Attributes of a response object that hold its body. */
const BODY_ATTRIBUTES = new Set(['content', 'raw', 'text', 'body']);

/**
 * The untrusted source `expr` derives from, or undefined when none is visible in this file. Follows assignments,
 * `with … as`, f-strings, `+`/`%`/`/`, `os.path.join`, `pathlib.Path`, `open()`, `io.BytesIO()` and `.format()`.
 * Function parameters are not sources here (that needs call-site analysis).
 */
export function untrustedSource(expr: Node, scopes: FileScopes): UntrustedSource | undefined {
  return trace(expr, scopes, 0, new Set());
}

function trace(expr: Node, scopes: FileScopes, depth: number, seen: Set<Binding>): UntrustedSource | undefined {
  if (depth > 12) return undefined;
  const node = unparen(expr);
  const next = (n: Node | null | undefined) => (n ? trace(n, scopes, depth + 1, seen) : undefined);
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
      if (literal !== undefined) return URL_PREFIX.test(literal) ? { description: `the URL ${JSON.stringify(literal)}`, node } : undefined;
      const content = namedChildren(node).find((c) => c.type === 'string_content');
      if (content && content.startIndex === (node.namedChild(0)?.endIndex ?? -1) && URL_PREFIX.test(content.text)) {
        return { description: `a URL (${node.text})`, node };
      }
      return first(namedChildren(node).filter((c) => c.type === 'interpolation').map((c) => c.namedChild(0)));
    }
    case 'concatenated_string':
      return first(namedChildren(node));
    case 'binary_operator':
      return first([node.childForFieldName('left'), node.childForFieldName('right')]);
    case 'conditional_expression':
      return first(namedChildren(node).slice(0, 1).concat(namedChildren(node).slice(2)));
    case 'subscript': {
      const value = node.childForFieldName('value');
      if (value && scopes.qualifiedName(value) === 'os.environ') return { description: `an environment variable (${node.text})`, node };
      return next(value);
    }
    case 'attribute': {
      const name = scopes.qualifiedName(node);
      if (name === 'sys.argv') return { description: 'the command line (sys.argv)', node };
      const object = node.childForFieldName('object');
      const namespace = object && argparseNamespace(object, scopes);
      if (namespace) return { description: `the command-line argument \`${node.text}\` from argparse`, node: namespace };
      const attr = node.childForFieldName('attribute')?.text ?? '';
      return BODY_ATTRIBUTES.has(attr) ? next(object) : undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const name = callee ? scopes.qualifiedName(callee) : undefined;
      const source = name !== undefined ? SOURCE_CALLS.get(name) : undefined;
      if (source) return { description: source, node };
      if (isParseArgs(node)) return { description: 'the command-line arguments (argparse)', node }; // vars(args)[...]
      const args = callArguments(node);
      const argValues = [...args.positional, ...[...args.keywords.values()].map((k) => k.childForFieldName('value'))];
      if (name !== undefined && PROPAGATING_CALLS.has(name)) return first(argValues);
      const method = methodName(node);
      if (method && PROPAGATING_METHODS.has(method)) return first([callee?.childForFieldName('object'), ...argValues]);
      return undefined;
    }
    case 'identifier': {
      if (scopes.qualifiedName(node) === 'sys.argv') return { description: 'the command line (sys.argv)', node }; // from sys import argv
      const bindings = scopes.bindingsOf(node);
      for (const binding of bindings ?? []) {
        if (seen.has(binding) || !binding.value || !['assign', 'unpack', 'with', 'iterate'].includes(binding.kind)) continue;
        seen.add(binding);
        const found = next(binding.value);
        if (found) return found;
      }
      return undefined;
    }
    default:
      return undefined;
  }
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
    const value = (binding.kind === 'assign' || binding.kind === 'unpack') && binding.value ? unparen(binding.value) : undefined;
    if (value && (isParseArgs(value) || (value.type === 'subscript' && argparseNamespace(value, scopes)))) return value;
  }
  return undefined;
}

function isParseArgs(call: Node): boolean {
  return call.type === 'call' && ['parse_args', 'parse_known_args'].includes(methodName(call) ?? '');
}

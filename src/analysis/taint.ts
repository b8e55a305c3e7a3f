/**
 * Untrusted sources, in one place: does a path, file object or buffer come from the command line, the environment,
 * user input, a download, an HTTP request or the network? Rules use it to raise a finding to an error and to name
 * the source (its node is the finding's related location). The analysis knows no rule.
 *
 * It follows one file, flow-insensitively: assignments, `with … as`, loops, f-strings and string operations, paths
 * (`os.path`, pathlib methods, `/`), listings of a folder (`glob`, `os.listdir`, `Path.glob`), buffers and containers
 * filled with untrusted data (`+=`, `.append`, `.write`), instance attributes (`self.path = …` in any method of the
 * class, `cfg.path` of an instance of a class of this file), and calls of this file up to {@link MAX_CALL_DEPTH}
 * boundaries (the parameters of a function called with untrusted data, the return values of a function that returns
 * it). Every query is bounded by {@link MAX_TRACE_STEPS}, so a file costs at most linear time per query.
 */
import { type Node, parentOf } from '../syntax/parse';
import {
  argumentValue,
  callArguments,
  descendants,
  methodName,
  namedChildren,
  stringValue,
  unparen,
} from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';
import {
  classBinding,
  classInfo,
  classOfInstance,
  classOfMethod,
  type ClassInfo,
  decoratorsOf,
  isStaticMethod,
  localClass,
  parameterNodes,
} from './classes';
import { checksumGuard } from './checksum';
import { handlerAttribute, networkReceiver, RECEIVE_METHODS, type Receiver, UNPICKLING_RECEIVES } from './network';
import {
  DOWNLOAD_TO,
  HTTP_SESSIONS,
  MUTATING_METHODS,
  OBJECT_METHODS,
  PROPAGATING_CALLS,
  PROPAGATING_METHODS,
  SESSION_METHODS,
  SOURCE_CALLS,
  type SourceKind,
  URL_PREFIX,
  WRITE_TO_PATH_METHODS,
} from './sources';
import { methodCallOn, storageOf } from './storage';
import { isRequestData, requestParameter } from './web';

export type { SourceKind } from './sources';

/** How many nested expressions (assignments, calls, string operations) one chain is followed through. */
const MAX_TAINT_DEPTH = 12;
/** How many function boundaries of this file a value is followed across (arguments in, return values out). */
const MAX_CALL_DEPTH = 3;
/** How many expressions one query may visit in all: the bound that keeps a file linear in its number of queries. */
const MAX_TRACE_STEPS = 2000;

/** Where untrusted data enters: a description for messages, the node whose line the message names, and its kind. */
export interface UntrustedSource {
  description: string;
  /** The source itself (`parser.parse_args()`, `sock.recv(4096)`, the parameter): SARIF's related location. */
  node: Node;
  kind: SourceKind;
}

/** One query's state: bindings and stored values already followed, steps taken, and the mode. */
interface Walk {
  scopes: FileScopes;
  seen: Set<Binding>;
  /** Node ids of stored values (`self.x = v`) and storages already followed. */
  visited: Set<number>;
  steps: number;
  /** Also through comparisons, `and`/`or`/`not` and any method: what a value *depends on* (see untrustedInfluence). */
  influence: boolean;
  /**
   * String URL literals are constants, not sources: when asking whether an expected checksum could be chosen by an
   * attacker (a digest cut from the pinned URL it verifies is the author's choice).
   */
  constantUrls?: boolean;
}

const ARGPARSE_NAMESPACE = 'the command-line arguments (argparse)';
/** Scopes whose `return` statements are not the enclosing function's. */
const NESTED_SCOPES = ['function_definition', 'class_definition', 'lambda'];

function newWalk(scopes: FileScopes, influence: boolean): Walk {
  return { scopes, seen: new Set(), visited: new Set(), steps: 0, influence };
}

/** The untrusted source `expr` derives from, or undefined when none is visible in this file. */
export function untrustedSource(expr: Node, scopes: FileScopes): UntrustedSource | undefined {
  return trace(newWalk(scopes, false), expr, 0, MAX_CALL_DEPTH);
}

/**
 * The untrusted source a value computed at run time depends on, also through comparisons and boolean operators:
 * `"v1" in args.kind`, `not args.safe`, `cfg.kind.startswith("legacy")`. For a flag such as `weights_only`, whose
 * value the attacker then chooses.
 */
export function untrustedInfluence(expr: Node, scopes: FileScopes): UntrustedSource | undefined {
  return trace(newWalk(scopes, true), expr, 0, MAX_CALL_DEPTH);
}

/** The method names of {@link UNPICKLING_RECEIVES}. */
const UNPICKLING_METHODS: ReadonlySet<string> = new Set(Object.values(UNPICKLING_RECEIVES));

/**
 * A receive call that itself unpickles data from the network: pyzmq `recv_pyobj()` on a ZeroMQ socket with a
 * network endpoint, multiprocessing `Connection.recv()` on an unauthenticated TCP connection (network.ts). The
 * source's node is the evidence (the endpoint, or the call that opened the connection).
 */
export function unpicklingReceive(call: Node, scopes: FileScopes): UntrustedSource | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text;
  // only these methods unpickle, whatever the receiver: the receiver is not traced for any other call
  if (method === undefined || !UNPICKLING_METHODS.has(method)) return undefined;
  const object = callee.childForFieldName('object');
  const receiver = object && networkReceiver(object, scopes);
  if (!receiver || UNPICKLING_RECEIVES[receiver.kind] !== method) return undefined;
  return { description: receiver.description, node: receiver.node, kind: 'network' };
}

/**
 * Sources as related locations of a finding (the engine's `related`: SARIF `relatedLocations`), each once, in order;
 * undefined entries are skipped.
 */
export function relatedSources(...sources: (UntrustedSource | undefined)[]): { node: Node; message: string }[] {
  const seen = new Set<number>();
  const out: { node: Node; message: string }[] = [];
  for (const source of sources) {
    if (!source || seen.has(source.node.id)) continue;
    seen.add(source.node.id);
    out.push({ node: source.node, message: `untrusted source: ${source.description}` });
  }
  return out;
}

function trace(walk: Walk, expr: Node, depth: number, calls: number): UntrustedSource | undefined {
  if (depth > MAX_TAINT_DEPTH || ++walk.steps > MAX_TRACE_STEPS) return undefined;
  const node = unparen(expr);
  const next = (n: Node | null | undefined, callsLeft = calls) =>
    n ? trace(walk, n, depth + 1, callsLeft) : undefined;
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
        return URL_PREFIX.test(literal) && !walk.constantUrls
          ? { description: `the URL ${JSON.stringify(literal)}`, node, kind: 'url' }
          : undefined;
      const content = namedChildren(node).find((c) => c.type === 'string_content');
      if (
        !walk.constantUrls &&
        content &&
        content.startIndex === (node.namedChild(0)?.endIndex ?? -1) &&
        URL_PREFIX.test(content.text)
      ) {
        return { description: `a URL (${node.text})`, node, kind: 'url' };
      }
      return first(
        namedChildren(node)
          .filter((c) => c.type === 'interpolation')
          .map((c) => c.namedChild(0)),
      );
    }
    case 'concatenated_string':
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list':
      return first(namedChildren(node));
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      // the element expression; its loop variables resolve to the `for … in` iterables
      return next(node.namedChild(0));
    case 'binary_operator':
      return first([node.childForFieldName('left'), node.childForFieldName('right')]);
    case 'conditional_expression':
      return first(namedChildren(node).slice(0, 1).concat(namedChildren(node).slice(2)));
    case 'boolean_operator': {
      // `args.ckpt or DEFAULT` is either operand; `a and b` is b, or a falsy a (no path)
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const or = node.childForFieldName('operator')?.type === 'or';
      return first(or || walk.influence ? [left, right] : [right]);
    }
    case 'comparison_operator':
    case 'not_operator':
      return walk.influence ? first(namedChildren(node)) : undefined;
    case 'subscript':
      return subscriptSource(walk, node, next);
    case 'await':
      return next(node.namedChild(0));
    case 'attribute':
      return attributeSource(walk, node, calls, next);
    case 'call':
      return callSource(walk, node, calls, next, first);
    case 'identifier':
      return identifierSource(walk, node, calls, next, first);
    default:
      return undefined;
  }
}

type Next = (n: Node | null | undefined, callsLeft?: number) => UntrustedSource | undefined;
type First = (nodes: (Node | null | undefined)[]) => UntrustedSource | undefined;

function subscriptSource(walk: Walk, node: Node, next: Next): UntrustedSource | undefined {
  const { scopes } = walk;
  const value = node.childForFieldName('value');
  if (value && scopes.qualifiedName(value) === 'os.environ')
    return { description: `an environment variable (${node.text})`, node, kind: 'environment' };
  // `cfg["ckpt"]` of a dict literal: only that key's value
  const key = stringValue(node.childForFieldName('subscript') ?? node);
  const bindings = value?.type === 'identifier' ? scopes.bindingsOf(value) : undefined;
  const dicts = bindings?.map((b) => (b.kind === 'assign' && b.value ? unparen(b.value) : undefined));
  if (key !== undefined && dicts?.length && dicts.every((d) => d?.type === 'dictionary')) {
    for (const dict of dicts) {
      for (const item of namedChildren(dict!)) {
        // `**other` may hold the key; a computed key may be it
        const k = item.type === 'pair' ? item.childForFieldName('key') : undefined;
        const text = k ? stringValue(k) : undefined;
        if (item.type === 'pair' && text !== undefined && text !== key) continue;
        const found = next(item.type === 'pair' ? item.childForFieldName('value') : item.namedChild(0));
        if (found) return found;
      }
    }
    // `cfg["ckpt"] = value` elsewhere in the scope
    for (const ref of scopes.references(bindings![0])) {
      const item = parentOf(ref);
      const assignment = item && parentOf(item);
      if (
        item?.type === 'subscript' &&
        item.childForFieldName('value')?.id === ref.id &&
        stringValue(item.childForFieldName('subscript') ?? item) === key &&
        assignment?.type === 'assignment' &&
        assignment.childForFieldName('left')?.id === item.id
      ) {
        const found = next(assignment.childForFieldName('right'));
        if (found) return found;
      }
    }
    return undefined;
  }
  return next(value);
}

function attributeSource(walk: Walk, node: Node, calls: number, next: Next): UntrustedSource | undefined {
  const { scopes } = walk;
  const name = scopes.qualifiedName(node);
  if (name === 'sys.argv') return { description: 'the command line (sys.argv)', node, kind: 'command-line' };
  if (name === 'sys.stdin' || name?.startsWith('sys.stdin.'))
    return { description: 'standard input (sys.stdin)', node, kind: 'user-input' };
  if (name?.startsWith('flask.request.'))
    return { description: `HTTP request data (${node.text})`, node, kind: 'http' };
  if (isRequestData(node, scopes)) return { description: `HTTP request data (${node.text})`, node, kind: 'http' };
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute')?.text ?? '';
  // `pickle.load(self.rfile)` in a request handler: the client's stream itself
  const handler = attr === 'rfile' ? handlerAttribute(node, scopes) : undefined;
  if (handler)
    return handler.kind === 'http'
      ? { description: `HTTP request data (\`${node.text}\` of ${handler.description})`, node, kind: 'http' }
      : { description: `the network (\`${node.text}\` of ${handler.description})`, node, kind: 'network' };
  const namespace = object && argparseNamespace(object, scopes);
  if (namespace)
    return {
      description: `the command-line argument \`${node.text}\` from argparse`,
      node: namespace,
      kind: 'command-line',
    };
  if (!object) return undefined;
  // the outermost attribute names the argument: `self.args.ckpt`, not `self.args`
  const parent = parentOf(node);
  const grand = parent && parentOf(parent);
  const outer =
    parent?.type === 'attribute' &&
    parent.childForFieldName('object')?.id === node.id &&
    !(grand?.type === 'call' && grand.childForFieldName('function')?.id === parent.id);
  const fromArgparse = (found: UntrustedSource | undefined) =>
    found?.description === ARGPARSE_NAMESPACE && !outer
      ? { ...found, description: `the command-line argument \`${node.text}\` from argparse` }
      : found;
  // `self.path`: what the class's methods assign to it
  const own = classOfInstance(object, scopes);
  if (own) return fromArgparse(storedIn(walk, own, attr, next));
  // `cfg.path` of `cfg = Config(args.ckpt)`, a class of this file
  const instance = constructedFrom(object, scopes);
  if (instance) return fromArgparse(instanceAttribute(walk, instance, attr, next));
  // an attribute of untrusted data is untrusted (`response.content`, a namespace passed in as `args`)
  return fromArgparse(next(object, calls));
}

/** What a class stores in `attr`: `self.attr = v` in its methods, `attr = v` in its body. */
function storedIn(walk: Walk, info: ClassInfo, attr: string, next: Next): UntrustedSource | undefined {
  for (const value of info.assigned.get(attr) ?? []) {
    if (walk.visited.has(value.id)) continue;
    walk.visited.add(value.id);
    const found = next(value);
    if (found) return found;
  }
  return undefined;
}

/** An identifier bound only to calls of one class of this file, with those calls. */
function constructedFrom(object: Node, scopes: FileScopes): { info: ClassInfo; calls: Node[] } | undefined {
  const node = unparen(object);
  if (node.type !== 'identifier') return undefined;
  const bindings = scopes.bindingsOf(node);
  if (!bindings?.length) return undefined;
  let info: ClassInfo | undefined;
  const calls: Node[] = [];
  for (const binding of bindings) {
    const value = binding.kind === 'assign' && binding.value ? unparen(binding.value) : undefined;
    const callee = value?.type === 'call' ? value.childForFieldName('function') : undefined;
    const cls = callee ? localClass(callee, scopes) : undefined;
    if (!cls || (info && info !== cls)) return undefined;
    info = cls;
    calls.push(value!);
  }
  return info && { info, calls };
}

/**
 * `cfg.path` where `cfg = Config(...)`: a dataclass or NamedTuple field is the constructor's argument for it;
 * otherwise what the class stores in `path` (an `__init__` parameter leads to the constructor calls).
 */
function instanceAttribute(
  walk: Walk,
  instance: { info: ClassInfo; calls: Node[] },
  attr: string,
  next: Next,
): UntrustedSource | undefined {
  const index = instance.info.fields?.indexOf(attr) ?? -1;
  if (index >= 0) {
    for (const call of instance.calls) {
      const found = next(argumentValue(callArguments(call), index, attr));
      if (found) return found;
    }
    return undefined;
  }
  return storedIn(walk, instance.info, attr, next);
}

/**
 * The qualified name of what a call calls, also through `functools.partial`: `dl = partial(hf_hub_download, ...)`, and
 * the rebinding `hf_hub_download = partial(hf_hub_download, library_name="x")` next to its import, call the function
 * they bind. Undefined when the bindings disagree or one is anything else.
 */
function calleeName(callee: Node, scopes: FileScopes): string | undefined {
  const direct = scopes.qualifiedName(callee);
  if (direct !== undefined || callee.type !== 'identifier') return direct;
  let found: string | undefined;
  for (const binding of scopes.bindingsOf(callee) ?? []) {
    let name: string | undefined;
    if (binding.kind === 'import') name = binding.qualname;
    else if (binding.kind === 'assign' && binding.value) {
      const value = unparen(binding.value);
      const fn = value.type === 'call' ? value.childForFieldName('function') : null;
      const bound = fn && scopes.qualifiedName(fn) === 'functools.partial' ? callArguments(value).positional[0] : null;
      if (!bound) return undefined;
      if (bound.type === 'identifier' && bound.text === callee.text) continue; // `f = partial(f, ...)`
      name = scopes.qualifiedName(bound);
    }
    if (name === undefined || (found !== undefined && found !== name)) return undefined;
    found = name;
  }
  return found;
}

function callSource(walk: Walk, node: Node, calls: number, next: Next, first: First): UntrustedSource | undefined {
  const { scopes } = walk;
  const callee = node.childForFieldName('function');
  const name = callee ? calleeName(callee, scopes) : undefined;
  const source = name !== undefined ? SOURCE_CALLS.get(name) : undefined;
  if (source) return { description: source[0], node, kind: source[1] };
  // vars(args)[...], main(parser.parse_args())
  if (isParseArgs(node)) return { description: ARGPARSE_NAMESPACE, node, kind: 'command-line' };
  if (name?.startsWith('flask.request.') || name?.startsWith('sys.stdin.'))
    return name.startsWith('sys.')
      ? { description: 'standard input (sys.stdin)', node, kind: 'user-input' }
      : { description: `HTTP request data (${node.text})`, node, kind: 'http' };
  const method = methodName(node);
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  // `await request.body()`, `request.get_data()` on a request parameter
  if (callee?.type === 'attribute' && isRequestData(callee, scopes))
    return { description: `HTTP request data (${node.text})`, node, kind: 'http' };
  if (object && method) {
    const received = receiveSource(object, method, node, scopes);
    if (received) return received;
    // `sock.makefile("rb")` of a network socket: a stream of what the peer sends
    const socket = method === 'makefile' ? networkReceiver(object, scopes) : undefined;
    if (socket?.kind === 'socket')
      return { description: `the network (\`${callee!.text}()\` of ${socket.description})`, node, kind: 'network' };
    if (SESSION_METHODS.has(method) && isHttpSession(object, scopes))
      return { description: `a download (${callee!.text})`, node, kind: 'download' };
  }
  // a function or method of this file: what it returns
  if (calls > 0 && callee) {
    const fn = localFunction(callee, scopes);
    if (fn) {
      for (const value of returnValues(fn)) {
        const found = next(value, calls - 1);
        if (found) return found;
      }
    }
  }
  const args = callArguments(node);
  const argValues = [...args.positional, ...[...args.keywords.values()].map((k) => k.childForFieldName('value'))];
  if (name !== undefined && PROPAGATING_CALLS.has(name)) return first(argValues);
  if (method && PROPAGATING_METHODS.has(method)) return first([object, ...argValues]);
  if (method && OBJECT_METHODS.has(method)) return next(object);
  if (walk.influence) return first([object, ...argValues]); // `args.kind.startswith("v1")`, `bool(args.x)`
  return undefined;
}

/** `object.method(...)` on a network receiver: what its peer sent. */
function receiveSource(object: Node, method: string, call: Node, scopes: FileScopes): UntrustedSource | undefined {
  const isReceive = Object.values(RECEIVE_METHODS).some((methods) => methods.has(method));
  const receiver: Receiver | undefined = isReceive ? networkReceiver(object, scopes) : undefined;
  if (!receiver || !RECEIVE_METHODS[receiver.kind].has(method)) return undefined;
  const what = `\`${object.text}.${method}()\` on ${receiver.description}`;
  return receiver.kind === 'http'
    ? { description: `HTTP request data (${what})`, node: call, kind: 'http' }
    : { description: `the network (${what})`, node: call, kind: 'network' };
}

/** `session` bound to `requests.Session()`, `httpx.Client()`… (or used as `with requests.Session() as session`). */
function isHttpSession(object: Node, scopes: FileScopes): boolean {
  const values = storageOf(object, scopes)?.values ?? [];
  return values.some((v) => {
    const value = unparen(v);
    const maker =
      value.type === 'call' ? scopes.qualifiedName(value.childForFieldName('function') ?? value) : undefined;
    return maker !== undefined && HTTP_SESSIONS.has(maker);
  });
}

function identifierSource(
  walk: Walk,
  node: Node,
  calls: number,
  next: Next,
  first: First,
): UntrustedSource | undefined {
  const { scopes } = walk;
  // a file (or buffer) checked against a digest nobody else chose is the one its author pinned (checksum.ts)
  const expected = checksumGuard(node, scopes);
  if (expected && !trace({ ...newWalk(scopes, true), constantUrls: true }, expected, 0, MAX_CALL_DEPTH))
    return undefined;
  if (scopes.qualifiedName(node) === 'sys.argv')
    return { description: 'the command line (sys.argv)', node, kind: 'command-line' }; // from sys import argv
  const bindings = scopes.bindingsOf(node) ?? [];
  for (const binding of bindings) {
    if (walk.seen.has(binding)) continue;
    walk.seen.add(binding);
    if (binding.kind === 'param') {
      const found = parameterSource(walk, binding, calls, next);
      if (found) return found;
      continue;
    }
    // `data += chunk`
    const augmented = parentOf(binding.node);
    if (binding.kind === 'other' && augmented?.type === 'augmented_assignment') {
      if (augmented.childForFieldName('left')?.id === binding.node.id) {
        const found = next(augmented.childForFieldName('right'));
        if (found) return found;
      }
      continue;
    }
    if (!binding.value || !['assign', 'unpack', 'with', 'iterate'].includes(binding.kind)) continue;
    // `a, b = x, y` and `a, b = f()` where f returns pairs: only the matching element
    const elements = binding.kind === 'unpack' ? unpackedElements(binding, scopes, calls) : undefined;
    const found = elements
      ? (first(elements.direct) ??
        elements.returned.reduce<UntrustedSource | undefined>((f, e) => f ?? next(e, calls - 1), undefined))
      : next(binding.value);
    if (found) return found;
  }
  if (!bindings[0] || walk.visited.has(bindings[0].node.id)) return undefined;
  walk.visited.add(bindings[0].node.id);
  return filledWith(walk, bindings[0], first) ?? downloadedTo(walk, bindings[0], first);
}

const SEQUENCES = new Set(['tuple', 'list', 'expression_list', 'pattern_list']);

/** The elements of a literal sequence of exactly `length` items, without splats; else undefined. */
function sequenceItems(expr: Node, length: number): Node[] | undefined {
  const node = unparen(expr);
  if (!SEQUENCES.has(node.type)) return undefined;
  const items = namedChildren(node);
  return items.length === length && !items.some((i) => i.type === 'list_splat') ? items : undefined;
}

/**
 * For `a, b = value`, the expressions `a` takes when that is visible: the matching element of a literal
 * (`a, b = x, y`), or of every tuple a function of this file returns (`a, b = f()`, crossing one call). Undefined when
 * the shape is not visible (`conn, addr = sock.accept()`): then the whole value is followed.
 */
function unpackedElements(
  binding: Binding,
  scopes: FileScopes,
  calls: number,
): { direct: Node[]; returned: Node[] } | undefined {
  const pattern = parentOf(binding.node);
  if (!pattern || !['pattern_list', 'tuple_pattern', 'list_pattern'].includes(pattern.type) || !binding.value)
    return undefined;
  const parts = namedChildren(pattern);
  const index = parts.findIndex((p) => p.id === binding.node.id);
  if (index < 0 || parts.some((p) => p.type === 'list_splat_pattern')) return undefined;
  const literal = sequenceItems(binding.value, parts.length);
  if (literal) return { direct: [literal[index]], returned: [] };
  const value = unparen(binding.value);
  const callee = value.type === 'call' ? value.childForFieldName('function') : undefined;
  const fn = callee ? localFunction(callee, scopes) : undefined;
  if (!fn || calls <= 0) return undefined;
  const returned: Node[] = [];
  for (const ret of returnValues(fn)) {
    const items = sequenceItems(ret, parts.length);
    if (!items) return undefined;
    returned.push(items[index]);
  }
  return returned.length ? { direct: [], returned } : undefined;
}

/**
 * A container or buffer filled with untrusted data elsewhere in its scope: `chunks.append(data)`,
 * `buf.write(data)`, `sock.recv_into(buf)` on a network socket.
 */
function filledWith(walk: Walk, binding: Binding, first: First): UntrustedSource | undefined {
  const { scopes } = walk;
  for (const ref of scopes.references(binding)) {
    const use = methodCallOn(ref);
    if (use && MUTATING_METHODS.has(use.method)) {
      const found = first(callArguments(use.call).positional);
      if (found) return found;
      continue;
    }
    // `sock.recv_into(buf)`
    const list = parentOf(ref);
    const call = list?.type === 'argument_list' ? parentOf(list) : undefined;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    if (
      callee?.type === 'attribute' &&
      ['recv_into', 'recvfrom_into', 'recv_bytes_into'].includes(methodName(call!) ?? '')
    ) {
      const object = callee.childForFieldName('object');
      const receiver = object && networkReceiver(object, scopes);
      if (receiver)
        return {
          description: `the network (\`${callee.text}()\` on ${receiver.description})`,
          node: call!,
          kind: 'network',
        };
    }
  }
  return undefined;
}

/** The def of this file a callee names: `f` (one binding, a `def`), `self.m` in a class, `obj.m` of a local class. */
function localFunction(callee: Node, scopes: FileScopes): Node | undefined {
  const node = unparen(callee);
  if (node.type === 'identifier') {
    const bindings = scopes.bindingsOf(node);
    return bindings?.length === 1 && bindings[0].kind === 'def' ? bindings[0].node : undefined;
  }
  if (node.type !== 'attribute') return undefined;
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute')?.text ?? '';
  const info = object ? (classOfInstance(object, scopes) ?? constructedFrom(object, scopes)?.info) : undefined;
  return info?.methods.get(attr);
}

/** The values the function's own `return` statements return (not those of nested defs and lambdas). */
function returnValues(fn: Node): Node[] {
  const body = fn.childForFieldName('body');
  return (body ? descendants(body, 'return_statement', NESTED_SCOPES) : [])
    .map((r) => r.namedChild(0))
    .filter((v): v is Node => v !== null);
}

/**
 * A parameter is a source when its function is a click/typer command (the framework fills it from the command
 * line), when a web framework fills it from the request (web.ts), or — up to {@link MAX_CALL_DEPTH} calls deep —
 * when a call in this file passes untrusted data for it: `f(x)` for a function, `Cls(x)` for `__init__`,
 * `self.m(x)` for a method of the same class.
 */
function parameterSource(walk: Walk, param: Binding, calls: number, next: Next): UntrustedSource | undefined {
  const { scopes } = walk;
  const fn = param.scope.node;
  if (fn.type !== 'function_definition') return undefined;
  for (const decorator of decoratorsOf(fn)) {
    if (isCliDecorator(decorator, scopes))
      return {
        description: `the command-line parameter \`${param.name}\` (${decoratorName(decorator)})`,
        node: param.node,
        kind: 'command-line',
      };
  }
  const request = requestParameter(param, fn, scopes);
  if (request) return { description: request, node: param.node, kind: 'http' };
  if (calls <= 0) return undefined;
  const index = parameterNodes(fn).findIndex(
    (p) =>
      p.id === param.node.id ||
      p.namedChildren.some((c) => c?.id === param.node.id) ||
      p.childForFieldName('name')?.id === param.node.id,
  );
  if (index < 0) return undefined;
  const cls = classOfMethod(fn);
  const shift = cls && !isStaticMethod(fn, scopes) ? 1 : 0;
  if (index < shift) return undefined; // `self` / `cls`
  for (const call of callSites(fn, cls, scopes)) {
    const arg = argumentValue(callArguments(call), index - shift, param.name);
    const found = arg && next(arg, calls - 1);
    if (found) return found;
  }
  return undefined;
}

/** The calls of `fn` in this file: `f(...)`, `Cls(...)` for `__init__`, `self.m(...)` within the class for a method. */
function callSites(fn: Node, cls: Node | undefined, scopes: FileScopes): Node[] {
  const name = fn.childForFieldName('name');
  if (!name) return [];
  const callOf = (ref: Node) => {
    const call = parentOf(ref);
    return call?.type === 'call' && call.childForFieldName('function')?.id === ref.id ? call : undefined;
  };
  let refs: readonly Node[];
  if (!cls) {
    const binding = scopes.lookup(name.text, scopes.scopeOf(fn))?.find((b) => b.node.id === fn.id);
    refs = binding ? scopes.references(binding) : [];
  } else if (name.text === '__init__') {
    const binding = classBinding(cls, scopes);
    refs = binding ? scopes.references(binding) : [];
  } else refs = classInfo(cls, scopes).reads.get(name.text) ?? [];
  return refs.map(callOf).filter((c): c is Node => c !== undefined);
}

function decoratorName(decorator: Node): string {
  return decorator.text.replace(/\(.*$/s, '');
}

/** `@click.command()`, `@click.option(...)`, `@app.command()` on a `typer.Typer()` or `click.group()` object. */
function isCliDecorator(decorator: Node, scopes: FileScopes): boolean {
  let expr: Node | null = decorator;
  if (expr.type === 'call') expr = expr.childForFieldName('function');
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

/**
 * A name that untrusted data is written to elsewhere in its scope: a download call's destination
 * (`torch.hub.download_url_to_file(url, dst)`, `snapshot_download(repo, local_dir=dst)`), a file opened for writing
 * whose handle gets untrusted data (`open(dst, "wb").write(resp.content)`, `shutil.copyfileobj(resp, f)`),
 * `Path(dst).write_bytes(data)`, or an upload saved there (`request.files["f"].save(dst)`).
 */
function downloadedTo(walk: Walk, binding: Binding, first: First): UntrustedSource | undefined {
  const { scopes } = walk;
  for (const ref of scopes.references(binding)) {
    const use = methodCallOn(ref);
    if (use && WRITE_TO_PATH_METHODS.has(use.method)) {
      const found = first(callArguments(use.call).positional);
      if (found) return found;
      continue;
    }
    const parent = parentOf(ref);
    const list = parent?.type === 'keyword_argument' ? parentOf(parent) : parent;
    const call = list?.type === 'argument_list' ? parentOf(list) : null;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    if (!call || !callee) continue;
    const args = callArguments(call);
    const name = scopes.qualifiedName(callee);
    const target = name ? DOWNLOAD_TO.get(name) : undefined;
    if (target && argumentValue(args, target[0], target[1])?.id === ref.id)
      return { description: `a download (${name!.split('.').pop()})`, node: call, kind: 'download' };
    if ((name === 'builtins.open' || name === 'io.open') && args.positional[0]?.id === ref.id) {
      const mode = stringValue(argumentValue(args, 1, 'mode') ?? call) ?? '';
      const found = /[wax]/.test(mode) ? writtenThrough(walk, call, first) : undefined;
      if (found) return found;
      continue;
    }
    // werkzeug FileStorage.save(dst), an upload written to the path
    if (callee.type === 'attribute' && methodName(call) === 'save' && argumentValue(args, 0, 'dst')?.id === ref.id) {
      const found = first([callee.childForFieldName('object')]);
      if (found?.kind === 'http') return found;
    }
  }
  return undefined;
}

/** What is written through the handle of `open(path, "wb")`: `f.write(data)`, `shutil.copyfileobj(src, f)`. */
function writtenThrough(walk: Walk, open: Node, first: First): UntrustedSource | undefined {
  const { scopes } = walk;
  const parent = parentOf(open);
  // `open(p, "wb").write(data)`
  const grand = parent && parentOf(parent);
  if (parent?.type === 'attribute' && grand?.type === 'call') {
    const method = parent.childForFieldName('attribute')?.text ?? '';
    return MUTATING_METHODS.has(method) ? first(callArguments(grand).positional) : undefined;
  }
  const target =
    parent?.type === 'as_pattern'
      ? parent.childForFieldName('alias')?.namedChild(0)
      : parent?.type === 'assignment' && parent.childForFieldName('right')?.id === open.id
        ? parent.childForFieldName('left')
        : undefined;
  if (target?.type !== 'identifier') return undefined;
  for (const read of storageOf(target, scopes)?.reads ?? []) {
    const use = methodCallOn(read);
    if (use && MUTATING_METHODS.has(use.method)) {
      const found = first(callArguments(use.call).positional);
      if (found) return found;
      continue;
    }
    const list = parentOf(read);
    const call = list?.type === 'argument_list' ? parentOf(list) : undefined;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    if (callee && scopes.qualifiedName(callee) === 'shutil.copyfileobj') {
      const args = callArguments(call!);
      if (args.positional[1]?.id === read.id) {
        const found = first([args.positional[0]]);
        if (found) return found;
      }
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

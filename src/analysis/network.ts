/**
 * Network receivers: is the object of a `recv()` a socket, ZeroMQ socket, multiprocessing connection or stream that
 * peers on the network can write to? Only visible evidence counts (how it was created in this file), and local-only
 * channels (AF_UNIX sockets, `socketpair()`, ZeroMQ `ipc://` / `inproc://` endpoints, authenticated
 * multiprocessing connections) are not network receivers.
 */
import type { Node } from '../syntax/parse';
import {
  argumentValue,
  callArguments,
  type CallArguments,
  namedChildren,
  stringValue,
  unparen,
} from '../syntax/python';
import type { FileScopes } from '../syntax/scope';
import { classOfInstance } from './classes';
import { methodCallOn, storageOf } from './storage';

/** How many aliases and `accept()` / `wrap_socket()` steps a receiver is followed through. */
const MAX_RECEIVER_DEPTH = 4;
/** How many name bindings an endpoint string is followed through (`addr = f"tcp://…"`). */
const MAX_ENDPOINT_DEPTH = 3;

export type ReceiverKind = 'socket' | 'zmq' | 'connection' | 'stream' | 'http';

export interface Receiver {
  kind: ReceiverKind;
  /** What it is, for messages: `a ZeroMQ socket on "tcp://*:5555"`. */
  description: string;
  /** The evidence: the endpoint, or the call that created it. */
  node: Node;
}

/** The methods that return what a receiver of each kind got from its peer. */
export const RECEIVE_METHODS: Readonly<Record<ReceiverKind, ReadonlySet<string>>> = {
  socket: new Set(['recv', 'recvfrom', 'recvmsg', 'read', 'readline', 'readlines']),
  // pyzmq zmq/sugar/socket.py: recv_pyobj and recv_serialized deserialise what recv returned
  zmq: new Set(['recv', 'recv_multipart', 'recv_string', 'recv_pyobj', 'recv_json', 'recv_serialized']),
  // multiprocessing/connection.py: Connection.recv unpickles what recv_bytes returns
  connection: new Set(['recv', 'recv_bytes']),
  stream: new Set(['read', 'readexactly', 'readuntil', 'readline']),
  http: new Set(['read', 'readline', 'readlines', 'read1']),
};

/**
 * Receive methods that unpickle what arrives: pyzmq's `Socket.recv_pyobj` (`pickle.loads` of the frame,
 * zmq/sugar/socket.py) and `multiprocessing.connection.Connection.recv` (`_ForkingPickler.loads`,
 * multiprocessing/connection.py; its docs warn about it).
 */
export const UNPICKLING_RECEIVES: Readonly<Partial<Record<ReceiverKind, string>>> = {
  zmq: 'recv_pyobj',
  connection: 'recv',
};

const NETWORK_SCHEMES = new Set(['tcp', 'udp', 'pgm', 'epgm', 'ws', 'wss', 'norm', 'vmci']);
/** socketserver / http.server handler bases: `self.request` is the client's socket, `self.rfile` its stream. */
const HANDLER_BASES: ReadonlyMap<string, ReceiverKind> = new Map([
  ['socketserver.BaseRequestHandler', 'socket'],
  ['socketserver.StreamRequestHandler', 'socket'],
  ['http.server.BaseHTTPRequestHandler', 'http'],
  ['http.server.SimpleHTTPRequestHandler', 'http'],
]);
/** pyzmq socket-type constants (`zmq.PULL`, `zmq.REP`…): a call passing one makes a ZeroMQ socket. */
const ZMQ_CONSTANT = /^zmq(\.asyncio|\.green)?\.[A-Z][A-Z0-9_]*$/;

/** The network receiver `object` (of `object.recv()`) is, or undefined when none is visible. */
export function networkReceiver(object: Node, scopes: FileScopes, depth = 0): Receiver | undefined {
  if (depth > MAX_RECEIVER_DEPTH) return undefined;
  const node = unparen(object);
  const handler = handlerAttribute(node, scopes);
  if (handler) return handler;
  const storage = storageOf(node, scopes);
  for (const stored of storage?.values ?? []) {
    const found = receiverValue(stored, storage!.reads, scopes, depth);
    if (found) return found;
  }
  return undefined;
}

/** `self.request` / `self.rfile` in a socketserver or http.server request handler. */
export function handlerAttribute(node: Node, scopes: FileScopes): Receiver | undefined {
  if (node.type !== 'attribute') return undefined;
  const attr = node.childForFieldName('attribute')?.text;
  const object = node.childForFieldName('object');
  if (attr !== 'request' && attr !== 'rfile') return undefined;
  const info = object && classOfInstance(object, scopes);
  const bases = info?.node.childForFieldName('superclasses');
  for (const base of bases ? namedChildren(bases) : []) {
    const name = scopes.qualifiedName(base);
    const kind = name ? HANDLER_BASES.get(name) : undefined;
    if (!kind || (kind === 'http' && attr !== 'rfile')) continue;
    return { kind, description: `a ${name} connection`, node: base };
  }
  return undefined;
}

function receiverValue(value: Node, reads: readonly Node[], scopes: FileScopes, depth: number): Receiver | undefined {
  let node = unparen(value);
  if (node.type === 'await') node = unparen(node.namedChild(0) ?? node);
  if (node.type === 'identifier' || node.type === 'attribute') return networkReceiver(node, scopes, depth + 1);
  if (node.type !== 'call') return undefined;
  const callee = node.childForFieldName('function');
  const name = callee ? scopes.qualifiedName(callee) : undefined;
  const args = callArguments(node);
  switch (name) {
    case 'socket.socket': {
      const family = argumentValue(args, 0, 'family');
      if (family && scopes.qualifiedName(family) === 'socket.AF_UNIX') return undefined;
      return { kind: 'socket', description: 'a socket.socket', node };
    }
    case 'socket.create_connection':
    case 'socket.create_server':
      return { kind: 'socket', description: `a ${name} socket`, node };
    case 'ssl.wrap_socket': {
      const inner = argumentValue(args, 0, 'sock');
      return inner ? networkReceiver(inner, scopes, depth + 1) : undefined;
    }
    case 'asyncio.open_connection':
      return { kind: 'stream', description: 'an asyncio.open_connection stream', node };
    case 'multiprocessing.connection.Listener':
    case 'multiprocessing.connection.Client':
      return unauthenticatedConnection(node, name, scopes);
    default:
      break;
  }
  if (callee?.type === 'attribute') {
    const method = callee.childForFieldName('attribute')?.text;
    const object = callee.childForFieldName('object');
    // `conn, addr = server.accept()`, `ctx.wrap_socket(sock)`, `sock.makefile("rb")`
    if (object && (method === 'accept' || method === 'makefile')) return networkReceiver(object, scopes, depth + 1);
    if (method === 'wrap_socket') {
      const inner = argumentValue(args, 0, 'sock');
      return inner ? networkReceiver(inner, scopes, depth + 1) : undefined;
    }
  }
  if (isZmqSocket(name, args, scopes)) return zmqEndpoint(args, reads, scopes);
  return undefined;
}

/** `ctx.socket(zmq.PULL)`, `zmq.Socket(ctx, zmq.REP)`, or a helper given a socket type (`make(ctx, zmq.PUSH)`). */
function isZmqSocket(name: string | undefined, args: CallArguments, scopes: FileScopes): boolean {
  if (name === 'zmq.Socket' || name === 'zmq.asyncio.Socket') return true;
  const values = [...args.positional, ...[...args.keywords.values()].map((k) => k.childForFieldName('value'))];
  return values.some((v) => {
    const n = v ? unparen(v) : undefined;
    const q = n && n.type === 'attribute' ? scopes.qualifiedName(n) : undefined;
    return q !== undefined && ZMQ_CONSTANT.test(q);
  });
}

/**
 * A ZeroMQ socket is a network receiver when an endpoint it is bound or connected to (or one passed to the helper
 * that made it) is visibly a network transport (`tcp://`, `udp://`, `pgm://`, `ws://`…) or it binds to a random
 * port. Only `ipc://` / `inproc://` endpoints, or none visible, leave it alone.
 */
function zmqEndpoint(args: CallArguments, reads: readonly Node[], scopes: FileScopes): Receiver | undefined {
  const candidates: Node[] = [
    ...args.positional,
    ...[...args.keywords.values()].map((k) => k.childForFieldName('value')!),
  ];
  for (const read of reads) {
    const use = methodCallOn(read);
    if (!use) continue;
    if (use.method === 'bind_to_random_port')
      return {
        kind: 'zmq',
        description: `a ZeroMQ socket on a random TCP port (\`${use.call.text}\`)`,
        node: use.call,
      };
    if (use.method === 'bind' || use.method === 'connect') {
      const endpoint = argumentValue(callArguments(use.call), 0, 'addr');
      if (endpoint) candidates.push(endpoint);
    }
  }
  for (const endpoint of candidates) {
    if (!endpoint) continue;
    const prefix = stringPrefix(endpoint, scopes, 0);
    const scheme = prefix?.match(/^([a-z]+):\/\//)?.[1];
    if (scheme && NETWORK_SCHEMES.has(scheme))
      return { kind: 'zmq', description: `a ZeroMQ socket on ${endpoint.text}`, node: endpoint };
  }
  return undefined;
}

/** The known leading text of a string expression: a literal, an f-string's head, `"tcp://" + host`, `.format`. */
function stringPrefix(expr: Node, scopes: FileScopes, depth: number): string | undefined {
  if (depth > MAX_ENDPOINT_DEPTH) return undefined;
  const node = unparen(expr);
  const literal = stringValue(node);
  if (literal !== undefined) return literal;
  switch (node.type) {
    case 'string': {
      const first = namedChildren(node)[1];
      return first?.type === 'string_content' ? first.text : undefined;
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      return left ? stringPrefix(left, scopes, depth + 1) : undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
      return object && callee?.childForFieldName('attribute')?.text === 'format'
        ? stringPrefix(object, scopes, depth + 1)
        : undefined;
    }
    case 'identifier': {
      const bindings = scopes.bindingsOf(node);
      const value = bindings?.length === 1 && bindings[0].kind === 'assign' ? bindings[0].value : undefined;
      return value ? stringPrefix(value, scopes, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `multiprocessing.connection.Listener(address, family, backlog, authkey)` / `Client(address, family, authkey)`:
 * without an authkey no authentication is done (multiprocessing docs), and a `(host, port)` address or
 * `family="AF_INET"` is a TCP socket. A string address (AF_UNIX, a Windows pipe) is local.
 */
function unauthenticatedConnection(call: Node, name: string, scopes: FileScopes): Receiver | undefined {
  const args = callArguments(call);
  if (args.hasDictSplat || args.hasListSplat) return undefined;
  const authkey = argumentValue(args, name.endsWith('Listener') ? 3 : 2, 'authkey');
  if (authkey && unparen(authkey).type !== 'none') return undefined;
  const address = argumentValue(args, 0, 'address');
  const family = argumentValue(args, 1, 'family');
  const tcp = (address && isTuple(address, scopes)) || (family !== undefined && stringValue(family) === 'AF_INET');
  if (!tcp) return undefined;
  return {
    kind: 'connection',
    description: `an unauthenticated multiprocessing ${name.split('.').pop()} (no authkey)`,
    node: call,
  };
}

function isTuple(expr: Node, scopes: FileScopes): boolean {
  const node = unparen(expr);
  if (node.type === 'tuple') return true;
  if (node.type !== 'identifier') return false;
  const bindings = scopes.bindingsOf(node);
  const value = bindings?.length === 1 && bindings[0].kind === 'assign' ? bindings[0].value : undefined;
  return value !== undefined && unparen(value).type === 'tuple';
}

/**
 * Where a value lives within one file: a name (its bindings and the identifiers that read it) or an instance
 * attribute `self.x` (what the class's methods assign to it and where they read it). Flow-insensitive, like the
 * scopes it is built on.
 */
import { type Node, parentOf } from '../syntax/parse';
import { unparen } from '../syntax/python';
import type { FileScopes } from '../syntax/scope';
import { classOfInstance } from './classes';

export interface Storage {
  /** The expressions stored there: `x = v`, `with v as x`, `x, y = v` (the whole right-hand side), `self.x = v`. */
  values: readonly Node[];
  /** The nodes that read it: identifiers for a name, `self.x` attribute nodes for an attribute. */
  reads: readonly Node[];
}

const VALUE_KINDS = new Set(['assign', 'unpack', 'with', 'iterate']);

/** The storage `expr` reads (a name or `self.x`), or undefined for any other expression. */
export function storageOf(expr: Node, scopes: FileScopes): Storage | undefined {
  const node = unparen(expr);
  if (node.type === 'identifier') {
    const bindings = scopes.bindingsOf(node);
    if (!bindings?.length) return undefined;
    return {
      values: bindings.filter((b) => VALUE_KINDS.has(b.kind) && b.value).map((b) => b.value!),
      reads: scopes.references(bindings[0]),
    };
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text;
    const info = object && attr ? classOfInstance(object, scopes) : undefined;
    if (!info || !attr) return undefined;
    return { values: info.assigned.get(attr) ?? [], reads: info.reads.get(attr) ?? [] };
  }
  return undefined;
}

/** For a read of a storage, the call of one of its methods it is the object of: `sock.bind(...)` for `sock`. */
export function methodCallOn(read: Node): { call: Node; method: string } | undefined {
  const attribute = parentOf(read);
  if (attribute?.type !== 'attribute' || attribute.childForFieldName('object')?.id !== read.id) return undefined;
  const call = parentOf(attribute);
  if (call?.type !== 'call' || call.childForFieldName('function')?.id !== attribute.id) return undefined;
  const method = attribute.childForFieldName('attribute')?.text;
  return method ? { call, method } : undefined;
}

/**
 * What a `torch.save(obj, "path")` site writes, as the globals torch's unpickler will meet when loading it back:
 * evidence for the fix of a load of the same path when no checkpoint file is at hand. Only shapes whose pickled
 * globals are certain are typed; anything else is `unknown` (and then gives no evidence at all).
 */
import type { Node } from './parse';
import { callArguments, methodName, stringValue, unparen } from './python';
import type { FileScopes } from './scope';
import { isSaveCall } from './torch';

/** A torch.save site with a string-literal path. */
export interface SaveSite {
  /** The path as written (`"checkpoints/last.pt"`). */
  literal: string;
  /** 1-based line of the call. */
  line: number;
  /** The globals the saved object pickles beyond plain data and tensors, or `unknown`. */
  globals: string[] | 'unknown';
}

/** Every torch.save call of a file whose path is a string literal. */
export function summarizeSaves(scopes: FileScopes): SaveSite[] {
  const sites: SaveSite[] = [];
  for (const id of scopes.identifiersNamed('save')) {
    const callee = id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id ? id.parent : id;
    const call = callee.parent?.type === 'call' && callee.parent.childForFieldName('function')?.id === callee.id ? callee.parent : undefined;
    if (!call || !isSaveCall(call, scopes)) continue;
    const args = callArguments(call);
    const obj = args.positional[0] ?? args.keywords.get('obj')?.childForFieldName('value') ?? undefined;
    const path = args.positional[1] ?? args.keywords.get('f')?.childForFieldName('value') ?? undefined;
    const literal = path && stringValue(path);
    if (!obj || literal === undefined) continue;
    sites.push({ literal, line: call.startPosition.row + 1, globals: savedGlobals(obj, scopes) });
  }
  return sites;
}

/**
 * The globals pickling `expr` produces that torch's default allowlist may lack: `[]` for plain data (numbers,
 * strings, None, booleans, tensors, `x.state_dict()`, `vars(args)`), `argparse.Namespace` for parsed arguments, the
 * class for an instance of an imported class, unions through dict, list and tuple literals, and names bound once.
 * `unknown` for anything else (a module, a numpy value — its dtype classes vary with numpy's version —, a call).
 */
export function savedGlobals(expr: Node, scopes: FileScopes, depth = 0): string[] | 'unknown' {
  const e = unparen(expr);
  if (depth > 20) return 'unknown';
  const union = (parts: Node[]): string[] | 'unknown' => {
    const all = new Set<string>();
    for (const part of parts) {
      const found = savedGlobals(part, scopes, depth + 1);
      if (found === 'unknown') return 'unknown';
      for (const name of found) all.add(name);
    }
    return [...all];
  };
  switch (e.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return [];
    case 'string':
    case 'concatenated_string':
      return [];
    case 'dictionary': {
      const values: Node[] = [];
      for (const pair of e.namedChildren) {
        if (!pair || pair.type === 'comment') continue;
        if (pair.type !== 'pair') return 'unknown'; // `**other`
        const key = unparen(pair.childForFieldName('key')!);
        if (key.type !== 'string' && key.type !== 'integer') return 'unknown';
        values.push(pair.childForFieldName('value')!);
      }
      return union(values);
    }
    case 'list':
    case 'tuple':
      return e.namedChildren.some((c) => c?.type === 'list_splat') ? 'unknown' : union(e.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment'));
    case 'call': {
      const callee = e.childForFieldName('function');
      const method = methodName(e);
      if (method === 'state_dict' && callArguments(e).positional.length === 0) return [];
      if (method === 'parse_args') return ['argparse.Namespace'];
      const name = callee && scopes.qualifiedName(callee);
      if (name === 'builtins.vars' || name === 'builtins.int' || name === 'builtins.float' || name === 'builtins.str') return [];
      if (name && /^torch\.(tensor|zeros|ones|randn|rand|arange|empty|full|stack|cat)$/.test(name)) return [];
      // an instance of a class imported from another module: that class (its attributes are not followed)
      const bindings = callee?.type === 'identifier' ? scopes.bindingsOf(callee) : undefined;
      if (name && bindings?.every((b) => b.kind === 'import') && /^[A-Za-z_][\w.]*\.[A-Z]\w*$/.test(name) && !name.startsWith('torch.')) return [name];
      return 'unknown';
    }
    case 'subscript': {
      // parse_known_args()[0]
      const value = unparen(e.childForFieldName('value')!);
      return value.type === 'call' && methodName(value) === 'parse_known_args' ? ['argparse.Namespace'] : 'unknown';
    }
    case 'identifier': {
      // a name bound once and never written into (`ckpt["model"] = model`, `args.net = net`, `ckpt.update(...)`)
      const bindings = scopes.bindingsOf(e);
      if (bindings?.length !== 1 || bindings[0].kind !== 'assign' || !bindings[0].value) return 'unknown';
      if (scopes.references(bindings[0]).some(isWrittenInto)) return 'unknown';
      return savedGlobals(bindings[0].value, scopes, depth + 1);
    }
    default:
      return 'unknown';
  }
}

const MUTATING_METHODS = new Set(['update', 'setdefault', 'append', 'extend', 'insert', '__setitem__', '__setattr__']);

/** True when a reference is the object of a write: an item or attribute assignment target, or a mutating method. */
function isWrittenInto(ref: Node): boolean {
  const parent = ref.parent;
  // handed to a function (which may add to it), other than torch.save itself
  const args = parent?.type === 'keyword_argument' ? parent.parent : parent;
  if (args?.type === 'argument_list' && args.parent?.type === 'call' && !/(^|\.)save$/.test(args.parent.childForFieldName('function')?.text ?? '')) return true;
  if (!parent || (parent.type !== 'subscript' && parent.type !== 'attribute') || parent.childForFieldName(parent.type === 'subscript' ? 'value' : 'object')?.id !== ref.id) return false;
  const grand = parent.parent;
  if ((grand?.type === 'assignment' || grand?.type === 'augmented_assignment') && grand.childForFieldName('left')?.id === parent.id) return true;
  if (grand?.type === 'pattern_list' || grand?.type === 'tuple_pattern' || grand?.type === 'delete_statement') return true;
  return parent.type === 'attribute' && grand?.type === 'call' && MUTATING_METHODS.has(parent.childForFieldName('attribute')?.text ?? '');
}

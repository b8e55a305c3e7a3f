/**
 * What the classes of one file do with their instance attributes: which expressions `self.x` is assigned in the
 * class's methods (and `x = …` in the class body), where `self.x` is read, the methods by name, and the fields of a
 * dataclass or NamedTuple in order. The untrusted-source analysis follows `self.path` and `cfg.path` through this,
 * within one file and one class (no base classes, no other modules).
 */
import { type Node, parentOf } from '../syntax/parse';
import { namedChildren, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';

export interface ClassInfo {
  node: Node;
  /** Expressions assigned to `self.<name>` in methods, or to `<name>` in the class body, in document order. */
  assigned: ReadonlyMap<string, readonly Node[]>;
  /** Attribute nodes `self.<name>` read in methods (not assignment targets), in document order. */
  reads: ReadonlyMap<string, readonly Node[]>;
  /** The methods defined in the class body, by name (the `function_definition`). */
  methods: ReadonlyMap<string, Node>;
  /** Constructor fields of a `@dataclass` or `NamedTuple` class, in order; undefined for other classes. */
  fields?: readonly string[];
}

const cache = new WeakMap<FileScopes, Map<number, ClassInfo>>();

/** Nested scopes whose `self` is another one: not entered when collecting a method's attribute uses. */
const NESTED = ['function_definition', 'class_definition', 'lambda'];

/** The class that directly defines `fn` as a method (also when decorated), else undefined. */
export function classOfMethod(fn: Node): Node | undefined {
  let p = parentOf(fn);
  if (p?.type === 'decorated_definition') p = parentOf(p);
  const cls = p?.type === 'block' ? parentOf(p) : null;
  return cls?.type === 'class_definition' ? cls : undefined;
}

/** The decorators of a def or class, as the expressions after `@`. */
export function decoratorsOf(def: Node): Node[] {
  const decorated = parentOf(def)?.type === 'decorated_definition' ? parentOf(def) : undefined;
  return (decorated ? namedChildren(decorated) : [])
    .filter((c) => c.type === 'decorator')
    .map((d) => d.namedChild(0))
    .filter((e): e is Node => e !== null);
}

/** True when `fn` is a `@staticmethod` (its first parameter is not the instance). */
export function isStaticMethod(fn: Node, scopes: FileScopes): boolean {
  return decoratorsOf(fn).some((d) => scopes.qualifiedName(d) === 'builtins.staticmethod');
}

/** The parameter nodes of a def (identifiers, typed and default parameters, splats), without `*` and `/`. */
export function parameterNodes(fn: Node): Node[] {
  return namedChildren(fn.childForFieldName('parameters') ?? fn).filter(
    (p) => p.type !== 'keyword_separator' && p.type !== 'positional_separator',
  );
}

/** The name identifier of a parameter node. */
export function parameterName(param: Node): Node | undefined {
  if (param.type === 'identifier') return param;
  const named = param.childForFieldName('name');
  if (named) return named;
  const first = param.namedChild(0);
  return first?.type === 'identifier' ? first : undefined;
}

/** The first parameter's name of a method (`self`, `cls`), or undefined for a static method or none. */
function instanceName(fn: Node, scopes: FileScopes): string | undefined {
  if (isStaticMethod(fn, scopes)) return undefined;
  const first = parameterNodes(fn)[0];
  return first && first.type !== 'list_splat_pattern' && first.type !== 'dictionary_splat_pattern'
    ? parameterName(first)?.text
    : undefined;
}

/**
 * When `expr` is the instance parameter of a method (`self` in `def load(self)`, `cls` in a classmethod), the class
 * of that method.
 */
export function classOfInstance(expr: Node, scopes: FileScopes): ClassInfo | undefined {
  const node = unparen(expr);
  if (node.type !== 'identifier') return undefined;
  const bindings = scopes.bindingsOf(node);
  if (bindings?.length !== 1 || bindings[0].kind !== 'param') return undefined;
  const fn = bindings[0].scope.node;
  if (fn.type !== 'function_definition') return undefined;
  const cls = classOfMethod(fn);
  if (!cls || instanceName(fn, scopes) !== node.text) return undefined;
  return classInfo(cls, scopes);
}

/** The class of this file that a called identifier names (its only binding is a `class`), else undefined. */
export function localClass(callee: Node, scopes: FileScopes): ClassInfo | undefined {
  const node = unparen(callee);
  if (node.type !== 'identifier') return undefined;
  const bindings = scopes.bindingsOf(node);
  return bindings?.length === 1 && bindings[0].kind === 'class' ? classInfo(bindings[0].node, scopes) : undefined;
}

/** The binding of a class definition's name. */
export function classBinding(cls: Node, scopes: FileScopes): Binding | undefined {
  const name = cls.childForFieldName('name');
  if (!name) return undefined;
  return scopes.lookup(name.text, scopes.scopeOf(cls))?.find((b) => b.node.id === cls.id);
}

/** The attribute uses of one class, built once per class and file. */
export function classInfo(cls: Node, scopes: FileScopes): ClassInfo {
  let byClass = cache.get(scopes);
  if (!byClass) cache.set(scopes, (byClass = new Map()));
  const known = byClass.get(cls.id);
  if (known) return known;
  const assigned = new Map<string, Node[]>();
  const reads = new Map<string, Node[]>();
  const methods = new Map<string, Node>();
  const add = (map: Map<string, Node[]>, key: string, node: Node) => {
    const list = map.get(key);
    if (list) list.push(node);
    else map.set(key, [node]);
  };
  const body = cls.childForFieldName('body');
  const annotatedFields: string[] = [];
  for (const statement of body ? namedChildren(body) : []) {
    const def = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (def?.type === 'function_definition') {
      const name = def.childForFieldName('name')?.text;
      if (name) methods.set(name, def);
      const self = instanceName(def, scopes);
      const fnBody = def.childForFieldName('body');
      if (self && fnBody) collectSelfUses(fnBody, self, add, assigned, reads);
      continue;
    }
    // class attributes: `path = "w.pt"`, dataclass fields `path: str` / `path: str = "w.pt"`
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : undefined;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'identifier') continue;
    const right = assignment.childForFieldName('right');
    if (right) add(assigned, left.text, right);
    if (assignment.childForFieldName('type')) annotatedFields.push(left.text);
  }
  const info: ClassInfo = { node: cls, assigned, reads, methods };
  if (isFieldClass(cls, scopes)) info.fields = annotatedFields;
  byClass.set(cls.id, info);
  return info;
}

/** `@dataclass` / `@dataclasses.dataclass(...)` or a `typing.NamedTuple` subclass: annotated fields are parameters. */
function isFieldClass(cls: Node, scopes: FileScopes): boolean {
  for (const decorator of decoratorsOf(cls)) {
    const callee = decorator.type === 'call' ? decorator.childForFieldName('function') : decorator;
    if (callee && scopes.qualifiedName(callee) === 'dataclasses.dataclass') return true;
  }
  const bases = cls.childForFieldName('superclasses');
  return (bases ? namedChildren(bases) : []).some((b) => scopes.qualifiedName(b) === 'typing.NamedTuple');
}

function collectSelfUses(
  root: Node,
  self: string,
  add: (map: Map<string, Node[]>, key: string, node: Node) => void,
  assigned: Map<string, Node[]>,
  reads: Map<string, Node[]>,
): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (NESTED.includes(node.type)) continue;
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (object?.type === 'identifier' && object.text === self && attr) {
        const parent = parentOf(node);
        const isTarget =
          (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') &&
          parent.childForFieldName('left')?.id === node.id;
        const inPattern = parent?.type === 'pattern_list' || parent?.type === 'tuple_pattern';
        if (isTarget) {
          const right = parent.childForFieldName('right');
          if (right) add(assigned, attr.text, right);
        } else if (inPattern) {
          // `self.a, self.b = value`: each came from (a part of) the value
          let top: Node | null = parent;
          while (top && (top.type === 'pattern_list' || top.type === 'tuple_pattern')) top = parentOf(top);
          const right = top?.type === 'assignment' ? top.childForFieldName('right') : null;
          if (right) add(assigned, attr.text, right);
        } else add(reads, attr.text, node);
      }
    }
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
}

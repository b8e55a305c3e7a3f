/**
 * Name resolution. Builds Python's scopes for one file (module, class, def, lambda, comprehension) and answers
 * "what is this expression's fully qualified name?" — `th.load` after `import torch as th` is `torch.load`; a
 * parameter, local def or other assignment named `torch` shadows the import and resolves to nothing.
 *
 * The analysis is flow-insensitive and conservative: a name resolves only when every binding of it in its scope
 * agrees (an assignment of `None`, as in `try: import torch / except ImportError: torch = None`, is ignored).
 */
import { type Node, parentOf } from './parse';
import { namedChildren, stringValue, unparen } from './python';

/**
 * How many aliases (`a = b`, `b = torch`) and lookup calls (`getattr(m, "x")`) a qualified name follows before it
 * is unknown. Attribute chains do not count: they are walked with a loop.
 */
const MAX_ALIAS_DEPTH = 20;

/**
 * Attribute names a qualified name may have after its first part; a longer chain is no module path anyone imports,
 * and stopping there keeps each lookup short on a 5,000-part chain.
 */
const MAX_NAME_PARTS = 64;

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

/**
 * How a name got bound. `assign`, `with` and `iterate` carry the expression the name came from in `value`
 * (`x = value`, `with value as x`, `for x in value`); `unpack` carries the whole right-hand side of a destructuring
 * assignment (`a, b = value`); `import` carries the imported module path in `qualname`.
 */
export type BindingKind = 'import' | 'assign' | 'unpack' | 'with' | 'iterate' | 'def' | 'class' | 'param' | 'other';

export interface Binding {
  kind: BindingKind;
  name: string;
  /** The identifier that is bound (or the def/class/import node). */
  node: Node;
  scope: Scope;
  /** Dotted module path for imports: `from torch import load as L` binds `L` → `torch.load`. */
  qualname?: string;
  /** Source expression for `assign`, `with` and `iterate` bindings. */
  value?: Node;
  /** Type annotation for parameters and annotated assignments. */
  annotation?: Node;
  /** A parameter's default value (`loader=torch.load` → `torch.load`); callers may pass anything else. */
  default?: Node;
}

export interface Scope {
  kind: ScopeKind;
  node: Node;
  parent: Scope | undefined;
  bindings: Map<string, Binding[]>;
  /** Names declared `global` (or `nonlocal`) here: they are looked up outside this scope. */
  outerNames: Set<string>;
  /** Modules imported with `from m import *` (module scope only). */
  starImports: string[];
}

/** The last names of the functions {@link FileScopes.dynamicName} reads: `getattr`, `import_module`, `__import__`. */
const LOOKUP_FUNCTIONS = new Set(['getattr', 'import_module', '__import__']);

/** Names `from torch import *` brings in that matter to us (torch.__all__ has both; torch/__init__.py, 2.6). */
const TORCH_STAR_NAMES = new Set(['load', 'save']);

/** Python 3.11's builtin functions and types (`dir(builtins)` without exceptions and dunders). */
const BUILTINS = new Set(
  'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip __import__ __build_class__'.split(
    ' ',
  ),
);

/** Target forms that hold more targets: `a, b`, `(a, b)`, `[a, b]`, `*a`. */
const TARGET_LISTS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern']);

const SCOPE_TYPES = new Set([
  'function_definition',
  'class_definition',
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

/** The scopes of one file and name resolution over them. Build with {@link analyzeScopes}. */
export class FileScopes {
  readonly module: Scope;
  private readonly byNode = new Map<number, Scope>();
  private readonly qualnameCache = new Map<Binding, string | null | 'none'>();
  /** Set when a resolution gave up at {@link MAX_ALIAS_DEPTH}: what it found then is not cached. */
  private boundReached = false;

  constructor(root: Node) {
    this.module = this.newScope('module', root, undefined);
    // An explicit stack instead of recursion: valid Python can nest thousands of levels (`a.b().c()…`).
    const stack: [Node, Scope][] = [[root, this.module]];
    for (let item = stack.pop(); item; item = stack.pop()) {
      if (item[0].id === root.id) this.visitChildren(root, this.module);
      else this.visitNode(item[0], item[1]);
      // children were queued in document order; push them reversed so that they are visited in that order
      for (let i = this.queued.length - 1; i >= 0; i--) stack.push(this.queued[i]);
      this.queued.length = 0;
    }
  }

  /** Every name some scope of the file declares `global` or `nonlocal`. */
  readonly declaredOuter = new Set<string>();

  /** The scope of each identifier, recorded while building the scopes. */
  private readonly identifierScopes = new Map<number, Scope>();

  /** Nodes waiting to be visited, queued by the node being visited now. */
  private readonly queued: [Node, Scope][] = [];

  /** The innermost scope whose body contains `node`. */
  scopeOf(node: Node): Scope {
    // Known for every identifier the analysis visited; walking up is O(depth) per step in tree-sitter.
    const known = this.identifierScopes.get(node.id);
    if (known) return known;
    let child = node;
    for (let p = parentOf(node); p; child = p, p = parentOf(p)) {
      if (!SCOPE_TYPES.has(p.type)) continue;
      // A class's name and bases, and a def's name, decorators and defaults, belong to the enclosing scope.
      if (p.type === 'class_definition' && child.id !== p.childForFieldName('body')?.id) continue;
      if (p.type === 'function_definition') {
        const inBody = child.id === p.childForFieldName('body')?.id;
        const isParamName = child.id === p.childForFieldName('parameters')?.id && isParameterName(node);
        if (!inBody && !isParamName) continue;
      }
      const scope = this.byNode.get(p.id);
      if (scope) return scope;
    }
    return this.module;
  }

  /** The bindings `name` refers to when used in `scope` (Python's LEGB lookup without builtins), or undefined. */
  lookup(name: string, scope: Scope): Binding[] | undefined {
    let current: Scope | undefined = scope;
    let first = true;
    while (current) {
      const skip = (!first && current.kind === 'class') || current.outerNames.has(name);
      if (!skip) {
        const found = current.bindings.get(name);
        if (found) return found;
      }
      if (current.outerNames.has(name) && current.kind !== 'module') {
        current = this.module; // `global x` (nonlocal is rare enough to treat the same way)
        first = false;
        continue;
      }
      // eslint-disable-next-line no-restricted-syntax -- a Scope's parent, not a tree-sitter node's
      current = current.parent;
      first = false;
    }
    return undefined;
  }

  /** The bindings the identifier `node` refers to where it stands. */
  bindingsOf(node: Node): Binding[] | undefined {
    return this.lookup(node.text, this.scopeOf(node));
  }

  /**
   * The fully qualified name of an identifier or attribute chain, e.g. `torch.serialization.load`; `builtins.open`
   * for an unbound builtin; undefined when any part is shadowed, ambiguous or not a module path.
   */
  qualifiedName(expr: Node, depth = 0): string | undefined {
    if (depth > 0) return this.resolveName(expr, depth);
    // asked from outside: every rule asks it of the same callees, so the answer is kept per node
    const known = this.nameCache.get(expr.id);
    if (known !== undefined) return known ?? undefined;
    const outerReached = this.boundReached;
    this.boundReached = false;
    const result = this.resolveName(expr, 0);
    // an answer cut short by the alias bound depends on what other lookups cached before it: not kept
    if (!this.boundReached) this.nameCache.set(expr.id, result ?? null);
    this.boundReached ||= outerReached;
    return result;
  }

  /** qualifiedName's answers to callers outside the class, by node id (null: none). */
  private readonly nameCache = new Map<number, string | null>();

  private resolveName(expr: Node, depth: number): string | undefined {
    if (depth > MAX_ALIAS_DEPTH) {
      this.boundReached = true;
      return undefined;
    }
    // down an attribute chain with a loop, not recursion: `torch.a.a…(5,000×)` is one valid line
    const attrs: string[] = [];
    let node = unparen(expr);
    while (node.type === 'attribute') {
      const base = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!base || !attr || attrs.length === MAX_NAME_PARTS) return undefined;
      attrs.push(attr.text);
      node = unparen(base);
    }
    if (attrs.length > 0) {
      const q = this.resolveName(node, depth);
      return q === undefined
        ? undefined
        : q +
            attrs
              .reverse()
              .map((a) => `.${a}`)
              .join('');
    }
    if (node.type === 'call') return this.dynamicName(node, depth);
    if (node.type !== 'identifier') return undefined;
    const bindings = this.bindingsOf(node);
    if (!bindings) return this.unboundName(node.text);
    let result: string | undefined;
    for (const binding of bindings) {
      const q = this.bindingQualname(binding, depth);
      if (q === 'none') continue;
      if (q === null || (result !== undefined && result !== q)) return undefined;
      result = q;
    }
    return result;
  }

  /**
   * Every qualified name an identifier or attribute chain may have, when its bindings disagree only on which module
   * they import from (`try: from torch.hub import f / except ImportError: from torch.utils.model_zoo import f`).
   * Undefined when any binding is not an import or alias.
   */
  qualifiedNameCandidates(expr: Node): string[] | undefined {
    // down the chain with a loop, not recursion: `torch.a.a…(5,000×)` is one valid line
    const attrs: string[] = [];
    let node = unparen(expr);
    while (node.type === 'attribute') {
      const base = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!base || !attr || attrs.length === MAX_NAME_PARTS) return undefined;
      attrs.push(attr.text);
      node = unparen(base);
    }
    if (node.type !== 'identifier') return undefined;
    const suffix = attrs
      .reverse()
      .map((a) => `.${a}`)
      .join('');
    const single = this.qualifiedName(node);
    if (single !== undefined) return [single + suffix];
    const bindings = this.bindingsOf(node);
    if (!bindings) return undefined;
    const names = new Set<string>();
    for (const binding of bindings) {
      const q = this.bindingQualname(binding, 0);
      if (q === 'none') continue;
      if (q === null) return undefined;
      names.add(q + suffix);
    }
    return names.size > 0 ? [...names] : undefined;
  }

  /** Identifiers that read `binding`'s name and resolve to it (uses, not binding sites), in document order. */
  references(binding: Binding): Node[] {
    // every binding of a name in a scope shares one list (and so one set of references): computed once per list
    const list = binding.scope.bindings.get(binding.name);
    const cached = list && this.referenceCache.get(list);
    if (cached) return cached;
    const scopeNode = binding.scope.node;
    const body =
      binding.scope.kind === 'module' || binding.scope.kind === 'comprehension'
        ? scopeNode
        : (scopeNode.childForFieldName('body') ?? scopeNode);
    const found = (this.identifiers().get(binding.name) ?? []).filter(
      (node) =>
        node.startIndex >= body.startIndex &&
        node.endIndex <= body.endIndex &&
        isReference(node) &&
        this.bindingsOf(node) === list,
    );
    if (list) this.referenceCache.set(list, found);
    return found;
  }

  private readonly referenceCache = new WeakMap<Binding[], Node[]>();

  /** Every scope of the file: the module first, then classes, functions, lambdas and comprehensions. */
  allScopes(): Scope[] {
    return [this.module, ...[...this.byNode.values()].filter((scope) => scope !== this.module)];
  }

  /** The distinct identifier spellings of the file. */
  identifierNames(): IterableIterator<string> {
    return this.identifiers().keys();
  }

  /** The identifiers of the file spelled `name`, in document order. */
  identifiersNamed(name: string): readonly Node[] {
    return this.identifiers().get(name) ?? [];
  }

  /** Every identifier of the file by name, in document order; built once, on first use. */
  private identifierIndex: Map<string, Node[]> | undefined;
  private identifiers(): Map<string, Node[]> {
    if (this.identifierIndex) return this.identifierIndex;
    const index = new Map<string, Node[]>();
    for (const node of this.module.node.descendantsOfType('identifier')) {
      if (!node) continue;
      const list = index.get(node.text);
      if (list) list.push(node);
      else index.set(node.text, [node]);
    }
    return (this.identifierIndex = index);
  }

  /**
   * The qualified name a lookup by literal name denotes: `getattr(torch, "load")` → `torch.load`,
   * `importlib.import_module("torch.hub")` → `torch.hub`, `__import__("torch")` → `torch` (`__import__("a.b")`
   * returns the top-level `a`). Undefined for any other call, a computed name, a default argument, or a relative
   * module.
   */
  private dynamicName(call: Node, depth: number): string | undefined {
    const callee = call.childForFieldName('function');
    const list = call.childForFieldName('arguments');
    if (!callee || list?.type !== 'argument_list') return undefined;
    // `m.f(...)` names a lookup only when `f` is one: saves resolving each callee of `x.a().a()…(5,000×)`
    const fn = unparen(callee);
    const last = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (last !== undefined && !LOOKUP_FUNCTIONS.has(last)) return undefined;
    const args = namedChildren(list);
    if (args.some((a) => a.type === 'keyword_argument' || a.type.endsWith('splat'))) return undefined;
    const literal = (n: Node | undefined) => (n && n.type === 'string' ? stringValue(n) : undefined);
    const name = this.qualifiedName(callee, depth + 1);
    if (name === 'builtins.getattr' && args.length === 2) {
      const base = this.qualifiedName(args[0], depth + 1);
      const attr = literal(args[1]);
      return base !== undefined && attr !== undefined && /^[A-Za-z_]\w*$/.test(attr) ? `${base}.${attr}` : undefined;
    }
    const module = args.length === 1 ? literal(args[0]) : undefined;
    if (module === undefined || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(module)) return undefined;
    if (name === 'importlib.import_module') return module;
    if (name === 'builtins.__import__') return module.split('.')[0];
    return undefined;
  }

  private unboundName(name: string): string | undefined {
    const stars = this.module.starImports;
    if (stars.length > 0 && stars.every((m) => m === 'torch') && TORCH_STAR_NAMES.has(name)) return `torch.${name}`;
    // any other star import may bring in any name
    if (stars.some((m) => m !== 'torch')) return undefined;
    return BUILTINS.has(name) ? `builtins.${name}` : undefined;
  }

  private bindingQualname(binding: Binding, depth: number): string | null | 'none' {
    const cached = this.qualnameCache.get(binding);
    if (cached !== undefined) return cached;
    this.qualnameCache.set(binding, null); // cycle guard: `x = x.y`
    const outerReached = this.boundReached;
    this.boundReached = false;
    let result: string | null | 'none' = null;
    if (binding.kind === 'import') result = binding.qualname ?? null;
    else if (binding.kind === 'assign' && binding.value) {
      const value = unparen(binding.value);
      if (value.type === 'none') result = 'none';
      else if (value.type === 'identifier' || value.type === 'attribute' || value.type === 'call')
        result = this.qualifiedName(value, depth + 1) ?? null;
    }
    // a name given up on at the alias bound is unknown from this start only: resolved again from a nearer one
    if (this.boundReached) this.qualnameCache.delete(binding);
    else this.qualnameCache.set(binding, result);
    this.boundReached ||= outerReached;
    return result;
  }

  private newScope(kind: ScopeKind, node: Node, parent: Scope | undefined): Scope {
    const scope: Scope = { kind, node, parent, bindings: new Map(), outerNames: new Set(), starImports: [] };
    this.byNode.set(node.id, scope);
    return scope;
  }

  private bind(scope: Scope, binding: Omit<Binding, 'scope'>): void {
    if (binding.node.type === 'identifier') this.identifierScopes.set(binding.node.id, scope);
    let target = scope;
    if (scope.outerNames.has(binding.name)) target = this.module;
    const list = target.bindings.get(binding.name) ?? [];
    list.push({ ...binding, scope: target });
    target.bindings.set(binding.name, list);
  }

  /** Binds every identifier in an assignment target; a lone identifier gets `kind` and `value`. */
  private bindTarget(scope: Scope, target: Node, kind: BindingKind, value: Node | undefined): void {
    // each part of `a, b = value` / `for a, b in value` came from (an element of) the same value
    const carries = kind === 'unpack' || kind === 'iterate';
    // an explicit stack, in document order: `[[[…a…]]] = v` may nest thousands deep
    const stack: [Node, boolean][] = [[target, true]];
    for (let item = stack.pop(); item; item = stack.pop()) {
      const [part, top] = item;
      const t = unparen(part);
      if (t.type === 'identifier') {
        const own = top || carries;
        this.bind(scope, { kind: own ? kind : 'other', name: t.text, node: t, value: own ? value : undefined });
      } else if (TARGET_LISTS.has(t.type)) {
        const parts = namedChildren(t);
        for (let i = parts.length - 1; i >= 0; i--) stack.push([parts[i], false]);
      }
      // attribute and subscript targets bind no name
    }
  }

  private visitChildren(node: Node, scope: Scope): void {
    for (const child of node.namedChildren) if (child) this.visit(child, scope);
  }

  private visit(node: Node, scope: Scope): void {
    this.queued.push([node, scope]);
  }

  private visitNode(node: Node, scope: Scope): void {
    switch (node.type) {
      case 'identifier':
        this.identifierScopes.set(node.id, scope);
        return;
      case 'function_definition': {
        const name = node.childForFieldName('name');
        if (name) this.bind(scope, { kind: 'def', name: name.text, node });
        const fnScope = this.newScope('function', node, scope);
        const params = node.childForFieldName('parameters');
        if (params) this.visitParameters(params, fnScope, scope);
        const returns = node.childForFieldName('return_type');
        if (returns) this.visit(returns, scope);
        const body = node.childForFieldName('body');
        if (body) this.visitChildren(body, fnScope);
        return;
      }
      case 'lambda': {
        const lambdaScope = this.newScope('lambda', node, scope);
        const params = node.childForFieldName('parameters');
        if (params) this.visitParameters(params, lambdaScope, scope);
        const body = node.childForFieldName('body');
        if (body) this.visit(body, lambdaScope);
        return;
      }
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) this.bind(scope, { kind: 'class', name: name.text, node });
        const bases = node.childForFieldName('superclasses');
        if (bases) this.visit(bases, scope);
        const classScope = this.newScope('class', node, scope);
        const body = node.childForFieldName('body');
        if (body) this.visitChildren(body, classScope);
        return;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression': {
        const compScope = this.newScope('comprehension', node, scope);
        this.visitChildren(node, compScope);
        return;
      }
      case 'for_in_clause':
      case 'for_statement': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left) this.bindTarget(scope, left, 'iterate', right ?? undefined);
        for (const child of namedChildren(node)) if (child.id !== left?.id) this.visit(child, scope);
        return;
      }
      case 'import_statement':
        for (const item of node.childrenForFieldName('name')) {
          if (!item) continue;
          if (item.type === 'aliased_import') {
            const dotted = item.childForFieldName('name');
            const alias = item.childForFieldName('alias');
            if (dotted && alias) this.bind(scope, { kind: 'import', name: alias.text, node, qualname: dotted.text });
          } else {
            const head = item.text.split('.')[0];
            this.bind(scope, { kind: 'import', name: head, node, qualname: head });
          }
        }
        return;
      case 'import_from_statement': {
        const moduleNode = node.childForFieldName('module_name');
        const moduleName = moduleNode?.text.replace(/\s+/g, '') ?? '';
        if (namedChildren(node).some((c) => c.type === 'wildcard_import')) {
          if (scope.kind === 'module') scope.starImports.push(moduleName);
          return;
        }
        for (const item of node.childrenForFieldName('name')) {
          if (!item) continue;
          const dotted = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
          const alias = item.type === 'aliased_import' ? item.childForFieldName('alias') : item;
          if (!dotted || !alias) continue;
          const joiner = moduleName.endsWith('.') ? '' : '.';
          this.bind(scope, {
            kind: 'import',
            name: alias.text,
            node,
            qualname: `${moduleName}${joiner}${dotted.text}`,
          });
        }
        return;
      }
      case 'assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const annotation = node.childForFieldName('type');
        // `a = b = value`: every target gets the final value
        let value = right;
        while (value?.type === 'assignment') value = value.childForFieldName('right');
        if (left && (right || !annotation)) {
          const t = unparen(left);
          if (t.type === 'identifier')
            this.bind(scope, {
              kind: 'assign',
              name: t.text,
              node: t,
              value: value ?? undefined,
              annotation: annotation ?? undefined,
            });
          else this.bindTarget(scope, left, 'unpack', value ?? undefined);
        }
        if (left && left.type !== 'identifier') this.visit(left, scope);
        if (annotation) this.visit(annotation, scope);
        if (right) this.visit(right, scope);
        return;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left) this.bindTarget(scope, left, 'other', undefined);
        this.visitChildren(node, scope);
        return;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        // PEP 572: a walrus inside a comprehension binds in the enclosing function
        let target = scope;
        // eslint-disable-next-line no-restricted-syntax -- a Scope's parent, not a tree-sitter node's
        while (target.kind === 'comprehension' && target.parent) target = target.parent;
        if (name) this.bind(target, { kind: 'assign', name: name.text, node: name, value: value ?? undefined });
        if (value) this.visit(value, scope);
        return;
      }
      case 'with_item': {
        const value = node.childForFieldName('value');
        if (value?.type === 'as_pattern') {
          const source = value.namedChild(0);
          const alias = value.childForFieldName('alias');
          const target = alias?.namedChild(0);
          if (target) this.bindTarget(scope, target, 'with', source ?? undefined);
          if (source) this.visit(source, scope);
          return;
        }
        this.visitChildren(node, scope);
        return;
      }
      case 'except_clause':
      case 'case_pattern':
        for (const pattern of namedChildren(node)) {
          if (pattern.type === 'as_pattern') {
            const target = pattern.childForFieldName('alias')?.namedChild(0);
            if (target) this.bindTarget(scope, target, 'other', undefined);
          }
        }
        this.visitChildren(node, scope);
        return;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const name of namedChildren(node)) {
          scope.outerNames.add(name.text);
          this.declaredOuter.add(name.text);
        }
        return;
      default:
        this.visitChildren(node, scope);
    }
  }

  private visitParameters(params: Node, scope: Scope, outer: Scope): void {
    for (const param of namedChildren(params)) {
      let name: Node | null = null;
      let defaultValue: Node | undefined;
      let annotation: Node | null = null;
      switch (param.type) {
        case 'identifier':
          name = param;
          break;
        case 'typed_parameter':
          name = param.namedChildren.find((c) => c?.type === 'identifier') ?? null;
          if (!name) name = param.namedChild(0)?.namedChild(0) ?? null; // *args: T
          annotation = param.childForFieldName('type');
          break;
        case 'default_parameter':
        case 'typed_default_parameter':
          name = param.childForFieldName('name');
          annotation = param.childForFieldName('type');
          {
            const value = param.childForFieldName('value');
            if (value) this.visit(value, outer);
            defaultValue = value ?? undefined;
          }
          break;
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern':
          name = param.namedChild(0);
          break;
        default:
          break;
      }
      if (name?.type === 'identifier')
        this.bind(scope, {
          kind: 'param',
          name: name.text,
          node: name,
          annotation: annotation ?? undefined,
          default: defaultValue,
        });
      if (annotation) this.visit(annotation, outer);
    }
  }
}

/** Builds the scopes of a parsed module. */
export function analyzeScopes(root: Node): FileScopes {
  return new FileScopes(root);
}

function isParameterName(node: Node): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'parameters' || p.type === 'lambda_parameters') return true;
    if (p.type === 'type' || p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      // inside an annotation or default value: evaluated in the outer scope unless this is the name field
      return p.childForFieldName('name')?.id === node.id;
    }
  }
  return false;
}

/** False for identifiers that bind or name something rather than read a variable (`x =`, `a.x`, `f(x=…)`, defs). */
export function isReference(node: Node): boolean {
  const parent = parentOf(node);
  if (!parent) return true;
  const is = (field: string) => parent.childForFieldName(field)?.id === node.id;
  switch (parent.type) {
    case 'attribute':
      return !is('attribute');
    case 'keyword_argument':
      return !is('name');
    case 'assignment':
    case 'augmented_assignment':
    case 'for_statement':
    case 'for_in_clause':
      return !is('left');
    case 'named_expression':
      return !is('name');
    case 'function_definition':
    case 'class_definition':
      return !is('name');
    case 'default_parameter':
    case 'typed_default_parameter':
      return !is('name');
    case 'as_pattern_target':
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'parameters':
    case 'lambda_parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
    case 'dotted_name':
    case 'aliased_import':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'keyword_pattern':
      return false;
    default:
      return true;
  }
}

/**
 * What a `torch.save(obj, "path")` site writes, as the globals torch's unpickler will meet when loading it back:
 * evidence for the fix of a load of the same path when no checkpoint file is at hand. Only shapes whose pickled
 * globals are certain are typed; anything else is `unknown` (and then gives no evidence at all).
 */
import { type Node, parentOf } from '../syntax/parse';
import { callArguments, callEndingWith, methodName, parentHolding, stringValue, unparen } from '../syntax/python';
import type { FileScopes } from '../syntax/scope';
import { type Directives, externalCodes, parseDirectives, pythonComments } from '../engine/directives';
import { EXTERNAL_CODES } from './external-codes';
import { asLoadCall, isSaveCall, pathArgument, pickleModuleArgument, weightsOnlyArgument } from './api';

/** How deep a saved value (names, containers) is typed before it counts as unknown. */
const MAX_SAVED_DEPTH = 20;

/** A torch.save site with a string-literal path. */
export interface SaveSite {
  /** The path as written (`"checkpoints/last.pt"`), or `@args.ckpt` for a configuration key (see `pathKey`). */
  literal: string;
  /** Absolute path of the file and 1-based line of the call, for messages. */
  file: string;
  line: number;
  /** The globals the saved object pickles beyond plain data and tensors, or `unknown`. */
  globals: string[] | 'unknown';
  /**
   * Those of `globals` that are instances of imported classes (`Config(...)`): evidence only once the class is known
   * not to be an nn.Module (a module pickles its submodules too), which the repository index decides.
   */
  constructed: string[];
  /**
   * When the saved object is a whole model bound once to a constructor call of an imported class with literal
   * arguments (`model = Net(3, hidden=5)`): the argument list as written (`(3, hidden=5)`) and the class's
   * qualified name, so that a load site can rebuild it. Undefined otherwise.
   */
  model?: SavedModel;
}

/** How to rebuild a saved whole model: the class, its argument list as written, and its dict key if it sits in one. */
export interface SavedModel {
  arguments: string;
  classQualified: string;
  /** `"model"` for `torch.save({"model": model, "epoch": 3}, p)`; undefined when the model is the saved object. */
  key?: string;
}

/** A torch.load-family call with a string-literal path (torch's own functions only). */
export interface LoadSite {
  literal: string;
  file: string;
  line: number;
  /**
   * True when the load can be rewritten to rebuild a model and load a state dict: `name = torch.load("p"[, ...])`
   * directly in a block, without `pickle_module`, `**kwargs` or `*args`, and without weights_only or with a literal
   * `False` (the loads the weights_only rules rewrite).
   */
  rewritable: boolean;
  /**
   * For a rewritable load kept whole (`ckpt = torch.load(p)`, or `x = torch.load(p)["k"]`): the dict keys read from
   * the loaded value, each true when every read of it is a plain `name = ckpt["k"]` statement (which a migration can
   * rewrite), and `opaque` when the value is also used in any other way (passed on, iterated, `.items()`).
   */
  keys: Record<string, boolean>;
  opaque: boolean;
  /** The rule whose fix rewrites it: `weights_only` absent or a literal `False`. */
  rewrittenBy?: 'torch-load-missing-weights-only' | 'torch-load-weights-only-false';
  /** When the rewrite adds the `weights_only` keyword: the torch release that has it (torch.ts `weightsOnlySince`). */
  weightsOnlySince?: readonly [number, number];
}

/** Names a configuration object commonly goes by: `args.ckpt` in a save and a load names the same file. */
export const CONFIG_NAMES = [
  'args',
  'opt',
  'opts',
  'cfg',
  'config',
  'conf',
  'hparams',
  'hp',
  'settings',
  'FLAGS',
  'params',
];

/**
 * The key a save and a load of the same file share: the string literal as written (`"runs/last.pt"`), or `@` and an
 * attribute path on a configuration object (`@args.ckpt_path`); undefined for any other path expression.
 */
export function pathKey(path: Node): string | undefined {
  const e = unparen(path);
  const literal = stringValue(e);
  if (literal !== undefined) return literal;
  let head: Node | null = e;
  while (head?.type === 'attribute') head = head.childForFieldName('object');
  return e.type === 'attribute' && head?.type === 'identifier' && CONFIG_NAMES.includes(head.text) && !/\s/.test(e.text)
    ? `@${e.text}`
    : undefined;
}

/** Every torch.save call of a file whose path is a string literal or a configuration key (see `pathKey`). */
export function summarizeSaves(file: string, scopes: FileScopes): SaveSite[] {
  const sites: SaveSite[] = [];
  for (const id of scopes.identifiersNamed('save')) {
    const { call } = callEndingWith(id) ?? {};
    if (!call || !isSaveCall(call, scopes)) continue;
    const args = callArguments(call);
    const obj = args.positional[0] ?? args.keywords.get('obj')?.childForFieldName('value') ?? undefined;
    const path = args.positional[1] ?? args.keywords.get('f')?.childForFieldName('value') ?? undefined;
    const literal = path && pathKey(path);
    if (!obj || literal === undefined) continue;
    // a configuration key may name different files in different runs: typing evidence only, never a migration
    const model = literal.startsWith('@')
      ? undefined
      : (rebuildableModel(obj, scopes) ?? rebuildableEntry(obj, scopes));
    const constructed = new Set<string>();
    const globals = savedGlobals(obj, scopes, constructed);
    sites.push({
      literal,
      file,
      line: call.startPosition.row + 1,
      globals,
      constructed: [...constructed],
      ...(model && { model }),
    });
  }
  return sites;
}

/**
 * `model` bound once to `Cls(literal, key=literal)` where `Cls` (or `nn.Cls`) comes from an import: the class and
 * the argument list as written, so that a load site can rebuild the same model.
 */
function rebuildableModel(obj: Node, scopes: FileScopes): SaveSite['model'] {
  const e = unparen(obj);
  const bindings = e.type === 'identifier' ? scopes.bindingsOf(e) : undefined;
  if (bindings?.length !== 1 || bindings[0].kind !== 'assign' || !bindings[0].value) return undefined;
  const ctor = unparen(bindings[0].value);
  const callee = ctor.type === 'call' ? ctor.childForFieldName('function') : null;
  let head = callee;
  while (head?.type === 'attribute') head = head.childForFieldName('object');
  const imported = head?.type === 'identifier' && scopes.bindingsOf(head)?.every((b) => b.kind === 'import');
  const classQualified = callee && imported ? scopes.qualifiedName(callee) : undefined;
  const list = ctor.childForFieldName('arguments');
  if (!classQualified || classQualified.startsWith('.') || list?.type !== 'argument_list') return undefined;
  const args = callArguments(ctor);
  const values = [...args.positional, ...[...args.keywords.values()].map((k) => k.childForFieldName('value')!)];
  const literalArgs =
    !args.hasListSplat &&
    !args.hasDictSplat &&
    values.every((arg) => {
      const value = unparen(arg);
      return (
        ['integer', 'float', 'true', 'false', 'none'].includes(value.type) ||
        (value.type === 'string' && stringValue(value) !== undefined)
      );
    });
  return literalArgs && !list.text.includes('\n') ? { arguments: list.text, classQualified } : undefined;
}

/**
 * A dict literal with one entry holding a rebuildable model (`{"model": model, "epoch": 3}`) and only plain data in
 * the others (nothing to allowlist once the model is a state dict).
 */
function rebuildableEntry(obj: Node, scopes: FileScopes): SavedModel | undefined {
  const e = unparen(obj);
  if (e.type !== 'dictionary') return undefined;
  let found: SavedModel | undefined;
  for (const pair of e.namedChildren) {
    if (!pair || pair.type === 'comment') continue;
    if (pair.type !== 'pair') return undefined;
    const key = stringValue(unparen(pair.childForFieldName('key')!));
    const value = pair.childForFieldName('value')!;
    const model = key === undefined ? undefined : rebuildableModel(value, scopes);
    if (model) {
      if (found) return undefined; // two models
      found = { ...model, key };
    } else {
      const globals = savedGlobals(value, scopes, new Set());
      if (globals === 'unknown' || globals.length > 0) return undefined;
    }
  }
  return found;
}

/**
 * Every call of a file that loads a string-literal path: torch.load / torch.serialization.load, and any other callee
 * whose name contains "load" (a wrapper, `joblib.load`, …) with a string-literal argument — those are never
 * rewritable, so they keep a path from being migrated.
 */
export function summarizeLoads(file: string, scopes: FileScopes): LoadSite[] {
  const sites: LoadSite[] = [];
  const names = [...scopes.identifierNames()].filter((n) => /load/i.test(n));
  for (const id of names.flatMap((n) => scopes.identifiersNamed(n))) {
    const { call } = callEndingWith(id) ?? {};
    if (!call) continue;
    const load = asLoadCall(call, scopes);
    const line = call.startPosition.row + 1;
    if (!load || load.fn.weightsOnlyDefault !== 'torch') {
      const args = callArguments(call);
      for (const arg of [
        ...args.positional,
        ...[...args.keywords.values()].map((k) => k.childForFieldName('value')!),
      ]) {
        const literal = stringValue(unparen(arg));
        if (literal !== undefined) sites.push({ literal, file, line, rewritable: false, keys: {}, opaque: true });
      }
      continue;
    }
    const path = pathArgument(load);
    const literal = path && stringValue(unparen(path));
    if (literal === undefined) continue;
    // `x = torch.load(p)` or `x = torch.load(p)["k"]`, a statement of its own directly in a block
    const keyed = parentHolding(call, 'subscript', 'value');
    const key = keyed ? subscriptKey(keyed) : undefined;
    const value = keyed ?? call;
    const assignment = parentHolding(value, 'assignment', 'right');
    const statement = assignment && parentOf(assignment);
    // weights_only absent or a literal False: the loads the weights_only rules report and rewrite
    const weightsOnly = weightsOnlyArgument(load);
    const target = assignment?.childForFieldName('left');
    // a suppression of its rule on the load (or for the whole file) keeps that rule from rewriting it: asked of the
    // same directive parser the linter uses
    const rewrittenBy = weightsOnly === undefined ? 'torch-load-missing-weights-only' : 'torch-load-weights-only-false';
    const rewritable =
      !directivesOf(scopes).suppresses(rewrittenBy, line) &&
      statement?.type === 'expression_statement' &&
      (keyed === undefined || key !== undefined) &&
      (weightsOnly === undefined || unparen(weightsOnly).type === 'false') &&
      target?.type === 'identifier' &&
      ['block', 'module'].includes(parentOf(statement)?.type ?? '') &&
      !load.args.hasListSplat &&
      !load.args.hasDictSplat &&
      !pickleModuleArgument(load);
    const keys: Record<string, boolean> = {};
    let opaque = false;
    if (rewritable && key !== undefined) {
      keys[key] = true;
    } else if (rewritable) {
      // the loaded value is bound to a name: how is it read?
      const bindings = scopes.bindingsOf(target!);
      if (bindings?.length !== 1) opaque = true;
      else {
        for (const ref of scopes.references(bindings[0])) {
          const sub = parentHolding(ref, 'subscript', 'value');
          const k = sub ? subscriptKey(sub) : undefined;
          if (k === undefined) {
            opaque = true;
            continue;
          }
          const assign = parentHolding(sub!, 'assignment', 'right');
          const assignStatement = assign && parentOf(assign);
          const plain =
            assign?.childForFieldName('left')?.type === 'identifier' &&
            assignStatement?.type === 'expression_statement' &&
            ['block', 'module'].includes(parentOf(assignStatement!)?.type ?? '');
          // a key read twice would rebuild two models where the whole-model load shared one
          keys[k] = k in keys ? false : Boolean(plain);
        }
      }
    }
    const weightsOnlySince = weightsOnly === undefined ? load.fn.weightsOnlySince : undefined;
    sites.push({ literal, file, line, rewritable, keys, opaque: opaque || !rewritable, rewrittenBy, weightsOnlySince });
  }
  return sites.sort((a, b) => a.line - b.line);
}

/**
 * The file's suppression directives (parsed once per file). `# noqa: TOR102` and the like count even where a config
 * turns them off for the linter: a load they name is then only left alone by the migration, never rewritten wrongly.
 */
function directivesOf(scopes: FileScopes): Directives {
  let directives = directiveCache.get(scopes);
  if (!directives) {
    directives = parseDirectives(pythonComments(scopes.module.node), new Set(), { external: EXTERNAL_TABLE });
    directiveCache.set(scopes, directives);
  }
  return directives;
}

const directiveCache = new WeakMap<FileScopes, Directives>();
const EXTERNAL_TABLE = externalCodes(Object.entries(EXTERNAL_CODES).map(([id, aliases]) => ({ id, aliases })));

/** The string key of `x["k"]`, or undefined. */
function subscriptKey(subscript: Node): string | undefined {
  const index = subscript.childForFieldName('subscript');
  return index ? stringValue(unparen(index)) : undefined;
}

/** How every save and load of one checkpoint path can move to state_dict together, or why not. */
export type Migration = (SavedModel & { loads: LoadSite[] }) | { reason: string; loads: LoadSite[] };

/**
 * Whether the whole-model saves of `literal` and all its loads can be rewritten together: every save rebuilds the
 * same model (same class, arguments and dict key), and every load is rewritable — for a model saved on its own, a
 * `name = torch.load(p)` statement; for one saved under a key, a load whose value is read only by keys, each read of
 * that key a `name = ckpt["k"]` statement. `saves` and `loads` are all the sites of the literal in the linted files.
 */
export function migrationFor(saves: readonly SaveSite[], loads: readonly LoadSite[]): Migration {
  const models = saves.map((s) => s.model);
  const all = [...loads];
  if (saves.length === 0 || models.some((m) => !m))
    return {
      reason: 'the saved model is not rebuilt from a constructor with literal arguments of an imported class',
      loads: all,
    };
  if (new Set(models.map((m) => `${m!.classQualified}\0${m!.arguments}\0${m!.key ?? ''}`)).size > 1)
    return { reason: 'the saves of this path build different models', loads: all };
  const model = models[0]!;
  if (loads.length === 0)
    return {
      reason: 'no load of this path is in the linted files, and whatever reads it elsewhere would break',
      loads: all,
    };
  if (loads.some((l) => !l.rewritable))
    return { reason: 'a load of this path is not a plain `name = torch.load(...)` statement', loads: all };
  if (model.key !== undefined && loads.some((l) => l.opaque || l.keys[model.key!] === false)) {
    return {
      reason: `a load of this path uses the loaded dict other than \`name = ckpt["${model.key}"]\``,
      loads: all,
    };
  }
  if (model.key === undefined && loads.some((l) => Object.keys(l.keys).length > 0 && !l.opaque)) {
    return { reason: 'a load of this path reads it as a dict', loads: all };
  }
  return { ...model, loads: all };
}

/**
 * The globals pickling `expr` produces that torch's default allowlist may lack: `[]` for plain data (numbers,
 * strings, None, booleans, tensors, `x.state_dict()`, `vars(args)`), `argparse.Namespace` for parsed arguments, the
 * class for an instance of an imported class (also added to `constructed`), unions through dict, list and tuple
 * literals, and names bound once.
 * `unknown` for anything else (a module, a numpy value — its dtype classes vary with numpy's version —, a call).
 */
export function savedGlobals(
  expr: Node,
  scopes: FileScopes,
  constructed: Set<string>,
  depth = 0,
): string[] | 'unknown' {
  const e = unparen(expr);
  if (depth > MAX_SAVED_DEPTH) return 'unknown';
  const union = (parts: Node[]): string[] | 'unknown' => {
    const all = new Set<string>();
    for (const part of parts) {
      const found = savedGlobals(part, scopes, constructed, depth + 1);
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
      return e.namedChildren.some((c) => c?.type === 'list_splat')
        ? 'unknown'
        : union(e.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment'));
    case 'call': {
      const callee = e.childForFieldName('function');
      const method = methodName(e);
      if (method === 'state_dict' && callArguments(e).positional.length === 0) return [];
      if (method === 'parse_args') return ['argparse.Namespace'];
      const name = callee && scopes.qualifiedName(callee);
      if (name === 'builtins.vars' || name === 'builtins.int' || name === 'builtins.float' || name === 'builtins.str')
        return [];
      if (name && /^torch\.(tensor|zeros|ones|randn|rand|arange|empty|full|stack|cat)$/.test(name)) return [];
      // an instance of a class imported from another module: that class (its attributes are not followed)
      const bindings = callee?.type === 'identifier' ? scopes.bindingsOf(callee) : undefined;
      if (
        name &&
        bindings?.every((b) => b.kind === 'import') &&
        /^[A-Za-z_][\w.]*\.[A-Z]\w*$/.test(name) &&
        !name.startsWith('torch.')
      ) {
        constructed.add(name);
        return [name];
      }
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
      return savedGlobals(bindings[0].value, scopes, constructed, depth + 1);
    }
    default:
      return 'unknown';
  }
}

const MUTATING_METHODS = new Set(['update', 'setdefault', 'append', 'extend', 'insert', '__setitem__', '__setattr__']);

/** True when a reference is the object of a write: an item or attribute assignment target, or a mutating method. */
function isWrittenInto(ref: Node): boolean {
  const parent = parentOf(ref);
  // handed to a function (which may add to it), other than torch.save itself
  const args = parent?.type === 'keyword_argument' ? parentOf(parent) : parent;
  const call = args?.type === 'argument_list' ? parentOf(args) : null;
  if (call?.type === 'call' && !/(^|\.)save$/.test(call.childForFieldName('function')?.text ?? '')) return true;
  if (
    !parent ||
    (parent.type !== 'subscript' && parent.type !== 'attribute') ||
    parent.childForFieldName(parent.type === 'subscript' ? 'value' : 'object')?.id !== ref.id
  )
    return false;
  const grand = parentOf(parent);
  if (
    (grand?.type === 'assignment' || grand?.type === 'augmented_assignment') &&
    grand.childForFieldName('left')?.id === parent.id
  )
    return true;
  if (grand?.type === 'pattern_list' || grand?.type === 'tuple_pattern' || grand?.type === 'delete_statement')
    return true;
  return (
    parent.type === 'attribute' &&
    grand?.type === 'call' &&
    MUTATING_METHODS.has(parent.childForFieldName('attribute')?.text ?? '')
  );
}

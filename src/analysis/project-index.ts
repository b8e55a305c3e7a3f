/**
 * The repository index: what other files of the project define, so that rules can follow `from app.models import
 * Net` and class hierarchies across files. Demand-driven: a module is summarised the first time a rule asks about
 * it, from the one parse of that file (see `ModuleProvider`). Summaries are plain data; trees are not kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Node, ownedCopy } from '../syntax/parse';
import type { Constant } from './constants';
import { namedChildren, unparen } from '../syntax/python';
import type { FileScopes } from '../syntax/scope';
import { DependencyLog, type Memo, question as dependency } from './dependencies';

/** How many project classes a base-class chain may cross, and how many re-exports a name may hop through. */
const MAX_CLASS_CHAIN = 50;
const MAX_REEXPORT_HOPS = 8;

/** A base class as written: a class of the same module, or a qualified name (`torch.nn.Module`, `.base.Base`). */
export type BaseRef = { local: string } | { qualified: string };

export interface ClassSummary {
  name: string;
  /** 1-based line of the `class` statement. */
  line: number;
  bases: BaseRef[];
}

/**
 * What one module defines at its top level, and `extra`: what a rule family's summarizer adds (the torch rules:
 * load wrappers, saves and loads, see src/torch/summary.ts). Plain data.
 */
export interface ModuleSummary<Extra = unknown> {
  file: string;
  classes: Map<string, ClassSummary>;
  /** Module-level names bound by imports (re-exports such as `from .models import Net` in `__init__.py`). */
  imports: Map<string, string>;
  /** Module-level names bound once to True, False or None. */
  constants: Map<string, Constant>;
  /** Names of module-level functions (wrappers or not). */
  functions: Set<string>;
  /** Modules re-exported with `from m import *`. */
  stars: string[];
  /** What the summarizer of the caller adds. */
  extra: Extra;
}

/** Computes the `extra` part of a module's summary from the same scopes. */
export type Summarizer<Extra> = (file: string, scopes: FileScopes) => Extra;

/** Builds a module's summary from its scopes (no extra parse); plain data that holds nothing of the tree or text. */
export function summarizeModule<Extra>(
  file: string,
  scopes: FileScopes,
  extra: Summarizer<Extra>,
): ModuleSummary<Extra> {
  const classes = new Map<string, ClassSummary>();
  const imports = new Map<string, string>();
  for (const [name, bindings] of scopes.module.bindings) {
    if (bindings.length !== 1) continue; // rebound names are not judged
    const binding = bindings[0];
    if (binding.kind === 'import' && binding.qualname) imports.set(name, binding.qualname);
    if (binding.kind === 'class')
      classes.set(name, { name, line: binding.node.startPosition.row + 1, bases: basesOf(binding.node, scopes) });
  }
  const constants = new Map<string, Constant>();
  for (const [name, bindings] of scopes.module.bindings) {
    const value =
      bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value
        ? unparen(bindings[0].value).type
        : undefined;
    if (value === 'true' || value === 'false' || value === 'none') constants.set(name, value);
  }
  const functions = new Set(
    [...scopes.module.bindings].filter(([, b]) => b.some((x) => x.kind === 'def')).map(([name]) => name),
  );
  // the summary outlives the tree: its names must not be slices that keep the file's text alive
  return ownedCopy({
    file,
    classes,
    imports,
    constants,
    functions,
    stars: [...scopes.module.starImports],
    extra: extra(file, scopes),
  });
}

/**
 * Every name the file binds in any scope: to the qualified name it imports (`Net` → `app.models.Net`), or null when
 * some binding of it is not an import of that one name (an assignment, a def, another import).
 */
export function boundNames(scopes: FileScopes): Map<string, string | null> {
  const names = new Map<string, string | null>();
  for (const scope of scopes.allScopes()) {
    for (const [name, bindings] of scope.bindings) {
      for (const binding of bindings) {
        const q = binding.kind === 'import' && binding.qualname ? binding.qualname : null;
        names.set(name, names.has(name) && names.get(name) !== q ? null : q);
      }
    }
  }
  return names;
}

function basesOf(cls: Node, scopes: FileScopes): BaseRef[] {
  const refs: BaseRef[] = [];
  for (const base of namedChildren(cls.childForFieldName('superclasses') ?? cls)) {
    if (base.type === 'keyword_argument' || base.id === cls.childForFieldName('name')?.id || base.type === 'block')
      continue;
    if (base.type === 'identifier') {
      const bindings = scopes.bindingsOf(base);
      if (bindings?.length === 1 && bindings[0].kind === 'class') {
        refs.push({ local: base.text });
        continue;
      }
    }
    const name = scopes.qualifiedName(base);
    if (name) refs.push({ qualified: name });
  }
  return refs;
}

/** Gives the summary of a Python file, parsing it (once) if no one has yet; undefined if it cannot be read. */
export type ModuleProvider<Extra = unknown> = (file: string) => ModuleSummary<Extra> | undefined;

/** Module ancestors that make a class an nn.Module, and why, for messages. */
export interface ClassVerdict {
  /** Human-readable chain, e.g. "`Net` (app/models.py:4) subclasses nn.Module". */
  reason: string;
}

/**
 * A question {@link ProjectIndex.lookup} answers about a module's symbol: `pick` reads the answer from a summary.
 * Answers are memoized per question object, so define each question once (a module-level constant), not per call.
 */
export interface SymbolQuestion<Extra, T> {
  /** What is asked, for debugging (`loader`, `class`). */
  readonly name: string;
  readonly pick: (summary: ModuleSummary<Extra>, name: string) => T | undefined;
}

/**
 * The repository index of one lint run. Every answer is memoized for the life of the object (file existence, module
 * paths, symbol lookups): create one per run, as files may change between runs.
 */
export class ProjectIndex<Extra = unknown> {
  /** isFile by path. */
  private readonly files = new Map<string, boolean>();
  /** packageParent by folder: every file of a folder asks the same question many times. */
  private readonly packageParents = new Map<string, string>();
  /** resolveModule by folder of the importing file and dotted name (null: no such file). */
  private readonly modules = new Map<string, string | null>();
  /**
   * Symbol lookups by question, then by where they are asked from and the qualified name, each with the questions
   * computing it asked (the module paths and summaries it read), which the log records again when it is served.
   */
  private readonly symbols = new Map<
    SymbolQuestion<Extra, unknown>,
    Map<string, Memo<{ file: string; value: unknown } | undefined>>
  >();
  /** The questions of the index's own methods. */
  private readonly classQuestion: SymbolQuestion<Extra, ClassSummary> = {
    name: 'class',
    pick: (summary, name) => summary.classes.get(name),
  };
  private readonly constantQuestion: SymbolQuestion<Extra, Constant> = {
    name: 'constant',
    pick: (summary, name) => summary.constants.get(name),
  };
  private readonly functionQuestion: SymbolQuestion<Extra, true> = {
    name: 'function',
    pick: (summary, name) => (summary.functions.has(name) ? true : undefined),
  };

  constructor(
    /** Folders to resolve absolute imports from, besides the importing file's own folder and package root. */
    private readonly roots: readonly string[],
    private readonly provide: ModuleProvider<Extra>,
    /**
     * Where module resolutions are recorded for the result cache (`module` NUL folder NUL dotted name: the answer
     * depends on the importing file's folder only); `provide` records the summaries it gives. A memoized lookup
     * records again what computing it asked (DependencyLog.memo).
     */
    private readonly log: DependencyLog = new DependencyLog(false),
  ) {}

  /**
   * The file a module path names when imported from `fromFile`: `.models` (relative, one dot per level) or
   * `app.models` (absolute: tried from the file's folder as a script would, from its top package's parent, then from
   * each root). Returns undefined when no such file exists.
   */
  resolveModule(fromFile: string, dotted: string): string | undefined {
    // the answer depends on the importing file's folder only (its package parent is that folder's too)
    const folder = path.dirname(fromFile);
    this.log.ask(dependency.module(folder, dotted));
    const key = `${folder}\n${dotted}`;
    let found = this.modules.get(key);
    if (found === undefined)
      this.modules.set(ownedCopy(key), (found = ownedCopy(this.findModule(folder, dotted) ?? null)));
    return found ?? undefined;
  }

  private findModule(folder: string, dotted: string): string | undefined {
    const level = /^\.*/.exec(dotted)![0].length;
    const parts = dotted.slice(level).split('.').filter(Boolean);
    const bases: string[] = [];
    if (level > 0) {
      let base = folder;
      for (let i = 1; i < level; i++) base = path.dirname(base);
      bases.push(base);
    } else {
      bases.push(folder, this.packageParent(folder), ...this.roots);
    }
    for (const base of bases) {
      const target = path.join(base, ...parts);
      // a package directory takes precedence over a module of the same name (importlib's FileFinder)
      for (const candidate of [path.join(target, '__init__.py'), `${target}.py`])
        if (this.isFile(candidate)) return candidate;
    }
    return undefined;
  }

  /** The folder above the top-level package that `folder` is in (the folder a `python -m` run imports from). */
  private packageParent(folder: string): string {
    let dir = this.packageParents.get(folder);
    if (dir === undefined) {
      dir = folder;
      while (this.isFile(path.join(dir, '__init__.py')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
      this.packageParents.set(folder, dir);
    }
    return dir;
  }

  private isFile(file: string): boolean {
    let known = this.files.get(file);
    if (known === undefined) {
      try {
        known = fs.statSync(file).isFile();
      } catch {
        known = false;
      }
      this.files.set(file, known);
    }
    return known;
  }

  /**
   * If the qualified name (as resolved in `fromFile`: `.models.Net`, `app.models.Net`) is a class of this project
   * that subclasses one of `isBase` through any chain of project classes, why. Cycles and depth are bounded.
   */
  moduleClass(
    fromFile: string,
    qualified: string,
    isBase: (name: string) => boolean,
    seen = new Set<string>(),
  ): ClassVerdict | undefined {
    const found = this.findClass(fromFile, qualified);
    if (!found) return undefined;
    const { file, cls } = found;
    const key = `${file}:${cls.name}`;
    if (seen.has(key) || seen.size > MAX_CLASS_CHAIN) return undefined;
    seen.add(key);
    const where = `${this.displayPath(file)}:${cls.line}`;
    for (const base of cls.bases) {
      if ('local' in base) {
        if (this.moduleClass(file, `${SELF}${base.local}`, isBase, seen))
          return { reason: `\`${cls.name}\` (${where}) subclasses nn.Module` };
      } else if (isBase(base.qualified) || this.moduleClass(file, base.qualified, isBase, seen)) {
        return { reason: `\`${cls.name}\` (${where}) subclasses nn.Module` };
      }
    }
    return undefined;
  }

  /** True when `qualified` names a class defined in a project module the index can read. */
  classKnown(fromFile: string, qualified: string): boolean {
    return this.findClass(fromFile, qualified) !== undefined;
  }

  /** The class a qualified name denotes, following re-exports through `__init__.py` and other modules. */
  private findClass(fromFile: string, qualified: string): { file: string; cls: ClassSummary } | undefined {
    const found = this.lookup(fromFile, qualified, this.classQuestion);
    return found && { file: found.file, cls: found.value };
  }

  /**
   * What `question` finds for the symbol a qualified name denotes (`.models.Net`, `app.models.Net`, as resolved in
   * `fromFile`), following re-exports through `__init__.py`, other modules and star imports (at most 8 hops), with
   * the file that has it; undefined when nothing does. Memoized per question.
   */
  lookup<T>(
    fromFile: string,
    qualified: string,
    question: SymbolQuestion<Extra, T>,
  ): { file: string; value: T } | undefined {
    let answers = this.symbols.get(question);
    if (!answers) this.symbols.set(question, (answers = new Map()));
    // a name of the module itself is the file's; any other resolves from the file's folder alone (resolveModule)
    const key = `${qualified.startsWith(SELF) ? fromFile : path.dirname(fromFile)}\n${qualified}`;
    const found = this.log.memo(answers, key, () => this.findSymbol(fromFile, qualified, 0, question.pick));
    return found as { file: string; value: T } | undefined;
  }

  private findSymbol<T>(
    fromFile: string,
    qualified: string,
    depth: number,
    pick: (summary: ModuleSummary<Extra>, name: string) => T | undefined,
  ): { file: string; value: T } | undefined {
    if (depth > MAX_REEXPORT_HOPS) return undefined;
    if (qualified.startsWith(SELF)) {
      const summary = this.provide(fromFile);
      const value = summary && pick(summary, qualified.slice(SELF.length));
      return value ? { file: fromFile, value } : undefined;
    }
    const dots = /^\.*/.exec(qualified)![0];
    const rest = qualified.slice(dots.length);
    const cut = rest.lastIndexOf('.');
    const moduleName = dots + (cut >= 0 ? rest.slice(0, cut) : '');
    const symbol = cut >= 0 ? rest.slice(cut + 1) : rest;
    if (!moduleName) return undefined; // a bare name: a builtin or unresolved
    const file = this.resolveModule(fromFile, moduleName);
    if (!file) return undefined;
    const summary = this.provide(file);
    if (!summary) return undefined;
    const value = pick(summary, symbol);
    if (value) return { file, value };
    const reexport = summary.imports.get(symbol);
    if (reexport) return this.findSymbol(file, reexport, depth + 1, pick);
    // `from .models import *` in an `__init__.py`
    for (const star of summary.stars) {
      const found = this.findSymbol(file, `${star}${star.endsWith('.') ? '' : '.'}${symbol}`, depth + 1, pick);
      if (found) return found;
    }
    return undefined;
  }

  /** The value of a module-level True/False/None constant of the project (`.config.SAFE`), else `unknown`. */
  findConstant(fromFile: string, qualified: string): Constant {
    return this.lookup(fromFile, qualified, this.constantQuestion)?.value ?? 'unknown';
  }

  /** True when the project defines a module-level function by that qualified name (a wrapper or not). */
  definesFunction(fromFile: string, qualified: string): boolean {
    return this.lookup(fromFile, qualified, this.functionQuestion)?.value === true;
  }

  /** The project file that defines the module part of a qualified name (`app.io` of `app.io.load`), if any. */
  moduleFileOf(fromFile: string, qualified: string): string | undefined {
    const dots = /^\.*/.exec(qualified)![0];
    const rest = qualified.slice(dots.length);
    const cut = rest.lastIndexOf('.');
    const moduleName = dots + (cut >= 0 ? rest.slice(0, cut) : '');
    return moduleName ? this.resolveModule(fromFile, moduleName) : undefined;
  }

  /** A file's path for messages: relative to the first root (the working folder) when inside it. */
  displayPath(file: string): string {
    const rel = path.relative(this.roots[0] ?? '', file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
  }

  /** The summary of a file (parsing it once if needed). */
  summary(file: string): ModuleSummary<Extra> | undefined {
    return this.provide(file);
  }
}

/** Marks a name of the module itself (a local class), resolved against the file's own summary. */
const SELF = '\u0000self.';

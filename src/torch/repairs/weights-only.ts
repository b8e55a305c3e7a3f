/**
 * The safe_globals repair: wrap the statement that loads a checkpoint in
 * `with safe_globals([...]):` naming exactly the classes the checkpoint needs, and load it with
 * `weights_only=True`. The class list comes from evidence (the checkpoint file itself, read by the inspector).
 * Facts: `torch.serialization.safe_globals` is a context manager from torch 2.5; `(obj, "module.Name")` entries
 * from torch 2.6 (docs/torch-facts.md).
 */
import { allowlistFor, atLeast, type Inspection } from '../../checkpoint/inspect';
import { planImports } from '../../syntax/imports';
import type { CheckpointReference } from '../checkpoint-sites';
import type { Node } from '../../syntax/parse';
import { stringValue, unparen } from '../../syntax/python';
import type { Fix } from '../../engine/rule';
import type { ProjectContext } from '../services';
import type { FileScopes } from '../../syntax/scope';
import { type LoadCall, pathArgument, WEIGHTS_ONLY_SINCE } from '../api';
import { safetyCeiling, unpicklerGap } from './safety';
import { judgingVersion } from '../version';
import { type Migration, migrationFor, pathKey, type SavedModel, type SaveSite } from '../saves';
import { isModuleBaseName } from '../values';
import { isAllowlistable } from '../../checkpoint/dangerous';

/** What a rule passes in: the file, its scopes and project, as in `RuleContext`. */
export interface FixContext {
  filePath: string;
  text: string;
  root: Node;
  scopes: FileScopes;
  project: ProjectContext;
}

/** The checkpoint file a load names by a string literal, as the inspector saw it; undefined when there is none. */
export function checkpointOf(context: { filePath: string; project: ProjectContext }, load: LoadCall): CheckpointReference | undefined {
  const path = pathArgument(load);
  const literal = path && stringValue(unparen(path));
  return literal === undefined ? undefined : context.project.checkpoint?.(context.filePath, literal);
}

/** A planned fix, or why there is none (for messages and suggestions). */
export type SafeGlobalsPlan = { fix: Fix[] } | { reason: string };

/** The statements a `with` block can wrap: simple statements alone on their lines. */
const WRAPPABLE = new Set(['expression_statement', 'return_statement']);

/**
 * Plans the safe_globals repair of `call` (a torch.load-family call whose result is used as an object) for the
 * globals `needed` (`module.Name` as torch records them: a checkpoint's needs-allowlist names, or `trustedGlobals`). `weightsOnly` is the edit that makes the call load with
 * `weights_only=True` (added argument or `False` → `True`); undefined when it already does. `numpyDtypes`: for a
 * list read from a checkpoint, the dtype codes it passes to numpy.dtype, whose classes are allowlisted as
 * `type(dtype("f8"))` (without any, a list needing numpy.dtype is incomplete and refused). Returns the edits (imports, the `with` line, the
 * re-indented statement, the weights_only edit), or the reason no fix is possible.
 */
export function planSafeGlobals(context: FixContext, call: Node, needed: readonly string[], weightsOnly: Fix | undefined, numpyDtypes?: readonly string[]): SafeGlobalsPlan {
  const lowest = context.project.torch.lowest;
  if (lowest && !atLeast(lowest, [2, 5])) return { reason: `torch.serialization.safe_globals needs torch 2.5 or later, and the project allows ${lowest.join('.')}` };
  const tuplesAllowed = !lowest || atLeast(lowest, [2, 6]);

  const statement = wrappableStatement(call);
  if (!statement) return { reason: 'the load is not a statement of its own that a `with` block can wrap' };
  if (needed.length === 0) return { reason: 'the checkpoint needs no allowlist' };

  // a fix only allowlists classes (and callables known to build plain data): an allowlisted function is called by
  // the checkpoint's REDUCE with whatever arguments it holds
  // numpy values also need each dtype's class (numpy.dtypes.Float64DType…, numpy >= 1.25 on torch 2.6+), which the
  // file does not name: written as `type(dtype("f8"))` from the dtype codes the file passes to numpy.dtype
  if (numpyDtypes && needed.includes('numpy.dtype') && numpyDtypes.length === 0) {
    return { reason: 'numpy values need the class of each dtype (numpy.dtypes.*DType), and the file does not show which dtypes' };
  }
  const callable = needed.find((name) => !isAllowlistable(name));
  if (callable) return { reason: `\`${callable}\` is a function, not a class: allowlisting it lets the checkpoint call it with any arguments` };
  // a name from a module of this project must be a class defined there (not a def, not a name that does not exist)
  const index = context.project.index;
  const notAClass = needed.find((name) => index?.moduleFileOf(context.filePath, name) !== undefined && !index.classKnown(context.filePath, name));
  if (notAClass) return { reason: `\`${notAClass}\` is not a class defined in this project` };
  // each needed global as an entry: a class imported by its name, or a (obj, "recorded.name") tuple where torch
  // recorded a name the object no longer has (numpy 2 moved numpy.core to numpy._core; a class saved from __main__)
  const imports: string[] = ['torch.serialization.safe_globals'];
  const entries: ((names: Map<string, string>) => string)[] = [];
  for (const name of needed) {
    if (name.startsWith('__main__.')) {
      const local = name.slice('__main__.'.length);
      const defined = context.scopes.module.bindings.get(local);
      if (!tuplesAllowed || !defined || !defined.every((b) => b.kind === 'class')) {
        return { reason: `the checkpoint pickled \`${name}\` (a class of the script that saved it), which this file does not define` };
      }
      entries.push(() => `(${local}, "${name}")`);
    } else if (name.startsWith('numpy.core.')) {
      if (!tuplesAllowed) return { reason: `\`${name}\` needs the (obj, "name") entry form of torch 2.6, and the project allows older torch` };
      imports.push(name);
      entries.push((names) => `(${names.get(name)}, "${name}")`);
    } else {
      imports.push(name);
      entries.push((names) => names.get(name)!);
    }
  }
  const plan = planImports(context, imports, call);
  if (!plan) return { reason: `a name of [${needed.join(', ')}] is already bound to something else in this file` };

  const { text } = context;
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const indent = text.slice(lineStart, statement.startIndex);
  const unit = indent.includes('\t') ? '\t' : '    ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const dtypeClasses = needed.includes('numpy.dtype') ? (numpyDtypes ?? []).map((code) => `type(${plan.names.get('numpy.dtype')}(${JSON.stringify(code)}))`) : [];
  const header = `${indent}with ${plan.names.get('torch.serialization.safe_globals')}([${[...entries.map((e) => e(plan.names)), ...dtypeClasses].join(', ')}]):${eol}`;
  const edits: Fix[] = [...plan.edits, { range: [lineStart, lineStart], text: header + unit }];
  // every further line of the statement moves in by one unit (blank lines stay blank)
  for (let at = text.indexOf('\n', statement.startIndex); at !== -1 && at < statement.endIndex; at = text.indexOf('\n', at + 1)) {
    const next = text[at + 1];
    if (next !== '\n' && next !== '\r' && at + 1 < statement.endIndex) edits.push({ range: [at + 1, at + 1], text: unit });
  }
  // the weights_only edit sits inside the statement: a line it adds moves in too
  if (weightsOnly) edits.push({ range: weightsOnly.range, text: weightsOnly.text.replace(/\n/g, `\n${unit}`) });
  return { fix: edits };
}

/**
 * The statement holding `call` that a `with` block can wrap: a simple statement directly in a block or the module,
 * alone on its lines (nothing before it on its first line, at most a comment after it), with no multi-line string
 * inside (re-indenting would change the string) and the call not deferred in a lambda.
 */
function wrappableStatement(call: Node): Node | undefined {
  let node: Node = call;
  while (node.parent && node.parent.type !== 'block' && node.parent.type !== 'module') {
    // a lambda or a generator expression runs the load later, after the `with` block has ended
    if (['lambda', 'generator_expression', 'function_definition', 'class_definition'].includes(node.parent.type)) return undefined;
    node = node.parent;
  }
  // in a generator, the allowlist would stay in force while it is suspended at a yield
  if (node.descendantsOfType(['yield', 'await']).some((n) => n !== null)) return undefined;
  if (!WRAPPABLE.has(node.type) || !node.parent) return undefined;
  const siblings = node.parent.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const index = siblings.findIndex((c) => c.id === node.id);
  const before = siblings[index - 1];
  const after = siblings[index + 1];
  if (before && before.endPosition.row === node.startPosition.row) return undefined; // `a = 1; b = torch.load(p)`
  if (after && after.startPosition.row === node.endPosition.row) return undefined;
  // `if x: y = torch.load(p)` — the block starts on the header's line
  if (node.parent.type === 'block' && node.parent.parent && node.parent.parent.startPosition.row === node.startPosition.row) return undefined;
  if (node.descendantsOfType('string').some((s) => s !== null && s.startPosition.row !== s.endPosition.row)) return undefined;
  return node;
}

/** The globals a checkpoint needs allowlisted (torch reads them before the first STOP), each once, in file order. */
export function neededGlobals(inspection: Inspection): string[] {
  return [...new Set(inspection.globals.filter((g) => g.status === 'needs-allowlist' && !g.afterStop).map((g) => g.name))];
}

/** The repair chosen for a load that does not load with weights_only=True, with its safety (Ruff's levels). */
export interface WeightsOnlyRepair {
  fix?: Fix[];
  safety?: 'safe' | 'unsafe';
  /** When there is no fix: the plain edit as a suggestion (never applied), and why it is not a fix. */
  suggestion?: Fix;
  reason?: string;
  /** Set when no fix is possible because the declared torch may lack the keyword: what to require instead. */
  raise?: { since: readonly [number, number]; declared: string };
}

/** What the code around a load shows, for {@link chooseWeightsOnlyRepair}. */
export interface RepairEvidence {
  /**
   * How much of the result is used as a state dict (values.ts `stateDictUse`); `part` also for a load inside a
   * `safe_globals([...])` block (on torch 2.5 it still loads with full pickle there, so the list may be incomplete).
   */
  stateDict?: 'whole' | 'part';
  /** The edit adds the `weights_only` keyword (rather than turning a written `False` or `None` into `True`). */
  addsKeyword: boolean;
  /** The author wrote `weights_only=False`, perhaps on purpose: a custom `load_state_dict` may take more than tensors. */
  explicitFalse?: boolean;
}

/**
 * Chooses the repair of `load` from evidence. `edit` makes it load with `weights_only=True`.
 * First the project's torch range ({@link safetyCeiling}): a declared lower bound older than the keyword gives no
 * fix (a suggestion, and `raise` for the message); no lower bound at all makes every fix at most unsafe.
 * Then the evidence:
 * - The checkpoint file the path literal names decides first (judged for the lowest torch the project allows):
 *   `safe` → the plain edit, safe (that file loads the same way); `needs-allowlist` → the safe_globals wrap, unsafe
 *   (the program now trusts those classes), else a suggestion saying why; `unloadable` → a suggestion (it could
 *   never load with weights_only=True); `dangerous` → the plain edit, unsafe (torch then refuses the file instead of
 *   running it).
 * - Without a file: the state_dict migration of whole-model saves of the path (unsafe); the plain edit, **safe** only
 *   when the whole result goes to `load_state_dict` (not one entry of it: the rest of the file is unpickled too), the
 *   author did not write `False`, and the lowest allowed torch's unpickler has every opcode (torch 1.13 has no
 *   BINFLOAT), else unsafe; else, from the torch.save sites writing the same literal path, the plain edit or the wrap
 *   with what they pickle, unsafe; else the wrap with the config's `trustedGlobals`, unsafe; else only a suggestion
 *   (a file that pickles whole objects would stop loading, and nothing shows which classes it needs).
 */
export function chooseWeightsOnlyRepair(context: FixContext, load: LoadCall, edit: Fix, evidence: RepairEvidence): WeightsOnlyRepair {
  const ceiling = safetyCeiling(context.project.torch, evidence.addsKeyword ? (load.fn.weightsOnlySince ?? WEIGHTS_ONLY_SINCE) : undefined);
  if (ceiling.level === 'none') return { suggestion: edit, reason: ceiling.why, raise: { since: ceiling.since, declared: ceiling.declared } };
  const repair = repairFromEvidence(context, load, edit, evidence);
  return repair.safety === 'safe' && ceiling.level === 'unsafe' ? { ...repair, safety: 'unsafe' } : repair;
}

function repairFromEvidence(context: FixContext, load: LoadCall, edit: Fix, evidence: RepairEvidence): WeightsOnlyRepair {
  const found = checkpointOf(context, load);
  const verdict = found?.inspection.verdict;
  // the file as it is now: safe only when nothing in the linted files may write that path again (a torch.save of
  // it, or the path quoted where no known load uses it), which could put other objects in it
  if (found && verdict === 'safe') return { fix: [edit], safety: mayBeRewritten(context, load) ? 'unsafe' : 'safe' };
  if (found && verdict === 'needs-allowlist') {
    const plan = planSafeGlobals(context, load.call, neededGlobals(found.inspection), edit, found.inspection.numpyDtypes);
    return 'fix' in plan ? { fix: plan.fix, safety: 'unsafe' } : { suggestion: edit, reason: `the checkpoint needs [${found.inspection.allowlist.join(', ')}], but ${plan.reason}` };
  }
  if (found && verdict === 'unloadable') return { suggestion: edit, reason: `the checkpoint cannot load with weights_only=True: ${found.inspection.messages[0] ?? 'unsupported format'}` };
  // a dangerous file: with weights_only=True torch refuses it instead of running it — unless it is TorchScript,
  // which torch before 2.6 hands to torch.jit.load anyway
  if (found && verdict === 'dangerous') {
    return found.inspection.format === 'torchscript'
      ? { suggestion: edit, reason: 'the checkpoint is a TorchScript archive, which torch before 2.6 runs through torch.jit.load even with weights_only=True' }
      : { fix: [edit], safety: 'unsafe' };
  }
  // a whole model saved elsewhere in the repository: both sides move to state_dict together
  const migrated = migrationRepair(context, load, edit);
  if (migrated) return migrated;
  if (evidence.stateDict) {
    const proven = evidence.stateDict === 'whole' && !evidence.explicitFalse && !unpicklerGap(context.project.torch);
    return { fix: [edit], safety: proven ? 'safe' : 'unsafe' };
  }
  // torch.save sites of the same path say what the file will hold; their typing is a reading of code, so the
  // repair stays unsafe even when every global they pickle is allowed by default
  const fromSaves = found ? undefined : savedGlobalsOf(context, load);
  if (fromSaves) {
    const judging = judgingVersion(context.project.torch);
    const allowed = allowlistFor(judging?.version).names;
    const needed = fromSaves.filter((name) => !allowed.has(name));
    if (needed.length === 0) return { fix: [edit], safety: 'unsafe' };
    const plan = planSafeGlobals(context, load.call, needed, edit);
    if ('fix' in plan) return { fix: plan.fix, safety: 'unsafe' };
  }
  const trusted = context.project.trustedGlobals;
  if (trusted?.length) {
    const plan = planSafeGlobals(context, load.call, trusted, edit);
    if ('fix' in plan) return { fix: plan.fix, safety: 'unsafe' };
  }
  return { suggestion: edit, reason: 'nothing shows what the file holds — no checkpoint file at this path in the repository, and the result is not used as a state dict — and a file that pickles objects would stop loading' };
}

/**
 * A file that quotes `literal` more often than it has known sites (`files`, one entry per save or load): the path is
 * held in a variable or written elsewhere, which may feed a save or load we cannot see. Undefined when all are known.
 */
function unknownMention(context: { project: ProjectContext }, literal: string, files: readonly string[]): string | undefined {
  for (const [file, count] of context.project.mentionsOf?.(literal) ?? []) {
    if (files.filter((f) => f === file).length < count) return file;
  }
  return undefined;
}

/** A torch.save in the linted files writes the load's path, or the path is quoted where no known load reads it. */
function mayBeRewritten(context: FixContext, load: LoadCall): boolean {
  const path = pathArgument(load);
  const literal = path && pathKey(path);
  if (literal === undefined) return true;
  if ((context.project.savesOf?.(literal) ?? []).length > 0) return true;
  const loads = context.project.loadsOf?.(literal) ?? [];
  return unknownMention(context, literal, loads.map((l) => l.file)) !== undefined;
}

/** The load half of the state_dict migration of its path (unsafe), when the migration applies; else undefined. */
export function migrationRepair(context: FixContext, load: LoadCall, edit: Fix): WeightsOnlyRepair | undefined {
  const literal = literalPath(load);
  const migration = literal === undefined ? undefined : stateDictMigration(context, literal);
  const fix = migration && 'arguments' in migration ? planMigration(context, load, migration, edit) : undefined;
  return fix && { fix, safety: 'unsafe' };
}

/** The string-literal path of a load, or undefined. */
function literalPath(load: LoadCall): string | undefined {
  const path = pathArgument(load);
  return path && stringValue(unparen(path));
}

/**
 * The globals the torch.save sites writing the same path pickle (their union; paths paired by string literal or by
 * configuration key, `args.ckpt`), or undefined when there is no such site or one of them saves something that
 * cannot be typed.
 */
function savedGlobalsOf(context: FixContext, load: LoadCall): string[] | undefined {
  const path = pathArgument(load);
  const literal = path && pathKey(path);
  const sites = literal === undefined ? [] : (context.project.savesOf?.(literal) ?? []);
  if (sites.length === 0 || sites.some((s) => s.globals === 'unknown')) return undefined;
  const loads = context.project.loadsOf?.(literal!) ?? [];
  if (unknownMention(context, literal!, [...sites, ...loads].map((s) => s.file))) return undefined;
  // an instance of a project class counts only when the class is known and is not an nn.Module
  const index = context.project.index;
  const plain = (site: SaveSite, name: string) => index !== undefined && index.classKnown(site.file, name) && !index.moduleClass(site.file, name, (base) => isModuleBaseName(base, []));
  if (sites.some((site) => site.constructed.some((name) => !plain(site, name)))) return undefined;
  return [...new Set(sites.flatMap((s) => s.globals as string[]))];
}

/**
 * The state_dict migration of the checkpoint path `literal`: possible when every torch.save of it in the linted
 * files rebuilds the same model and every load of it is a plain statement the weights_only rules rewrite (see
 * saves.ts `migrationFor`), and no checkpoint file exists at that path (it holds a whole model and would stop
 * loading). Undefined when no whole-model save writes the path.
 */
export function stateDictMigration(context: { project: ProjectContext }, literal: string): Migration | undefined {
  const saves = context.project.savesOf?.(literal) ?? [];
  if (saves.length === 0) return undefined;
  const loads = context.project.loadsOf?.(literal) ?? [];
  const migration = migrationFor(saves, loads);
  if (!('arguments' in migration)) return migration;
  // each load is rewritten by its weights_only rule in the same run: that rule must be on for its file
  const off = loads.find((l) => !l.rewrittenBy || context.project.ruleEnabled?.(l.file, l.rewrittenBy) === false);
  if (off) return { reason: `${off.rewrittenBy ?? 'no rule'} is off for ${context.project.index?.displayPath(off.file) ?? off.file}, which loads this path`, loads: migration.loads };
  // each load gets weights_only=True: the torch its project allows must have the keyword
  for (const l of loads) {
    const ceiling = safetyCeiling(context.project.torchOf?.(l.file) ?? context.project.torch, l.weightsOnlySince);
    if (ceiling.level === 'none') return { reason: `${context.project.index?.displayPath(l.file) ?? l.file} cannot load it with weights_only=True: ${ceiling.why}`, loads: migration.loads };
  }
  // the loads rebuild the model by the class's own name, imported where it is not: it must be free in their files
  const local = migration.classQualified.slice(migration.classQualified.lastIndexOf('.') + 1);
  for (const file of new Set(loads.map((l) => l.file))) {
    const bound = context.project.index?.summary(file)?.extra.boundNames;
    if (!bound || (bound.has(local) && bound.get(local) !== migration.classQualified)) {
      return { reason: `\`${local}\` means something else in ${context.project.index?.displayPath(file) ?? file}`, loads: migration.loads };
    }
  }
  const files = [...saves, ...loads].map((s) => s.file);
  if (files.some((file) => context.project.checkpoint?.(file, literal))) {
    return { reason: 'a checkpoint file exists at this path and holds the whole model', loads: migration.loads };
  }
  const elsewhere = unknownMention(context, literal, files);
  if (elsewhere) return { reason: `the path is also used elsewhere in ${context.project.index?.displayPath(elsewhere) ?? elsewhere}`, loads: migration.loads };
  return migration;
}

/**
 * The load half of the migration. A model saved on its own: `model = torch.load("p", ...)` becomes
 * `model = Net(3)` and `model.load_state_dict(torch.load("p", ..., weights_only=True))`. A model saved under a key:
 * `x = torch.load("p")["model"]` becomes `x = Net(3)` and `x.load_state_dict(torch.load("p", weights_only=True)["model"])`;
 * with `ckpt = torch.load("p")`, the load gets `weights_only=True` and each `x = ckpt["model"]` becomes `x = Net(3)`
 * and `x.load_state_dict(ckpt["model"])`. The class is imported. `weightsOnly` is the edit inside the call that makes
 * it load with weights_only=True. Undefined when the class name cannot be written here (bound to something else).
 */
export function planMigration(context: FixContext, load: LoadCall, migration: SavedModel, weightsOnly: Fix | undefined): Fix[] | undefined {
  const plan = planImports(context, [migration.classQualified], load.call);
  if (!plan) return undefined;
  const { text } = context;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const build = plan.names.get(migration.classQualified)! + migration.arguments;
  // `name = <value>` → `name = Net(...)` + `name.load_state_dict(<value>)`
  const rebuild = (assignment: Node, value: string): Fix => {
    const lineStart = text.lastIndexOf('\n', assignment.startIndex - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const name = assignment.childForFieldName('left')!.text;
    return { range: [assignment.startIndex, assignment.endIndex], text: `${name} = ${build}${eol}${indent}${name}.load_state_dict(${value})` };
  };
  // the source of `node` with the weights_only edit applied inside it
  const withWeightsOnly = (node: Node) => {
    let out = text.slice(node.startIndex, node.endIndex);
    if (weightsOnly) {
      const [from, to] = weightsOnly.range.map((offset) => offset - node.startIndex);
      out = out.slice(0, from) + weightsOnly.text + out.slice(to);
    }
    return out;
  };
  const keyed = load.call.parent?.type === 'subscript' ? load.call.parent : undefined;
  const assignment = (keyed ?? load.call).parent!;
  if (migration.key === undefined || keyed) return [...plan.edits, rebuild(assignment, withWeightsOnly(keyed ?? load.call))];
  // `ckpt = torch.load(p)`: the load only gets weights_only; each `x = ckpt["model"]` rebuilds the model
  const edits: Fix[] = [...plan.edits, ...(weightsOnly ? [weightsOnly] : [])];
  const binding = context.scopes.bindingsOf(assignment.childForFieldName('left')!)![0];
  for (const ref of context.scopes.references(binding)) {
    const sub = ref.parent!;
    const index = sub.childForFieldName('subscript');
    if (sub.type !== 'subscript' || !index || stringValue(unparen(index)) !== migration.key) continue;
    edits.push(rebuild(sub.parent!, text.slice(sub.startIndex, sub.endIndex)));
  }
  return edits;
}

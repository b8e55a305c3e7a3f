/**
 * The state_dict migration: a whole model saved with `torch.save(model, p)` moves to `model.state_dict()` together
 * with every load of the same path, each load rebuilding the model and calling `load_state_dict`. Only when every
 * load can be rewritten in the same run and nothing else may read or write the file.
 */
import type { Fix } from '../../engine/rule';
import { planImports } from '../../syntax/imports';
import { type Node, parentOf } from '../../syntax/parse';
import { stringValue, unparen } from '../../syntax/python';
import { type LoadCall, pathArgument } from '../api';
import { type Migration, migrationFor, type SavedModel } from '../saves';
import type { ProjectContext } from '../services';
import type { FixContext } from './safe-globals';
import { safetyCeiling } from './safety';

/**
 * A file that quotes `literal` more often than it has known sites (`files`, one entry per save or load): the path is
 * held in a variable or written elsewhere, which may feed a save or load we cannot see. Undefined when all are known.
 */
export function unknownMention(
  context: { project: ProjectContext },
  literal: string,
  files: readonly string[],
): string | undefined {
  for (const [file, count] of context.project.mentionsOf?.(literal) ?? []) {
    if (files.filter((f) => f === file).length < count) return file;
  }
  return undefined;
}

/**
 * The load half of the state_dict migration of its path (always unsafe: the program then rebuilds the model), when
 * the migration applies; else undefined. `edit` makes the load use `weights_only=True`.
 */
export function migrationRepair(context: FixContext, load: LoadCall, edit: Fix): Fix[] | undefined {
  const literal = literalPath(load);
  const migration = literal === undefined ? undefined : stateDictMigration(context, literal);
  return migration && 'arguments' in migration ? planMigration(context, load, migration, edit) : undefined;
}

/** The string-literal path of a load, or undefined. */
function literalPath(load: LoadCall): string | undefined {
  const path = pathArgument(load);
  return path && stringValue(unparen(path));
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
  if (off)
    return {
      reason: `${off.rewrittenBy ?? 'no rule'} is off for ${context.project.index?.displayPath(off.file) ?? off.file}, which loads this path`,
      loads: migration.loads,
    };
  // each load gets weights_only=True: the torch its project allows must have the keyword
  for (const l of loads) {
    const ceiling = safetyCeiling(context.project.torchOf?.(l.file) ?? context.project.torch, l.weightsOnlySince);
    if (ceiling.level === 'none')
      return {
        reason: `${context.project.index?.displayPath(l.file) ?? l.file} cannot load it with weights_only=True: ${ceiling.why}`,
        loads: migration.loads,
      };
  }
  // the loads rebuild the model by the class's own name, imported where it is not: it must be free in their files
  const local = migration.classQualified.slice(migration.classQualified.lastIndexOf('.') + 1);
  for (const file of new Set(loads.map((l) => l.file))) {
    const bound = context.project.index?.summary(file)?.extra.boundNames;
    if (!bound || (bound.has(local) && bound.get(local) !== migration.classQualified)) {
      return {
        reason: `\`${local}\` means something else in ${context.project.index?.displayPath(file) ?? file}`,
        loads: migration.loads,
      };
    }
  }
  const files = [...saves, ...loads].map((s) => s.file);
  if (files.some((file) => context.project.checkpoint?.(file, literal))) {
    return { reason: 'a checkpoint file exists at this path and holds the whole model', loads: migration.loads };
  }
  const elsewhere = unknownMention(context, literal, files);
  if (elsewhere)
    return {
      reason: `the path is also used elsewhere in ${context.project.index?.displayPath(elsewhere) ?? elsewhere}`,
      loads: migration.loads,
    };
  return migration;
}

/**
 * The load half of the migration. A model saved on its own: `model = torch.load("p", ...)` becomes
 * `model = Net(3)` and `model.load_state_dict(torch.load("p", ..., weights_only=True))`. A model saved under a key:
 * `x = torch.load("p")["model"]` becomes `x = Net(3)` and `x.load_state_dict(torch.load("p",
 * weights_only=True)["model"])`;
 * with `ckpt = torch.load("p")`, the load gets `weights_only=True` and each `x = ckpt["model"]` becomes `x = Net(3)`
 * and `x.load_state_dict(ckpt["model"])`. The class is imported. `weightsOnly` is the edit inside the call that makes
 * it load with weights_only=True. Undefined when the class name cannot be written here (bound to something else).
 */
export function planMigration(
  context: FixContext,
  load: LoadCall,
  migration: SavedModel,
  weightsOnly: Fix | undefined,
): Fix[] | undefined {
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
    return {
      range: [assignment.startIndex, assignment.endIndex],
      text: `${name} = ${build}${eol}${indent}${name}.load_state_dict(${value})`,
    };
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
  const keyed = parentOf(load.call)?.type === 'subscript' ? parentOf(load.call) : undefined;
  const assignment = parentOf(keyed ?? load.call)!;
  if (migration.key === undefined || keyed)
    return [...plan.edits, rebuild(assignment, withWeightsOnly(keyed ?? load.call))];
  // `ckpt = torch.load(p)`: the load only gets weights_only; each `x = ckpt["model"]` rebuilds the model
  const edits: Fix[] = [...plan.edits, ...(weightsOnly ? [weightsOnly] : [])];
  const binding = context.scopes.bindingsOf(assignment.childForFieldName('left')!)![0];
  for (const ref of context.scopes.references(binding)) {
    const sub = parentOf(ref)!;
    const index = sub.childForFieldName('subscript');
    if (sub.type !== 'subscript' || !index || stringValue(unparen(index)) !== migration.key) continue;
    edits.push(rebuild(parentOf(sub)!, text.slice(sub.startIndex, sub.endIndex)));
  }
  return edits;
}

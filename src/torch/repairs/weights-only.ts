/**
 * The weights_only repair table: for a load that does not use `weights_only=True`, which repair the evidence
 * supports (the plain edit, the safe_globals wrap, the state_dict migration, or only a suggestion) and how safe it
 * is on every torch the project allows.
 */
import { allowlistFor } from '../../checkpoint/inspect';
import type { Fix } from '../../engine/rule';
import { type LoadCall, pathArgument, WEIGHTS_ONLY_SINCE } from '../api';
import { isModuleBaseName } from '../modules';
import { pathKey, type SaveSite } from '../saves';
import { judgingVersion } from '../version';
import { checkpointOf, type FixContext, neededGlobals, planSafeGlobals, reviewReason } from './safe-globals';
import { safetyCeiling, unpicklerGap } from './safety';
import { migrationRepair, unknownMention } from './state-dict-migration';

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
   * How much of the result is used as a state dict (state-dict.ts `stateDictUse`); `part` also for a load inside a
   * `safe_globals([...])` block (on torch 2.5 it still loads with full pickle there, so the list may be incomplete).
   */
  stateDict?: 'whole' | 'part';
  /** The edit adds the `weights_only` keyword (rather than turning a written `False` or `None` into `True`). */
  addsKeyword: boolean;
  /**
   * The author wrote `weights_only=False`, perhaps on purpose: a custom `load_state_dict` may take more than tensors.
   */
  explicitFalse?: boolean;
}

/**
 * Chooses the repair of `load` from evidence. `edit` makes it load with `weights_only=True`.
 * First the project's torch range ({@link safetyCeiling}): a declared lower bound older than the keyword gives no
 * fix (a suggestion, and `raise` for the message); no lower bound at all makes every fix at most unsafe.
 * Then the evidence:
 * - The checkpoint file the path literal names decides first (judged for the lowest torch the project allows):
 *   `safe` → the plain edit, safe (that file loads the same way); `needs-allowlist` → the safe_globals wrap, unsafe
 *   (the program now trusts those classes), else a suggestion saying why; `needs-review` → a suggestion naming the
 *   unknown globals to review (never a wrap: nothing vouches that unpickling them only builds data); `unloadable` →
 *   a suggestion (it could never load with weights_only=True); `dangerous` → the plain edit, unsafe (torch then
 *   refuses the file instead of running it).
 * - Without a file: the state_dict migration of whole-model saves of the path (unsafe); the plain edit, **safe** only
 *   when the whole result goes to `load_state_dict` (not one entry of it: the rest of the file is unpickled too), the
 *   author did not write `False`, and the lowest allowed torch's unpickler has every opcode (torch 1.13 has no
 *   BINFLOAT), else unsafe; else, from the torch.save sites writing the same literal path, the plain edit or the wrap
 *   with what they pickle, unsafe; else the wrap with the config's `trustedGlobals`, unsafe; else only a suggestion
 *   (a file that pickles whole objects would stop loading, and nothing shows which classes it needs).
 */
export function chooseWeightsOnlyRepair(
  context: FixContext,
  load: LoadCall,
  edit: Fix,
  evidence: RepairEvidence,
): WeightsOnlyRepair {
  const ceiling = safetyCeiling(
    context.project.torch,
    evidence.addsKeyword ? (load.fn.weightsOnlySince ?? WEIGHTS_ONLY_SINCE) : undefined,
  );
  if (ceiling.level === 'none')
    return { suggestion: edit, reason: ceiling.why, raise: { since: ceiling.since, declared: ceiling.declared } };
  const repair = repairFromEvidence(context, load, edit, evidence);
  // a partial or a parameter default: its callers may pass arguments or another callable the fix cannot see
  const capped = ceiling.level === 'unsafe' || load.fn.indirect === true;
  return repair.safety === 'safe' && capped ? { ...repair, safety: 'unsafe' } : repair;
}

function repairFromEvidence(
  context: FixContext,
  load: LoadCall,
  edit: Fix,
  evidence: RepairEvidence,
): WeightsOnlyRepair {
  const found = checkpointOf(context, load);
  const verdict = found?.inspection.verdict;
  // the file as it is now: safe only when nothing in the linted files may write that path again (a torch.save of
  // it, or the path quoted where no known load uses it), which could put other objects in it
  if (found && verdict === 'safe') return { fix: [edit], safety: mayBeRewritten(context, load) ? 'unsafe' : 'safe' };
  if (found && verdict === 'needs-allowlist') {
    const plan = planSafeGlobals(
      context,
      load.call,
      neededGlobals(found.inspection),
      edit,
      found.inspection.numpyDtypes,
    );
    return 'fix' in plan
      ? { fix: plan.fix, safety: 'unsafe' }
      : {
          suggestion: edit,
          reason: `the checkpoint needs [${found.inspection.allowlist.join(', ')}], but ${plan.reason}`,
        };
  }
  if (found && verdict === 'needs-review') {
    const unknown = found.inspection.globals
      .filter((g) => g.status === 'unknown' && neededGlobals(found.inspection).includes(g.name))
      .map((g) => g.name);
    return {
      suggestion: edit,
      reason: `the checkpoint needs globals torch does not allow by default, and ${reviewReason([...new Set(unknown)])}`,
    };
  }
  if (found && verdict === 'unloadable') {
    const why = found.inspection.messages[0] ?? 'unsupported format';
    return {
      suggestion: edit,
      // between two known tables the older one decides the fix, but it is only sure that the file may fail
      reason: found.inspection.atNewerTable
        ? `the checkpoint may not load with weights_only=True on torch ${found.inspection.torch.version}: ${why}`
        : `the checkpoint cannot load with weights_only=True: ${why}`,
    };
  }
  // a dangerous file: with weights_only=True torch refuses it instead of running it — unless it is TorchScript,
  // which torch before 2.6 hands to torch.jit.load anyway
  if (found && verdict === 'dangerous') {
    return found.inspection.format === 'torchscript'
      ? {
          suggestion: edit,
          reason:
            'the checkpoint is a TorchScript archive, which torch before 2.6 runs through torch.jit.load even with ' +
            'weights_only=True',
        }
      : { fix: [edit], safety: 'unsafe' };
  }
  // a whole model saved elsewhere in the repository: both sides move to state_dict together
  const migrated = migrationRepair(context, load, edit);
  if (migrated) return { fix: migrated, safety: 'unsafe' };
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
  return {
    suggestion: edit,
    reason:
      'nothing shows what the file holds — no checkpoint file at this path in the repository, and the result is ' +
      'not used as a state dict — and a file that pickles objects would stop loading',
  };
}

/** A torch.save in the linted files writes the load's path, or the path is quoted where no known load reads it. */
function mayBeRewritten(context: FixContext, load: LoadCall): boolean {
  const path = pathArgument(load);
  const literal = path && pathKey(path);
  if (literal === undefined) return true;
  if ((context.project.savesOf?.(literal) ?? []).length > 0) return true;
  const loads = context.project.loadsOf?.(literal) ?? [];
  return (
    unknownMention(
      context,
      literal,
      loads.map((l) => l.file),
    ) !== undefined
  );
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
  if (
    unknownMention(
      context,
      literal!,
      [...sites, ...loads].map((s) => s.file),
    )
  )
    return undefined;
  // an instance of a project class counts only when the class is known and is not an nn.Module
  const index = context.project.index;
  const plain = (site: SaveSite, name: string) =>
    index !== undefined &&
    index.classKnown(site.file, name) &&
    !index.moduleClass(site.file, name, (base) => isModuleBaseName(base, []));
  if (sites.some((site) => site.constructed.some((name) => !plain(site, name)))) return undefined;
  return [...new Set(sites.flatMap((s) => s.globals as string[]))];
}

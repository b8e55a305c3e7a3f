/**
 * The services the torch rules get from the caller of the linter (RuleContext `services`): what is known about the
 * project a file belongs to — its torch range, the repository index, checkpoint files, saves and loads of the same
 * path, load wrappers.
 */
import type { Node } from '../syntax/parse';
import type { FileScopes } from '../syntax/scope';
import type { Constant } from '../analysis/constants';
import type { RuleContext } from '../engine/rule';
import { asLoadCall, type LoadCall, type LoadFunction, resolvedWeightsOnly } from './api';
import { isModuleBaseName, moduleEvidence } from './modules';
import { stateDictUse } from './state-dict';
import { extraStateLine } from './prescan';
import type { CheckpointReference } from './checkpoint-sites';
import type { LoadSite, SaveSite } from './saves';
import type { TorchIndex } from './summary';
import type { TorchRequirement } from './version';

/** What is known about the project a file belongs to. */
export interface ProjectContext {
  /** The torch versions the project allows (declared requirements or config `torchVersion`). */
  torch: TorchRequirement;
  /** The same for another file of the linted set (its own folder's declarations and config). */
  torchOf?: (filePath: string) => TorchRequirement;
  /** Other modules of the project (classes across files); absent when linting a lone text. */
  index?: TorchIndex;
  /** The value of a True/False/None constant another project module defines (`.config.SAFE` from `filePath`). */
  importedConstant?: (filePath: string, qualified: string) => Constant;
  /**
   * What the checkpoint inspector said of the file a string literal names from `filePath` (`"weights/model.pt"`,
   * relative to the file's folder or the project roots), when that file exists; undefined otherwise.
   */
  checkpoint?: (filePath: string, literal: string) => CheckpointReference | undefined;
  /**
   * The torch.save sites of the linted files that write the path `literal` (as written), with what they pickle;
   * empty when there is none.
   */
  savesOf?: (literal: string) => SaveSite[];
  /** The torch.load calls of the linted files that read the path `literal` (as written). */
  loadsOf?: (literal: string) => LoadSite[];
  /** How many times each linted Python file quotes `literal` (saves, loads, and any other use). */
  mentionsOf?: (literal: string) => ReadonlyMap<string, number>;
  /** Whether a rule is enabled for another file of the project (its config and `--rule` flags). */
  ruleEnabled?: (filePath: string, ruleId: string) => boolean;
  /**
   * Where the linted files weaken torch.load's default process-wide (`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` set,
   * `torch.load` replaced), for messages: `Dockerfile:6`; undefined when nothing does. An explicit
   * `weights_only=True` then changes behaviour even on torch >= 2.6.
   */
  weakened?: string;
  /**
   * Where a linted file defines `set_extra_state` (`app/layers.py:40`): a module's state dict may then hold any
   * object, so passing the whole file to `load_state_dict` proves nothing. Undefined when none does.
   */
  extraState?: string;
  /** `trustedGlobals` of the file's config: classes the project trusts in its own checkpoints. */
  trustedGlobals?: readonly string[];
  /** Project wrappers of torch.load and known third-party loaders, for a callee of `filePath`. */
  resolveLoader?: (filePath: string, scopes: FileScopes, callee: Node) => LoadFunction | undefined;
}

/** For files outside any project that declares torch: every version is possible. */
export const UNKNOWN_PROJECT: ProjectContext = {
  torch: { allowsBefore26: true, source: 'no torch requirement declared' },
};

/** A rule context with the torch services as `project`. */
export type TorchRuleContext<MessageIds extends string, Options> = RuleContext<MessageIds, Options> & {
  project: ProjectContext;
};

/**
 * The rule context of a torch rule with its project services (`context.services` when the caller passed a
 * {@link ProjectContext}, else {@link UNKNOWN_PROJECT}: a lone text, every torch version possible).
 */
export function torchContext<MessageIds extends string, Options>(
  context: RuleContext<MessageIds, Options>,
): TorchRuleContext<MessageIds, Options> {
  const services = context.services as ProjectContext | undefined;
  return { ...context, project: services?.torch ? services : UNKNOWN_PROJECT };
}

/**
 * The torch.load-family call (torch's own, a project wrapper or a known loader) that `call` makes in a rule's file.
 * Memoized per call node for the rules of one lint pass (they share its scopes and services); the result is shared,
 * so it must not be mutated.
 */
export function loadCallIn(
  context: { filePath: string; scopes: FileScopes; project: ProjectContext },
  call: Node,
): LoadCall | undefined {
  const { filePath, scopes, project } = context;
  let memo = loadCalls.get(scopes);
  if (!memo || memo.project !== project || memo.filePath !== filePath) {
    memo = { project, filePath, calls: new Map() };
    loadCalls.set(scopes, memo);
  }
  let found = memo.calls.get(call.id);
  if (found === undefined) {
    const { resolveLoader } = project;
    found = asLoadCall(call, scopes, resolveLoader && ((callee) => resolveLoader(filePath, scopes, callee))) ?? null;
    memo.calls.set(call.id, found);
  }
  return found ?? undefined;
}

/** loadCallIn's answers by the pass's scopes (which live as long as the pass), then call node id. */
const loadCalls = new WeakMap<
  FileScopes,
  { project: ProjectContext; filePath: string; calls: Map<number, LoadCall | null> }
>();

/** What weights_only a call passes, with constants imported from other project modules resolved. */
export function weightsOnlyIn(
  context: { filePath: string; scopes: FileScopes; project: ProjectContext },
  load: LoadCall,
) {
  const { importedConstant } = context.project;
  return resolvedWeightsOnly(load, context.scopes, importedConstant && ((q) => importedConstant(context.filePath, q)));
}

/**
 * How much of what `load` loads its file's code uses as a state dict (state-dict.ts `stateDictUse`), as evidence for a
 * repair: `whole` only when the receiver of `load_state_dict` is visibly an nn.Module (not an optimizer, scheduler
 * or custom object whose `load_state_dict` takes anything), no linted file defines `set_extra_state`, and a project
 * wrapper returns what torch loads as it is; a load inside a `safe_globals` block is `part`.
 */
export function stateDictEvidence(
  context: TorchRuleContext<string, unknown>,
  load: LoadCall,
  insideSafeGlobals: boolean,
): 'whole' | 'part' | undefined {
  const { index } = context.project;
  const options = {
    extraModuleBases: [],
    resolveClass: (qualified: string) =>
      index?.moduleClass(context.filePath, qualified, (name) => isModuleBaseName(name, []))?.reason,
  };
  const use = stateDictUse(
    load.call,
    context.scopes,
    (receiver) => moduleEvidence(receiver, context.scopes, options) !== undefined,
  );
  const found = use ?? (insideSafeGlobals ? 'part' : undefined);
  if (found !== 'whole') return found;
  // the file's own text is scanned only here, for the rare whole-file evidence (the run's pre-scan covers the rest)
  const extraState = context.project.extraState !== undefined || extraStateLine(context.text) !== undefined;
  return extraState || load.fn.returnsLoaded === false ? 'part' : found;
}

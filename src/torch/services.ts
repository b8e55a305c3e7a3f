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
  /** `trustedGlobals` of the file's config: classes the project trusts in its own checkpoints. */
  trustedGlobals?: readonly string[];
  /** Project wrappers of torch.load and known third-party loaders, for a callee of `filePath`. */
  resolveLoader?: (filePath: string, scopes: FileScopes, callee: Node) => LoadFunction | undefined;
}

/** For files outside any project that declares torch: every version is possible. */
export const UNKNOWN_PROJECT: ProjectContext = { torch: { allowsBefore26: true, source: 'no torch requirement declared' } };

/** A rule context with the torch services as `project`. */
export type TorchRuleContext<MessageIds extends string, Options> = RuleContext<MessageIds, Options> & { project: ProjectContext };

/**
 * The rule context of a torch rule with its project services (`context.services` when the caller passed a
 * {@link ProjectContext}, else {@link UNKNOWN_PROJECT}: a lone text, every torch version possible).
 */
export function torchContext<MessageIds extends string, Options>(context: RuleContext<MessageIds, Options>): TorchRuleContext<MessageIds, Options> {
  const services = context.services as ProjectContext | undefined;
  return { ...context, project: services?.torch ? services : UNKNOWN_PROJECT };
}

/** The torch.load-family call (torch's own, a project wrapper or a known loader) that `call` makes in a rule's file. */
export function loadCallIn(context: { filePath: string; scopes: FileScopes; project: ProjectContext }, call: Node): LoadCall | undefined {
  const { resolveLoader } = context.project;
  return asLoadCall(call, context.scopes, resolveLoader && ((callee) => resolveLoader(context.filePath, context.scopes, callee)));
}

/** What weights_only a call passes, with constants imported from other project modules resolved. */
export function weightsOnlyIn(context: { filePath: string; scopes: FileScopes; project: ProjectContext }, load: LoadCall) {
  const { importedConstant } = context.project;
  return resolvedWeightsOnly(load, context.scopes, importedConstant && ((q) => importedConstant(context.filePath, q)));
}

/**
 * What the torch rules add to each module's summary in the repository index (analysis/project-index.ts `extra`):
 * load wrappers, process-wide allowlists, and the torch.save / torch.load sites with string-literal paths.
 */
import { boundNames, type ProjectIndex, type SymbolQuestion } from '../analysis/project-index';
import { CHECKPOINT_EXTENSIONS } from '../checkpoint/inspect';
import type { FileScopes } from '../syntax/scope';
import { LOAD_FUNCTIONS, processAllowlist } from './api';
import { type LoaderSummary, summarizeLoaders } from './loaders';
import { type LoadSite, type SaveSite, summarizeLoads, summarizeSaves } from './saves';

export interface TorchSummary {
  /** Module-level functions that wrap torch.load and forward weights_only. */
  loaders: Map<string, LoaderSummary>;
  /** What the file's `add_safe_globals([...])` calls allowlist process-wide (see api.ts `processAllowlist`). */
  processAllowlist: string[] | 'unknown';
  /** Its torch.save calls with a string-literal path, and what they pickle (saves.ts). */
  saves: SaveSite[];
  /** Its torch.load calls with a string-literal path (saves.ts). */
  loads: LoadSite[];
  /** Every name the file binds in any scope, to what it imports (analysis/project-index.ts `boundNames`). */
  boundNames: Map<string, string | null>;
  /**
   * Module-level names some binding of which imports a torch loader (`from torch.utils.model_zoo import load_url`,
   * perhaps in one branch of a torch-version test), to that loader's qualified name: a re-export other modules call.
   */
  torchLoaders: Map<string, string>;
}

/** The repository index the torch rules use. */
export type TorchIndex = ProjectIndex<TorchSummary>;

/** A quoted string ending with a checkpoint extension (the default ones), as the lint run's pre-scan finds them. */
const QUOTED_CHECKPOINT = new RegExp(
  `["'][^"'\\n\\r]*(?:${CHECKPOINT_EXTENSIONS.map((e) => e.replace('.', '\\.')).join('|')})["']`,
);

/** The torch part of a module's summary, from its scopes (no extra parse). */
export function summarizeTorch(file: string, scopes: FileScopes): TorchSummary {
  // the checkpoint-related parts walk every identifier: only for files whose text can hold what they look for
  const text = scopes.module.node.text;
  const pairs = QUOTED_CHECKPOINT.test(text) || /\bsave\s*\(/.test(text);
  return {
    loaders: summarizeLoaders(file, scopes),
    processAllowlist: text.includes('add_safe_globals') ? processAllowlist(scopes) : [],
    saves: pairs ? summarizeSaves(file, scopes) : [],
    loads: pairs ? summarizeLoads(file, scopes) : [],
    boundNames: pairs ? boundNames(scopes) : new Map(),
    torchLoaders: reexportedLoaders(scopes),
  };
}

function reexportedLoaders(scopes: FileScopes): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, bindings] of scopes.module.bindings) {
    const imported = bindings.find((b) => b.kind === 'import' && b.qualname && LOAD_FUNCTIONS.has(b.qualname));
    if (imported) found.set(name, imported.qualname!);
  }
  return found;
}

/** The torch loader a project name re-exports (`mmengine.utils.dl_utils.load_url`), following re-exports. */
export function findReexportedLoader(
  index: TorchIndex,
  fromFile: string,
  qualified: string,
): { file: string; loader: string } | undefined {
  const found = index.lookup(fromFile, qualified, TORCH_LOADER);
  return found && { file: found.file, loader: found.value };
}

/** The load wrapper a qualified name denotes (`.utils.load_ckpt`, `app.utils.load_ckpt`), following re-exports. */
export function findLoader(index: TorchIndex, fromFile: string, qualified: string): LoaderSummary | undefined {
  return index.lookup(fromFile, qualified, LOADER)?.value;
}

/** The index's questions of the torch rules (constants: the index memoizes answers per question). */
const TORCH_LOADER: SymbolQuestion<TorchSummary, string> = {
  name: 'torch loader',
  pick: (summary, name) => summary.extra.torchLoaders.get(name),
};
const LOADER: SymbolQuestion<TorchSummary, LoaderSummary> = {
  name: 'loader',
  pick: (summary, name) => summary.extra.loaders.get(name),
};

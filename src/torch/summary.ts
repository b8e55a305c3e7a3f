/**
 * What the torch rules add to each module's summary in the repository index (analysis/project-index.ts `extra`):
 * load wrappers, process-wide allowlists, and the torch.save / torch.load sites with string-literal paths.
 */
import { boundNames, type ProjectIndex } from '../analysis/project-index';
import { CHECKPOINT_EXTENSIONS } from '../checkpoint/inspect';
import type { FileScopes } from '../syntax/scope';
import { processAllowlist } from './api';
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
  };
}

/** The load wrapper a qualified name denotes (`.utils.load_ckpt`, `app.utils.load_ckpt`), following re-exports. */
export function findLoader(index: TorchIndex, fromFile: string, qualified: string): LoaderSummary | undefined {
  return index.lookup(fromFile, qualified, (summary, name) => summary.extra.loaders.get(name))?.value;
}

/**
 * The most a weights_only fix may claim on a project, from the torch releases the project allows. A fix is `safe`
 * only when it keeps behaviour on **every** allowed torch: the keyword it adds exists there, and the evidence holds
 * for that release's weights_only unpickler. These are the project-wide limits; the evidence itself (state-dict use,
 * a checkpoint file, saves of the same path) is judged in weights-only.ts.
 */
import { allowlistFor, atLeast } from '../../checkpoint/inspect';
import type { TorchRequirement } from '../version';

/**
 * - `safe`: the lowest torch the project allows is known and has the keyword;
 * - `unsafe`: nothing bounds the torch version from below (no declaration, or `torch` / `torch<3`): an old torch
 *   without the keyword or with a smaller unpickler may be installed, so no fix can be proven safe;
 * - `none`: a declared lower bound is older than the release that added the keyword: the fix would raise
 *   `TypeError: ... unexpected keyword argument 'weights_only'` there, so it is never applied.
 * `why` says it for messages and suggestions.
 */
export type SafetyCeiling =
  | { level: 'safe' }
  | { level: 'unsafe'; why: string }
  | { level: 'none'; why: string; since: readonly [number, number]; declared: string };

/**
 * The ceiling for a fix on a project whose torch requirement is `torch`. `since`: the release that added the
 * keyword the fix adds ([major, minor], e.g. [1, 13] for `torch.load`, PR #86812), or undefined when the fix adds
 * no keyword (it turns an existing `weights_only=False`/`None` into `True`).
 */
export function safetyCeiling(torch: TorchRequirement, since: readonly [number, number] | undefined): SafetyCeiling {
  const floor = torch.lowest;
  if (!floor)
    return {
      level: 'unsafe',
      why: `nothing bounds the torch version from below (${torch.source}), and older torch may lack what the fix needs`,
    };
  const declared = torch.lowestSource ?? torch.source;
  if (since && !atLeast(floor, since)) {
    return {
      level: 'none',
      why: `the project allows torch ${floor.join('.')} (${declared}), which has no \`weights_only\` keyword here (added in ${since.join('.')})`,
      since,
      declared,
    };
  }
  return { level: 'safe' };
}

/**
 * When the weights_only unpickler of the lowest torch the project allows lacks an opcode that a newer one accepts
 * (torch 1.13 has no BINFLOAT: src/checkpoint/allowlists.ts), the reason a state dict read only from code may not
 * load there (an optimizer's or scheduler's state dict holds floats); undefined when it has them all or the floor is
 * unknown (then {@link safetyCeiling} already says `unsafe`).
 */
export function unpicklerGap(torch: TorchRequirement): string | undefined {
  if (!torch.lowest) return undefined;
  const floor = allowlistFor([torch.lowest[0], torch.lowest[1] ?? 0]);
  const missing = [...allowlistFor().opcodes].filter((op) => !floor.opcodes.has(op));
  if (missing.length === 0) return undefined;
  return `the weights_only unpickler of torch ${floor.version.join('.')} (allowed by ${torch.lowestSource ?? torch.source}) has no ${missing.join(', ')}, so a state dict holding floats (an optimizer's or a scheduler's) would not load there`;
}

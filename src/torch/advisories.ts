/**
 * Published vulnerabilities of torch's weights_only unpickler: on an affected release, `torch.load(...,
 * weights_only=True)` of a malicious file can still run code, so the other rules' advice is not enough there. A new
 * advisory is one row of {@link TORCH_ADVISORIES} (docs/torch-facts.md lists the same ones).
 */
import { satisfies } from '@renovatebot/pep440';
import { allowedVersions, compareReleases, releaseOf } from './specifier';

export interface TorchAdvisory {
  /** The CVE id, `CVE-2025-32434`. */
  cve: string;
  /** The GitHub advisory id, `GHSA-53q9-r3pm-6pq6`. */
  ghsa: string;
  /** The affected torch releases as a PEP 440 specifier, as the advisory gives them (`<=2.5.1`). */
  affected: string;
  /** The first release with the fix (`2.6.0`). */
  fixed: string;
  /** What goes wrong on an affected release, in one line. */
  summary: string;
  /** The advisory itself. */
  url: string;
}

/** Newest last. Source of each row: its `url` (the GitHub Advisory Database entry). */
export const TORCH_ADVISORIES: readonly TorchAdvisory[] = [
  {
    cve: 'CVE-2025-32434',
    ghsa: 'GHSA-53q9-r3pm-6pq6',
    affected: '<=2.5.1',
    fixed: '2.6.0',
    summary: '`torch.load(..., weights_only=True)` can be made to run code (remote code execution).',
    url: 'https://github.com/advisories/GHSA-53q9-r3pm-6pq6',
  },
  {
    cve: 'CVE-2026-24747',
    ghsa: 'GHSA-63cw-57p8-fm3p',
    affected: '<=2.9.1',
    fixed: '2.10.0',
    summary: 'the weights_only unpickler applies SETITEM/SETITEMS to objects that are not dicts (a second bypass).',
    url: 'https://github.com/advisories/GHSA-63cw-57p8-fm3p',
  },
];

/**
 * The advisories that affect some torch release `ranges` (PEP 440 alternatives, from `toPep440`) allows, in table
 * order; every advisory when `ranges` is undefined (a specifier that cannot be read bounds nothing).
 */
export function advisoriesAllowedBy(
  ranges: readonly string[] | undefined,
  advisories: readonly TorchAdvisory[] = TORCH_ADVISORIES,
): TorchAdvisory[] {
  if (!ranges) return [...advisories];
  const allowed = allowedVersions(ranges);
  return advisories.filter((a) => allowed.some((v) => satisfies(v, a.affected)));
}

/** The first release fixed for all of `advisories` (the newest `fixed`), e.g. `2.10.0`. */
export function fixedForAll(advisories: readonly TorchAdvisory[]): string {
  return advisories.map((a) => a.fixed).reduce((a, b) => (compareReleases(releaseOf(a)!, releaseOf(b)!) >= 0 ? a : b));
}

/** `CVE-2025-32434 (GHSA-53q9-r3pm-6pq6, torch <=2.5.1)`, joined with `and`, for messages. */
export function describeAdvisories(advisories: readonly TorchAdvisory[]): string {
  const each = advisories.map((a) => `${a.cve} (${a.ghsa}, torch ${a.affected})`);
  return each.length <= 1 ? each.join('') : `${each.slice(0, -1).join(', ')} and ${each[each.length - 1]}`;
}

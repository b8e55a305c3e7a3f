/**
 * Which torch releases a declared version specifier allows. Specifiers are evaluated by `@renovatebot/pep440` (PEP 440
 * semantics: `!=2.5.*`, `~=`, `===`, pre-releases excluded unless named); Poetry's and conda's spellings are first
 * translated to PEP 440. A specifier is judged against the torch releases that exist (so `>2.5` starts at 2.5.1, and
 * `>=2.5,!=2.5.*` at 2.6.0), plus the versions the specifier itself names (so a release newer than this table is still
 * understood).
 */
import { satisfies, validRange } from '@renovatebot/pep440';

/**
 * Final torch releases on PyPI, oldest first, through 2.11.0 (March 2026; sources: https://pypi.org/project/torch/#history
 * and https://github.com/pytorch/pytorch/releases). The first entry stands for "unbounded below". Releases after the
 * last entry are covered by the versions a specifier names (see `candidates`), so the table only has to be complete
 * up to its last entry.
 */
export const TORCH_RELEASES: readonly string[] = [
  '0.1.2', '0.3.0', '0.3.1', '0.4.0', '0.4.1',
  '1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.3.0', '1.3.1', '1.4.0', '1.5.0', '1.5.1', '1.6.0', '1.7.0', '1.7.1',
  '1.8.0', '1.8.1', '1.9.0', '1.9.1', '1.10.0', '1.10.1', '1.10.2', '1.11.0', '1.12.0', '1.12.1', '1.13.0', '1.13.1',
  '2.0.0', '2.0.1', '2.1.0', '2.1.1', '2.1.2', '2.2.0', '2.2.1', '2.2.2', '2.3.0', '2.3.1', '2.4.0', '2.4.1',
  '2.5.0', '2.5.1', '2.6.0', '2.7.0', '2.7.1', '2.8.0', '2.9.0', '2.9.1', '2.10.0', '2.11.0',
]; // prettier-ignore

/** The dialect a specifier is written in: PEP 508/440 (pip, PEP 621, setup.py), Poetry, or a conda match spec. */
export type Dialect = 'pep440' | 'poetry' | 'conda';

/** Release numbers of a version string: `2.6.0rc1` → [2, 6, 0]; undefined when it does not start with a number. */
export function releaseOf(version: string): number[] | undefined {
  const match = /^v?(\d+(?:\.\d+)*)/.exec(version.trim());
  return match ? match[1].split('.').map(Number) : undefined;
}

/** Compares release numbers: [2, 6] equals [2, 6, 0]. */
export function compareReleases(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Poetry's `^2.6` → `>=2.6,<3.0.0`, `~2.6` → `>=2.6,<2.7.0`, `2.6` → `==2.6` (Poetry's constraint syntax). */
function poetryClause(clause: string): string {
  const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(clause);
  if (caret) {
    const parts = caret[1].split('.').map(Number);
    // the first non-zero part is the one that may not change (^0.4 → <0.5); ^0 → <1
    const keep = Math.max(
      parts.findIndex((p) => p !== 0),
      0,
    );
    const upper = parts.slice(0, keep + 1);
    upper[keep] += 1;
    return `>=${caret[1]},<${upper.join('.')}`;
  }
  const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)$/.exec(clause);
  if (tilde) {
    const parts = tilde[1].split('.').map(Number);
    const upper = parts.length === 1 ? [parts[0] + 1] : [parts[0], parts[1] + 1];
    return `>=${tilde[1]},<${upper.join('.')}`;
  }
  return /^\d/.test(clause) ? `==${clause}` : clause;
}

/** A conda match spec version: `=2.6` and `2.6` → `==2.6.*`, `2.6.*` → `==2.6.*`, `>=2.6` as written. */
function condaClause(clause: string): string {
  const fuzzy = /^=?\s*(\d+(?:\.\d+)*)(\.\*|\*)?$/.exec(clause);
  if (fuzzy && !clause.startsWith('==')) return `==${fuzzy[1]}.*`;
  return clause;
}

/**
 * Translates a specifier to PEP 440 alternatives (several for Poetry's `a || b` and conda's `a|b`); each is a
 * comma-separated specifier set, `''` meaning any version. Local version labels (`+cu124`) are dropped: they never
 * change which release is meant. Undefined when a part is not a valid PEP 440 specifier after translation.
 */
export function toPep440(spec: string, dialect: Dialect = 'pep440'): string[] | undefined {
  const alternatives = dialect === 'pep440' ? [spec] : spec.split(dialect === 'poetry' ? '||' : '|');
  const out: string[] = [];
  for (const alternative of alternatives) {
    const clauses = alternative
      .replace(/\+[A-Za-z0-9.]*/g, '')
      .replace(/([<>=!~^]+)\s+/g, '$1')
      .split(dialect === 'poetry' ? /\s*,\s*|\s+/ : ',')
      .map((c) => c.trim())
      .filter((c) => c && c !== '*');
    const translated = clauses.map((c) =>
      dialect === 'poetry' ? poetryClause(c) : dialect === 'conda' ? condaClause(c) : c,
    );
    const range = translated.join(',');
    if (range && !validRange(range)) return undefined;
    out.push(range);
  }
  return out;
}

/**
 * The versions a PEP 440 range is tested against: torch's known releases and, for each version the range names that
 * is not older than the newest known release, that version and the next patch, minor and major (a release the table
 * does not know yet). Inside the table's span the table is the truth: `>2.5.1` means 2.6.0, since 2.5.2 never existed.
 */
function candidates(ranges: readonly string[]): string[] {
  const newest = releaseOf(TORCH_RELEASES[TORCH_RELEASES.length - 1])!;
  const named = new Set<string>();
  for (const range of ranges)
    for (const match of range.matchAll(/\d+(?:\.\d+)*/g)) {
      const [major, minor = 0, patch = 0] = match[0].split('.').map(Number);
      if (compareReleases([major, minor, patch], newest) < 0) continue;
      for (const v of [
        [major, minor, patch],
        [major, minor, patch + 1],
        [major, minor + 1, 0],
        [major + 1, 0, 0],
      ])
        named.add(v.join('.'));
    }
  const all = [...new Set([...TORCH_RELEASES, ...named])];
  return all.sort((a, b) => compareReleases(releaseOf(a)!, releaseOf(b)!));
}

/**
 * The torch versions `ranges` (PEP 440 alternatives, from {@link toPep440}) allows, oldest first, among the known
 * releases and the versions the ranges name. An empty list means the specifier allows no release at all.
 */
export function allowedVersions(ranges: readonly string[]): string[] {
  return candidates(ranges).filter((v) => ranges.some((range) => range === '' || satisfies(v, range)));
}

/**
 * The lowest release `ranges` allows, as release numbers; undefined when it is unbounded below (the oldest torch
 * release is allowed) or allows nothing.
 */
export function lowestOf(ranges: readonly string[]): number[] | undefined {
  const allowed = allowedVersions(ranges);
  if (allowed.length === 0 || allowed[0] === TORCH_RELEASES[0]) return undefined;
  return releaseOf(allowed[0]);
}

/** `2.10.0` → `2.10`, `2.6.0` → `2.6`, `2.10.1` as it is: a version as a lower bound is usually written. */
export function shortVersion(version: string): string {
  return version.replace(/^(\d+\.\d+)(?:\.0)+$/, '$1');
}

/** One clause of a specifier as written: operator (none for a bare version), the space after it, the version. */
const CLAUSE = /(===|==|!=|<=|>=|~=|<|>|\^|~|=)?(\s*)(\d[\w.*+!-]*)/g;
const LOWER_BOUNDS = new Set(['>=', '>', '~=', '^', '~']);

/**
 * `spec` (as written after the name, in `dialect`) rewritten to allow exactly the releases it allowed from `version`
 * on: the first lower bound (`>=`, `>`, `~=`, Poetry's `^` and `~`) is raised to `version` (written short, `2.10`) and
 * any other lower bound dropped, or `>=version,` goes in front when there is none; upper bounds and exclusions stay as
 * written. An exact PEP 440 pin (`==2.5.1`) moves to `==version` instead. Undefined when no such rewrite keeps the
 * rest of the range (`<2.6`, `~=2.5.0` and `^1.13` end below `version`), for spellings this does not rewrite (conda's
 * fuzzy `2.5`, `===`, Poetry's `a || b`) and for a specifier that cannot be read: the caller then offers no rewrite.
 */
export function secureSpecifier(spec: string, dialect: Dialect, version: string): string | undefined {
  const short = shortVersion(version);
  if (spec.includes('|')) return undefined;
  const clauses = [...spec.matchAll(CLAUSE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    op: m[1] ?? '',
    space: m[2],
    version: m[3],
  }));
  const separators = [0, ...clauses.map((c) => c.end)].map((from, i) => spec.slice(from, clauses[i]?.start));
  if (!separators.every((s) => /^[\s,]*$/.test(s)) && spec.trim() !== '*') return undefined;
  let result: string;
  const pin = clauses.length === 1 && clauses[0].op === '==' && !clauses[0].version.includes('*');
  if (pin && dialect === 'pep440') {
    const [c] = clauses;
    result = `${spec.slice(0, c.start)}==${c.space}${version}${spec.slice(c.end)}`;
    return toPep440(result) ? result : undefined;
  }
  if (clauses.some((c) => !LOWER_BOUNDS.has(c.op) && !['<', '<=', '!='].includes(c.op))) return undefined;
  const lower = clauses.filter((c) => LOWER_BOUNDS.has(c.op));
  if (lower.length === 0) {
    const rest = spec.trim() === '*' ? '' : spec.trim();
    result = rest ? `>=${short},${rest}` : `>=${short}`;
  } else {
    // a dropped lower bound comes after the first one, so never opens the specifier: it goes with the separator before
    const dropped = new Set(lower.slice(1));
    result = '';
    clauses.forEach((c, i) => {
      if (dropped.has(c)) return;
      result +=
        separators[i] +
        (c === lower[0] ? `${c.op === '>' ? '>=' : c.op}${c.space}${short}` : spec.slice(c.start, c.end));
    });
    result += separators[clauses.length];
  }
  return keepsTheRest(spec, result, dialect, version) ? result : undefined;
}

/** True when `after` allows a release, and exactly the releases `before` allows from `version` on. */
function keepsTheRest(before: string, after: string, dialect: Dialect, version: string): boolean {
  const old = toPep440(before, dialect);
  const now = toPep440(after, dialect);
  if (!old || !now) return false;
  const allows = (ranges: readonly string[], v: string) => ranges.some((range) => range === '' || satisfies(v, range));
  const floor = releaseOf(version)!;
  const all = candidates([...old, ...now]);
  return (
    all.some((v) => allows(now, v)) &&
    all.every((v) => allows(now, v) === (allows(old, v) && compareReleases(releaseOf(v)!, floor) >= 0))
  );
}

/**
 * Inline suppression comments:
 * - `# pylint-torch: disable=rule-a,rule-b` — these rules on this line; bare `# pylint-torch: disable` — all rules;
 * - `# pylint-torch: disable-next=...` — the next line;
 * - `# pylint-torch: disable-file=...` — the whole file;
 * - any of them may end in ` -- reason` (ESLint's description): `# pylint-torch: disable=x -- reviewed by Ana`.
 * Other tools' comments count too, unless the caller turns them off: `# noqa` (flake8, Ruff; bare: every rule on the
 * line) and `# nosec` (Bandit; bare: every rule on any line of the finding) suppress the rules whose
 * `meta.aliases` list one of the codes they name. The engine knows no code: the rules bring them.
 * Only real comments count (comment nodes in Python; `#` comments in other files): the same text inside a Python
 * string does nothing.
 */
import type { Node } from '../syntax/parse';

/** A comment as directives see it: its text (from `#`), 1-based line, and UTF-16 offsets. */
export interface Comment {
  text: string;
  line: number;
  start: number;
  end: number;
}

/**
 * One `# pylint-torch:` directive. Offsets are 0-based UTF-16 offsets into the file's text: `start`/`end` span the
 * directive itself (from its `#` to the end of its ids or reason, not a comment before or after it).
 */
export interface Directive {
  kind: 'disable' | 'disable-next' | 'disable-file';
  /** The rule ids it names, each with its offsets; `'all'` for a directive without ids. */
  ids: { id: string; start: number; end: number }[] | 'all';
  /** The text after ` -- `, trimmed; undefined without one. */
  reason?: string;
  comment: Comment;
  start: number;
  end: number;
}

/** A directive, or one id of it, that suppressed nothing in this run. `id` undefined: the whole directive. */
export interface UnusedDirective {
  directive: Directive;
  id?: { id: string; start: number; end: number };
}

export interface Directives {
  /**
   * Is a finding of `ruleId` spanning lines `line`..`endLine` (1-based; `endLine` defaults to `line`) suppressed?
   * A pylint-torch directive or `# noqa` applies to the line where the finding starts; `# nosec` to any line of it,
   * as in Bandit. Records which directives were used, for {@link Directives.unused}.
   */
  suppresses(ruleId: string, line: number, endLine?: number): boolean;
  /**
   * The pylint-torch directives (or ids of them) that suppressed nothing so far, among those naming a rule of `ran`
   * (the rules that ran on the file): a directive for a rule that is off here may matter where it is on, so it is
   * never called unused. A bare directive counts as unused only when some rule ran. `# noqa` and `# nosec` are
   * other tools' comments and are never reported.
   */
  unused(ran: ReadonlySet<string>): UnusedDirective[];
  /** Rule ids named in directives that no rule has, with the comment that names them. */
  unknown: { ruleId: string; comment: Comment }[];
  /** Comments that start like a directive (`# pylint-torch:`) but do not parse: they suppress nothing. */
  malformed: Comment[];
}

/** Which rules other tools' codes stand for: code (any case) → rule ids, separately for `noqa` and `nosec`. */
export interface ExternalCodes {
  noqa: ReadonlyMap<string, readonly string[]>;
  nosec: ReadonlyMap<string, readonly string[]>;
}

export interface DirectiveOptions {
  /** The codes `# noqa: X` and `# nosec X` may name ({@link externalCodes}); without it those comments do nothing. */
  external?: ExternalCodes;
}

const PREFIX = /#\s*pylint-torch\s*:/i;
/**
 * From its `# pylint-torch:` to the end (or the next `#`, or ` -- reason` to the end), the comment must be exactly
 * one directive: a typo must never widen into "disable everything". Another comment may come before it
 * (`# type: ignore  # pylint-torch: disable`).
 */
const DIRECTIVE =
  /^#\s*pylint-torch:\s*(disable-next|disable-file|disable)(?:\s*=\s*([\w/-]+(?:\s*,\s*[\w/-]+)*))?(?:(\s+--+\s*)(\S.*))?(\s*(?:#.*)?)$/d;
const ID = /[\w/-]+/g;

/**
 * flake8's and Ruff's `# noqa` / `# noqa: E501,TOR102` (a code is letters then digits; without a colon right after
 * `noqa` it is a blanket noqa, as in flake8). Bandit's `# nosec` / `# nosec B614, B301` / `# nosec: B614` (up to the
 * next `#`).
 */
const NOQA = /#\s*noqa(?::\s*([a-z]+[0-9]+(?:[,\s]+[a-z]+[0-9]+)*))?/gi;
const NOSEC = /#\s*nosec\b:?([^#]*)/gi;

/** The `noqa`/`nosec` code table of some rules, from their `meta.aliases`. */
export function externalCodes(
  rules: Iterable<{ id: string; aliases?: { noqa?: readonly string[]; nosec?: readonly string[] } }>,
): ExternalCodes {
  const noqa = new Map<string, string[]>();
  const nosec = new Map<string, string[]>();
  const add = (table: Map<string, string[]>, code: string, id: string) => {
    const key = code.toUpperCase();
    table.set(key, [...(table.get(key) ?? []), id]);
  };
  for (const { id, aliases } of rules) {
    for (const code of aliases?.noqa ?? []) add(noqa, code, id);
    for (const code of aliases?.nosec ?? []) add(nosec, code, id);
  }
  return { noqa, nosec };
}

/** Another tool's comment on one line: the rule ids its codes stand for, or `'all'` for a bare one. */
type External = ReadonlySet<string> | 'all';

/** Reads directives from comment nodes. `knownRules` is used only to flag misspelled ids. */
export function parseDirectives(
  comments: readonly Comment[],
  knownRules: ReadonlySet<string>,
  options: DirectiveOptions = {},
): Directives {
  const all: Directive[] = [];
  const byLine = new Map<number, Directive[]>();
  const fileWide: Directive[] = [];
  const noqaByLine = new Map<number, External[]>();
  const nosecByLine = new Map<number, External[]>();
  const unknown: Directives['unknown'] = [];
  const malformed: Comment[] = [];
  // what each directive suppressed: the ids, or 'all' for a bare directive that suppressed something
  const used = new Map<Directive, Set<string>>();

  for (const comment of comments) {
    if (options.external) readExternal(comment, options.external, noqaByLine, nosecByLine);
    const at = comment.text.search(PREFIX);
    if (at < 0) continue;
    const directive = readDirective(comment, at);
    if (!directive) {
      malformed.push(comment);
      continue;
    }
    all.push(directive);
    if (directive.ids !== 'all')
      for (const { id } of directive.ids) if (!knownRules.has(id)) unknown.push({ ruleId: id, comment });
    if (directive.kind === 'disable-file') fileWide.push(directive);
    else {
      const target = directive.kind === 'disable-next' ? comment.line + 1 : comment.line;
      byLine.set(target, [...(byLine.get(target) ?? []), directive]);
    }
  }

  const names = (directive: Directive, ruleId: string) =>
    directive.ids === 'all' || directive.ids.some((entry) => entry.id === ruleId);
  const covers = (external: External, ruleId: string) => external === 'all' || external.has(ruleId);
  return {
    unknown,
    malformed,
    suppresses(ruleId, line, endLine = line) {
      let suppressed = false;
      // every directive that applies is marked used, so that none is called unused while another needs it
      for (const directive of [...fileWide, ...(byLine.get(line) ?? [])]) {
        if (!names(directive, ruleId)) continue;
        suppressed = true;
        const ids = used.get(directive) ?? new Set();
        used.set(directive, ids.add(ruleId));
      }
      if (noqaByLine.get(line)?.some((e) => covers(e, ruleId))) suppressed = true;
      for (let l = line; l <= endLine && !suppressed; l++)
        if (nosecByLine.get(l)?.some((e) => covers(e, ruleId))) suppressed = true;
      return suppressed;
    },
    unused(ran) {
      const found: UnusedDirective[] = [];
      for (const directive of all) {
        const usedIds = used.get(directive);
        if (directive.ids === 'all') {
          if (!usedIds && ran.size > 0) found.push({ directive });
          continue;
        }
        const idle = directive.ids.filter((entry) => ran.has(entry.id) && !usedIds?.has(entry.id));
        if (idle.length === 0) continue;
        if (idle.length === directive.ids.length) found.push({ directive });
        else for (const id of idle) found.push({ directive, id });
      }
      return found;
    },
  };
}

/** The directive of `comment` starting at `at` (its `#`), or undefined when it does not parse. */
function readDirective(comment: Comment, at: number): Directive | undefined {
  const text = comment.text.slice(at).trimEnd();
  const match = DIRECTIVE.exec(text);
  if (!match) return undefined;
  const base = comment.start + at;
  const indices = match.indices!;
  const ids: Directive['ids'] = [];
  if (match[2]) {
    const offset = base + indices[2]![0];
    for (const m of match[2].matchAll(ID))
      ids.push({ id: m[0], start: offset + m.index, end: offset + m.index + m[0].length });
  }
  // the directive ends where its reason ends (the rest of the comment), or before a comment after it
  const end = base + (match[4] !== undefined ? text.length : indices[5]![0]);
  return {
    kind: match[1] as Directive['kind'],
    ids: match[2] ? ids : 'all',
    ...(match[4] !== undefined && { reason: match[4].trim() }),
    comment,
    start: base,
    end,
  };
}

/** Records the `# noqa` and `# nosec` parts of a comment, by line. */
function readExternal(
  comment: Comment,
  codes: ExternalCodes,
  noqaByLine: Map<number, External[]>,
  nosecByLine: Map<number, External[]>,
): void {
  const add = (table: Map<number, External[]>, external: External) =>
    table.set(comment.line, [...(table.get(comment.line) ?? []), external]);
  const rulesOf = (table: ReadonlyMap<string, readonly string[]>, listed: string[]) =>
    new Set(listed.flatMap((code) => table.get(code.toUpperCase()) ?? []));
  for (const m of comment.text.matchAll(NOQA)) {
    add(noqaByLine, m[1] ? rulesOf(codes.noqa, m[1].split(/[,\s]+/)) : 'all');
  }
  for (const m of comment.text.matchAll(NOSEC)) {
    // Bandit reads test ids (B614) and names (pytorch_load); prose it cannot resolve leaves a blanket nosec
    const words = m[1].split(/[,\s]+/).filter((w) => /^B\d+$/i.test(w) || codes.nosec.has(w.toUpperCase()));
    add(nosecByLine, words.length ? rulesOf(codes.nosec, words) : 'all');
  }
}

/** The comment nodes of a Python tree, as directives read them (for analyses outside the linter's own walk). */
export function pythonComments(root: Node): Comment[] {
  return root
    .descendantsOfType('comment')
    .filter((c): c is Node => c !== null)
    .map((c) => ({ text: c.text, line: c.startPosition.row + 1, start: c.startIndex, end: c.endIndex }));
}

/** `#` comments of a non-Python file (shell, Dockerfile, YAML, .env): a `#` at line start or after white space. */
export function hashComments(text: string): Comment[] {
  const comments: Comment[] = [];
  let offset = 0;
  text.split('\n').forEach((line, index) => {
    const match = /(^|\s)(#.*?)\r?$/.exec(line);
    if (match) {
      const start = offset + match.index + match[1].length;
      comments.push({ text: match[2], line: index + 1, start, end: start + match[2].length });
    }
    offset += line.length + 1;
  });
  return comments;
}

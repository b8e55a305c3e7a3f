/**
 * Inline suppression comments:
 * - `# pylint-torch: disable=rule-a,rule-b` — these rules on this line; bare `# pylint-torch: disable` — all rules;
 * - `# pylint-torch: disable-next=...` — the next line;
 * - `# pylint-torch: disable-file=...` — the whole file.
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

export interface Directives {
  /** Is a finding of `ruleId` that starts on `line` (1-based) suppressed? */
  suppresses(ruleId: string, line: number): boolean;
  /** Rule ids named in directives that no rule has, with the comment that names them. */
  unknown: { ruleId: string; comment: Comment }[];
  /** Comments that start like a directive (`# pylint-torch:`) but do not parse: they suppress nothing. */
  malformed: Comment[];
}

const PREFIX = /#\s*pylint-torch\s*:/i;
/**
 * From its `# pylint-torch:` to the end (or the next `#`), the comment must be exactly one directive: a typo must
 * never widen into "disable everything". Another comment may come before it (`# noqa  # pylint-torch: disable`).
 */
const DIRECTIVE =
  /#\s*pylint-torch:\s*(disable-next|disable-file|disable)(?:\s*=\s*([\w/-]+(?:\s*,\s*[\w/-]+)*))?\s*(?:#.*)?$/;

/** Reads directives from comment nodes. `knownRules` is used only to flag misspelled ids. */
export function parseDirectives(comments: readonly Comment[], knownRules: ReadonlySet<string>): Directives {
  const byLine = new Map<number, Set<string> | 'all'>();
  let file: Set<string> | 'all' = new Set();
  const unknown: Directives['unknown'] = [];
  const malformed: Comment[] = [];
  const add = (current: Set<string> | 'all' | undefined, ids: string[] | 'all') =>
    current === 'all' || ids === 'all' ? 'all' : new Set([...(current ?? []), ...ids]);

  for (const comment of comments) {
    const at = comment.text.search(PREFIX);
    if (at < 0) continue;
    const match = DIRECTIVE.exec(comment.text.slice(at).trimEnd());
    if (!match) {
      malformed.push(comment);
      continue;
    }
    const ids = match[2] ? match[2].split(',').map((id) => id.trim()) : 'all';
    if (ids !== 'all') for (const id of ids) if (!knownRules.has(id)) unknown.push({ ruleId: id, comment });
    const { line } = comment;
    if (match[1] === 'disable-file') file = add(file, ids);
    else {
      const target = match[1] === 'disable-next' ? line + 1 : line;
      byLine.set(target, add(byLine.get(target), ids));
    }
  }
  return {
    unknown,
    malformed,
    suppresses(ruleId, line) {
      if (file === 'all' || file.has(ruleId)) return true;
      const onLine = byLine.get(line);
      return onLine === 'all' || (onLine?.has(ruleId) ?? false);
    },
  };
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

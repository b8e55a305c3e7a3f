/**
 * Inline suppression comments:
 * - `# pylint-torch: disable=rule-a,rule-b` — these rules on this line; bare `# pylint-torch: disable` — all rules;
 * - `# pylint-torch: disable-next=...` — the next line;
 * - `# pylint-torch: disable-file=...` — the whole file.
 * Only real comment nodes count: the same text inside a string does nothing.
 */
import type { Node } from './parse';

export interface Directives {
  /** Is a finding of `ruleId` that starts on `line` (1-based) suppressed? */
  suppresses(ruleId: string, line: number): boolean;
  /** Rule ids named in directives that no rule has, with the comment that names them. */
  unknown: { ruleId: string; comment: Node }[];
}

const DIRECTIVE = /#\s*pylint-torch:\s*(disable-next|disable-file|disable)\b\s*(?:=\s*([\w\-]+(?:\s*,\s*[\w\-]+)*))?/;

/** Reads directives from comment nodes. `knownRules` is used only to flag misspelled ids. */
export function parseDirectives(comments: Node[], knownRules: ReadonlySet<string>): Directives {
  const byLine = new Map<number, Set<string> | 'all'>();
  let file: Set<string> | 'all' = new Set();
  const unknown: Directives['unknown'] = [];
  const add = (current: Set<string> | 'all' | undefined, ids: string[] | 'all') =>
    current === 'all' || ids === 'all' ? 'all' : new Set([...(current ?? []), ...ids]);

  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.text);
    if (!match) continue;
    const ids = match[2] ? match[2].split(',').map((id) => id.trim()) : 'all';
    if (ids !== 'all') for (const id of ids) if (!knownRules.has(id)) unknown.push({ ruleId: id, comment });
    const line = comment.startPosition.row + 1;
    if (match[1] === 'disable-file') file = add(file, ids);
    else {
      const target = match[1] === 'disable-next' ? line + 1 : line;
      byLine.set(target, add(byLine.get(target), ids));
    }
  }
  return {
    unknown,
    suppresses(ruleId, line) {
      if (file === 'all' || file.has(ruleId)) return true;
      const onLine = byLine.get(line);
      return onLine === 'all' || (onLine?.has(ruleId) ?? false);
    },
  };
}

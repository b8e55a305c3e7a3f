/** Rule docs (docs/rules/<id>.md, for SARIF help and `pylint-torch rule <id>`), read from the installed package. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyRule } from '../engine/rule';
import { packageRoot, REPOSITORY_URL } from '../io/package';

/**
 * Rule docs (markdown) by rule id, for the rules that have one in the package's docs/rules/, with relative links
 * made absolute ({@link absoluteLinks}) against the page's address in the repository: SARIF viewers (GitHub's alert
 * view) show `help.markdown` away from the docs folder, where `../untrusted-sources.md` leads nowhere.
 */
export function loadRuleDocs(rules: readonly AnyRule[]): Map<string, string> {
  const docs = new Map<string, string>();
  for (const rule of rules) {
    const text = ruleDoc(rule.meta.id);
    if (text !== undefined) docs.set(rule.meta.id, text);
  }
  return docs;
}

/** Where the rule docs are published (the folder of docs/rules/<id>.md in the repository). */
export const RULE_DOCS_URL = `${REPOSITORY_URL}/tree/main/docs/rules`;

/**
 * The markdown of docs/rules/`id`.md in the installed package, relative links made absolute as in
 * {@link loadRuleDocs}; undefined when there is none.
 */
export function ruleDoc(id: string): string | undefined {
  if (!/^[a-z0-9][\w-]*$/i.test(id)) return undefined; // never a path outside docs/rules
  const file = path.join(packageRoot, 'docs', 'rules', `${id}.md`);
  if (!fs.existsSync(file)) return undefined;
  return absoluteLinks(fs.readFileSync(file, 'utf8'), `${REPOSITORY_URL}/blob/main/docs/rules/${id}.md`);
}

/** A link target with a scheme (`https:`, `mailto:`) is already absolute. */
const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;

/**
 * `markdown` with each relative link target (inline `[text](target)`, images, and reference definitions
 * `[label]: target`) resolved against `pageUrl` as a browser would (`../x.md`, `y.md#part`, `#part`). Fenced code
 * blocks and inline code are left as written.
 */
export function absoluteLinks(markdown: string, pageUrl: string): string {
  const resolve = (target: string) => (ABSOLUTE.test(target) ? target : new URL(target, pageUrl).href);
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced || /^\s*(```|~~~)/.test(line)) return line;
      const definition = /^(\s{0,3}\[[^\]]+\]:\s*)(\S+)(.*)$/.exec(line);
      if (definition) return definition[1] + resolve(definition[2]) + definition[3];
      // split off inline code spans (odd indexes) so that `a[i](x)` in code is not taken for a link
      return line
        .split(/(`[^`]*`)/)
        .map((part, index) =>
          index % 2
            ? part
            : part.replace(
                /\]\(([^)\s]+)((?:\s+"[^"]*")?)\)/g,
                (_, t: string, title: string) => `](${resolve(t)}${title})`,
              ),
        )
        .join('');
    })
    .join('\n');
}

/**
 * The first paragraph under the doc's `## Why is this bad?` heading (the layout of docs/writing-a-rule.md) as one
 * line of plain text, links reduced to their text, at most `max` characters (GitHub shows up to 1,000 of SARIF
 * `fullDescription`); undefined without one.
 */
export function docSummary(markdown: string, max = 1000): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^##\s+Why is this bad\?\s*$/.test(line));
  if (start === -1) return undefined;
  const paragraph: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*$/.test(line) || /^#/.test(line) || (paragraph.length > 0 && /^\s*([-*+]|\d+\.)\s/.test(line))) {
      if (paragraph.length) break;
      continue;
    }
    paragraph.push(line.trim());
  }
  if (!paragraph.length) return undefined;
  const text = paragraph
    .join(' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Rule docs (docs/rules/<id>.md, for SARIF help and `pylint-torch rule <id>`), read from the installed package. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_URL, type AnyRule } from '../engine/rule';
import { packageRoot } from '../io/package';

/** Where the rule docs are published (the folder of docs/rules/<id>.md in the repository). */
export const RULE_DOCS_URL = `${REPOSITORY_URL}/tree/main/docs/rules`;

/** Rule docs (markdown) by rule id, for the rules that have one in the package's docs/rules/. */
export function loadRuleDocs(rules: readonly AnyRule[]): Map<string, string> {
  const docs = new Map<string, string>();
  for (const rule of rules) {
    const text = ruleDoc(rule.meta.id);
    if (text !== undefined) docs.set(rule.meta.id, text);
  }
  return docs;
}

/** The markdown of docs/rules/`id`.md in the installed package, or undefined when there is none. */
export function ruleDoc(id: string): string | undefined {
  if (!/^[a-z0-9][\w-]*$/i.test(id)) return undefined; // never a path outside docs/rules
  const file = path.join(packageRoot, 'docs', 'rules', `${id}.md`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** Rule docs (docs/rules/<id>.md, for SARIF help), read from the installed package. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyRule } from '../engine/rule';
import { packageRoot } from '../io/package';

/** Rule docs (markdown) by rule id, for the rules that have one in the package's docs/rules/. */
export function loadRuleDocs(rules: readonly AnyRule[]): Map<string, string> {
  const docs = new Map<string, string>();
  for (const rule of rules) {
    const file = path.join(packageRoot, 'docs', 'rules', `${rule.meta.id}.md`);
    if (fs.existsSync(file)) docs.set(rule.meta.id, fs.readFileSync(file, 'utf8'));
  }
  return docs;
}

/**
 * The package's own facts: its version (package.json) and its rule docs (docs/rules/*.md, for SARIF help).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../rules';

/** The package folder (this file runs from src/ under Jest and from dist/src/ when built). */
const packageRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;

/** Rule docs (markdown) by rule id. */
export function loadRuleDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  for (const rule of rules) {
    const file = path.join(packageRoot, 'docs', 'rules', `${rule.meta.id}.md`);
    if (fs.existsSync(file)) docs.set(rule.meta.id, fs.readFileSync(file, 'utf8'));
  }
  return docs;
}

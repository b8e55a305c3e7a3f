/**
 * Import edits for fixes: make `module.Name` usable by a short name at a place in a file, reusing what the file
 * already imports, merging into an existing `from module import ...`, else adding one `from module import ...` line
 * after the file's top import block. Never duplicates an import and never shadows another binding of the name.
 */
import type { Node } from './parse';
import { namedChildren } from './python';
import type { TextEdit } from './edits';
import type { FileScopes } from './scope';

export interface ImportPlan {
  /** The name to write for each qualified name asked for (`argparse.Namespace` → `Namespace`). */
  names: Map<string, string>;
  /** The edits that add the missing imports (UTF-16 offsets into the file's text). */
  edits: TextEdit[];
}

/**
 * Plans the imports that make each of `qualified` (dotted `module.Name`; `builtins.X` needs none) usable at `at`.
 * Returns undefined when a name is already bound at `at` to something else (a fix would change what it means), or
 * when a name is not a plain `module.Name` (a nested class, a relative module).
 */
export function planImports(
  context: { text: string; root: Node; scopes: FileScopes },
  qualified: readonly string[],
  at: Node,
): ImportPlan | undefined {
  const { scopes } = context;
  const scope = scopes.scopeOf(at);
  const names = new Map<string, string>();
  const missing = new Map<string, string[]>(); // module → names to import
  for (const q of qualified) {
    const dot = q.lastIndexOf('.');
    if (dot <= 0 || q.startsWith('.')) return undefined;
    const module = q.slice(0, dot);
    const name = q.slice(dot + 1);
    const bindings = scopes.lookup(name, scope);
    // `import argparse` (or `import numpy as np`) already binds the module: `argparse.Namespace` needs no import
    const moduleBinding = [...scopes.module.bindings.values()]
      .flat()
      .find((b) => b.kind === 'import' && b.qualname === module);
    const moduleName =
      moduleBinding &&
      scopes.lookup(moduleBinding.name, scope)?.every((b) => b.kind === 'import' && b.qualname === module)
        ? moduleBinding.name
        : undefined;
    if (moduleName) {
      names.set(q, `${moduleName}.${name}`);
      continue;
    }
    if (module === 'builtins') {
      if (bindings) return undefined; // shadowed builtin
    } else if (bindings) {
      if (!bindings.every((b) => b.kind === 'import' && b.qualname === q)) return undefined;
    } else if (scopes.module.bindings.has(name) || [...missing.values()].some((list) => list.includes(name))) {
      return undefined; // bound at module level but not visible here (a class body), or asked twice from two modules
    } else {
      missing.set(module, [...(missing.get(module) ?? []), name]);
    }
    names.set(q, name);
  }
  return { names, edits: importEdits(context, missing) };
}

/** Merges into existing `from module import ...` statements, else adds lines after the top import block. */
function importEdits(context: { text: string; root: Node }, missing: Map<string, string[]>): TextEdit[] {
  const { text, root } = context;
  const edits: TextEdit[] = [];
  const lines: string[] = [];
  const top = namedChildren(root).filter((n) => n.type !== 'comment');
  for (const [module, list] of missing) {
    const existing = top.find(
      (n) =>
        n.type === 'import_from_statement' &&
        n.childForFieldName('module_name')?.text === module &&
        !n.descendantsOfType('wildcard_import').length,
    );
    const imported = existing
      ? namedChildren(existing).filter(
          (c) => c.id !== existing.childForFieldName('module_name')?.id && c.type !== 'comment',
        )
      : [];
    if (existing && imported.length) {
      const last = imported[imported.length - 1];
      edits.push({ range: [last.endIndex, last.endIndex], text: `, ${list.join(', ')}` });
    } else {
      lines.push(`from ${module} import ${list.join(', ')}`);
    }
  }
  if (lines.length === 0) return edits;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // after the last import of the top block (docstring, __future__ and other imports, before the first other statement)
  let anchor: Node | undefined;
  for (const [i, node] of top.entries()) {
    const docstring = i === 0 && node.type === 'expression_statement' && node.namedChild(0)?.type === 'string';
    if (
      node.type === 'import_statement' ||
      node.type === 'import_from_statement' ||
      node.type === 'future_import_statement' ||
      docstring
    )
      anchor = node;
    else break;
  }
  // no import block: after the comments that open the file (a shebang and a coding line must stay first)
  anchor ??= namedChildren(root).find(
    (n, i, all) =>
      n.type === 'comment' && all[i + 1]?.type !== 'comment' && all.slice(0, i).every((c) => c.type === 'comment'),
  );
  if (!anchor) return [...edits, { range: [0, 0], text: lines.map((l) => `${l}${eol}`).join('') }];
  const lineEnd = text.indexOf('\n', anchor.endIndex);
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  const prefix = lineEnd === -1 ? eol : '';
  return [...edits, { range: [at, at], text: prefix + lines.map((l) => `${l}${eol}`).join('') }];
}

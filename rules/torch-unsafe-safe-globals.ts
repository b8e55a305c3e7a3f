import { type Node, parentOf } from '../src/syntax/parse';
import { callArguments, namedChildren, stringValue, unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { dangerReason } from '../src/checkpoint/dangerous';
import type { FileScopes } from '../src/syntax/scope';

/** How many names and concatenations an allowlist is followed through. */
const MAX_LIST_DEPTH = 8;

const ALLOWLIST_FUNCTIONS = new Set(['torch.serialization.add_safe_globals', 'torch.serialization.safe_globals']);
const FROM_CHECKPOINT = 'torch.serialization.get_unsafe_globals_in_checkpoint';

export default createRule({
  meta: {
    id: 'torch-unsafe-safe-globals',
    type: 'problem',
    docs: {
      description:
        'Disallow weights_only allowlists that can run code or that are computed from the checkpoint itself.',
    },
    hasSuggestions: false,
    messages: {
      dangerous:
        '`{{name}}` in a weights_only allowlist: {{why}}, so a checkpoint that names it runs code despite ' +
        '`weights_only=True`. Allowlist only plain data classes.',
      fromCheckpoint:
        'This allowlist is computed from the checkpoint being loaded ({{how}}): a malicious file allowlists its ' +
        'own globals and `weights_only=True` protects nothing. List the exact trusted classes in the code.',
    },
    schema: false,
    defaultSeverity: 'error',
    security: { severity: 9.0, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(context) {
    const { scopes } = context;
    return {
      call(node: Node) {
        const callee = node.childForFieldName('function');
        if (!callee || !ALLOWLIST_FUNCTIONS.has(scopes.qualifiedName(callee) ?? '')) return;
        const list =
          callArguments(node).positional[0] ??
          callArguments(node).keywords.get('safe_globals')?.childForFieldName('value');
        if (!list) return;
        const derived = derivedFromCheckpoint(list, scopes);
        if (derived) {
          context.report({ node: list, messageId: 'fromCheckpoint', data: { how: derived } });
          return;
        }
        for (const entry of entries(list, scopes)) {
          // `(obj, "recorded.module.Name")` tuples: both the object and the name it stands for
          const parts = unparen(entry).type === 'tuple' ? namedChildren(unparen(entry)) : [entry];
          for (const part of parts) {
            const name = stringValue(part) ?? scopes.qualifiedName(part);
            const why = name === undefined ? undefined : dangerReason(name);
            if (why && name) context.report({ node: part, messageId: 'dangerous', data: { name, why } });
          }
        }
      },
    };
  },
});

/** The elements of a list/tuple/set literal, or of the literal a name is bound to once (in the module or function). */
function entries(list: Node, scopes: FileScopes): Node[] {
  const node = unparen(list);
  if (['list', 'tuple', 'set'].includes(node.type)) return namedChildren(node);
  if (node.type !== 'identifier') return [];
  const bindings = scopes.bindingsOf(node);
  const value =
    bindings?.length === 1 && bindings[0].kind === 'assign' && bindings[0].value
      ? unparen(bindings[0].value)
      : undefined;
  return value && ['list', 'tuple', 'set'].includes(value.type) ? namedChildren(value) : [];
}

/**
 * How an allowlist expression derives from the checkpoint: a call of `get_unsafe_globals_in_checkpoint`, or the
 * text of a caught exception (`GLOBAL x.Y was not an allowed global` parsed out of `str(e)`), reached through
 * names, calls, comprehensions and subscripts within the file.
 */
function derivedFromCheckpoint(expr: Node, scopes: FileScopes): string | undefined {
  const seen = new Set<number>();
  // an explicit stack, visited in the order a recursive walk would take: syntax can nest thousands of levels deep
  const stack: [Node, number][] = [[expr, 0]]; // depth counts names followed, not syntax
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, depth] = item;
    if (depth > MAX_LIST_DEPTH || seen.has(current.id)) continue;
    seen.add(current.id);
    const node = unparen(current);
    if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      if (callee && scopes.qualifiedName(callee) === FROM_CHECKPOINT)
        return `\`get_unsafe_globals_in_checkpoint\`, line ${node.startPosition.row + 1}`;
    }
    // `[TRUSTED[n] for n in names if n in TRUSTED]`: the values come from a fixed table, the file only picks among them
    if (['list_comprehension', 'set_comprehension', 'generator_expression'].includes(node.type)) {
      const body = node.childForFieldName('body');
      const filtered = namedChildren(node).some(
        (c) => c.type === 'if_clause' && / in [A-Za-z_][\w.]*\s*$/.test(c.text),
      );
      if (body && unparen(body).type === 'subscript' && filtered) continue;
    }
    if (node.type === 'identifier') {
      const values: Node[] = [];
      for (const binding of scopes.bindingsOf(node) ?? []) {
        if (
          binding.kind === 'other' &&
          parentOf(parentOf(binding.node)!)?.type === 'as_pattern' &&
          parentOf(parentOf(parentOf(binding.node)!)!)?.type === 'except_clause'
        ) {
          return `the error message of the failed load, line ${binding.node.startPosition.row + 1}`;
        }
        if (binding.value) values.push(binding.value);
      }
      for (let i = values.length - 1; i >= 0; i--) stack.push([values[i], depth + 1]);
      continue;
    }
    const children = namedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], depth]);
  }
  return undefined;
}

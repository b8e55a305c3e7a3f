import type { Node } from '../src/syntax/parse';
import { callArguments, stringValue, unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { torchContext } from '../src/torch/services';
import { stateDictMigration } from '../src/torch/repairs/state-dict-migration';
import { isSaveCall } from '../src/torch/api';
import { isModuleBaseName, moduleEvidence } from '../src/torch/modules';

interface Options {
  /** Fully qualified classes to treat as nn.Module bases, e.g. `mylib.nn.BaseModel`. */
  extraModuleBases: string[];
}

/**
 * `torch.save(model, path)` pickles the module object itself: loading it needs `weights_only=False` (code execution)
 * and the class at the same import path. Saving `model.state_dict()` loads with `weights_only=True`.
 */
export default createRule<'fullModel' | 'inContainer' | 'saveStateDict', Options>({
  meta: {
    id: 'torch-save-full-model',
    type: 'suggestion',
    docs: { description: 'Save `model.state_dict()` instead of a whole nn.Module.' },
    fixable: 'code',
    hasSuggestions: true,
    messages: {
      fullModel:
        '`torch.save()` pickles the whole nn.Module `{{name}}`: {{reason}}. Loading it needs `weights_only=False` ' +
        'or an allowlist of every class it holds. Save `{{name}}.state_dict()` and load it with `weights_only=True`.',
      inContainer:
        '`torch.save()` pickles `{{container}}`, which holds the whole nn.Module `{{name}}` (line {{line}}): ' +
        '{{reason}}. Loading it needs `weights_only=False` or an allowlist of every class it holds. Store `{{name}}.state_dict()` in it instead.',
      saveStateDict:
        'Save `{{name}}.state_dict()` instead (every load of this file must then rebuild the model and call ' +
        '`load_state_dict`{{loads}}).',
    },
    schema: {
      type: 'object',
      properties: { extraModuleBases: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][\\w.]*$' } } },
      additionalProperties: false,
    },
    defaultSeverity: 'warn',
    security: { severity: 5.0, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: { extraModuleBases: [] },
  create(base) {
    const context = torchContext(base);
    const { index } = context.project;
    // one options object per file, so that evidence memoised per binding is reused across calls
    const options = {
      ...context.options,
      resolveClass: (qualified: string) =>
        index?.moduleClass(context.filePath, qualified, (name) =>
          isModuleBaseName(name, context.options.extraModuleBases),
        )?.reason,
    };
    return {
      call(node: Node) {
        if (!isSaveCall(node, context.scopes)) return;
        const args = callArguments(node);
        const obj = args.keywords.get('obj')?.childForFieldName('value') ?? args.positional[0];
        const evidence = obj && moduleEvidence(obj, context.scopes, options);
        if (!evidence) return;
        const target = unparen(evidence.node);
        const simple = ['identifier', 'attribute'].includes(target.type);
        const edit = { range: [target.endIndex, target.endIndex] as [number, number], text: '.state_dict()' };
        // A fix only together with every load of the same path (src/torch/repairs/state-dict-migration.ts: the
        // loads are rewritten by the weights_only rules in the same run); otherwise a suggestion naming them.
        const path = args.keywords.get('f')?.childForFieldName('value') ?? args.positional[1];
        const literal = path && stringValue(unparen(path));
        const migration = literal !== undefined ? stateDictMigration(context, literal) : undefined;
        const together = migration && 'arguments' in migration;
        const loads = migration?.loads.length
          ? `; loads to change with it: ${migration.loads.map((l) => `${index?.displayPath(l.file) ?? l.file}:${l.line}`).join(', ')}`
          : '';
        context.report({
          node: evidence.via ?? target,
          messageId: evidence.via ? 'inContainer' : 'fullModel',
          data: {
            name: target.text,
            reason: evidence.reason,
            container: evidence.via?.text ?? '',
            line: String(target.startPosition.row + 1),
          },
          ...(together && { fix: [edit], fixSafety: 'unsafe' as const }),
          suggest:
            simple && !together
              ? [{ messageId: 'saveStateDict', data: { name: target.text, loads }, fix: [edit] }]
              : undefined,
        });
      },
    };
  },
});

import { type Node, parentOf } from '../src/syntax/parse';
import { unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { loadCallIn, weightsOnlyIn, stateDictEvidence, torchContext } from '../src/torch/services';
import { relatedSources, untrustedInfluence, untrustedSource } from '../src/analysis/taint';
import { canBeFalse } from '../src/analysis/constants';
import { blocksWeightsOnly, insideSafeGlobals, pathArgument, viaText } from '../src/torch/api';
import { chooseWeightsOnlyRepair } from '../src/torch/repairs/weights-only';
import { sameFunctionRoundTrip } from '../src/torch/round-trip';
import { EXTERNAL_CODES } from '../src/torch/external-codes';

/**
 * `weights_only=False` turns torch's restricted unpickler off: any global in the file is imported and called.
 * An error when the path visibly comes from outside (CLI, environment, input, download, URL), else a warning.
 */
export default createRule({
  meta: {
    id: 'torch-load-weights-only-false',
    type: 'problem',
    docs: { description: 'Disallow `weights_only=False`, above all on paths that come from users or downloads.' },
    fixable: 'code',
    hasSuggestions: true,
    messages: {
      unsafe:
        '`{{callee}}(..., weights_only=False)`{{via}} unpickles with full pickle: a malicious checkpoint runs ' +
        'code. Use `weights_only=True` and allowlist the exact trusted classes with ' +
        '`torch.serialization.safe_globals([...])`.',
      untrusted:
        '`{{callee}}(..., weights_only=False)`{{via}} on a path from {{source}} (line {{line}}): whoever controls ' +
        'that file can run code here. Use `weights_only=True` and allowlist the exact trusted classes with ' +
        '`torch.serialization.safe_globals([...])`.',
      untrustedMaybeFalse:
        '`{{callee}}(..., weights_only={{value}})`{{via}} on a path from {{source}} (line {{line}}): weights_only ' +
        'is computed at run time and {{why}}, and then whoever controls that file can run code here. Pass ' +
        '`weights_only=True` and allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
      useWeightsOnlyTrue:
        'Use `weights_only=True` (changes behaviour: pickled objects beyond tensors and containers need ' +
        '`safe_globals`).',
    },
    schema: false,
    aliases: EXTERNAL_CODES['torch-load-weights-only-false'],
    defaultSeverity: 'warn',
    security: { severity: 8.8, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(base) {
    const context = torchContext(base);
    return {
      call(node: Node) {
        const load = loadCallIn(context, node);
        const passed = load && weightsOnlyIn(context, load);
        if (!load || !passed?.node || (passed.value !== 'false' && passed.value !== 'unknown')) return;
        // reading back what this function just saved to a temporary file or buffer it made: nothing untrusted can
        // be in it, and full pickle is what such a round trip of arbitrary objects needs (src/torch/round-trip.ts)
        if (sameFunctionRoundTrip(load, context.scopes)) return;
        const value = passed.node;
        const path = pathArgument(load);
        const source = path && untrustedSource(path, context.scopes);
        if (passed.value === 'unknown') {
          // a value only the run decides: reported only on an untrusted path, where False can be chosen or reached
          if (!source) return;
          const influence = untrustedInfluence(value, context.scopes);
          const why = influence
            ? `depends on ${influence.description} (line ${influence.node.startPosition.row + 1}), so it is False for some inputs`
            : canBeFalse(value, context.scopes)
              ? 'is False on some paths'
              : undefined;
          if (!why) return;
          context.report({
            node: !passed.direct ? node : keywordOrValue(value),
            messageId: 'untrustedMaybeFalse',
            data: {
              callee: load.fn.display,
              via: viaText(load.fn),
              value: passed.direct ? shortText(value.text) : '…',
              source: source.description,
              line: String(source.node.startPosition.row + 1),
              why,
            },
            severity: 'error',
            related: relatedSources(source, influence),
            suggest: passed.direct
              ? [
                  {
                    messageId: 'useWeightsOnlyTrue',
                    fix: [{ range: [value.startIndex, value.endIndex] as [number, number], text: 'True' }],
                  },
                ]
              : undefined,
          });
          return;
        }
        const literal = unparen(value);
        // With evidence a fix (safe for a state dict or a checkpoint file that loads with weights_only=True; the
        // safe_globals wrap, unsafe, for one that needs classes); without it only a suggestion: a checkpoint that
        // holds whole objects would stop loading, which only a person can judge.
        // no edit when an argument cannot be combined with weights_only=True (pickle_module, fix_imports…)
        const blocker = blocksWeightsOnly(load, context.scopes);
        const edit =
          literal.type === 'false' && !(blocker && !blocker.startsWith('**'))
            ? { range: [literal.startIndex, literal.endIndex] as [number, number], text: 'True' }
            : undefined;
        const stateDict = stateDictEvidence(context, load, insideSafeGlobals(node, context.scopes));
        // a `**dict` that may carry pickle_module or another pickle argument leaves only the suggestion
        const repair =
          edit &&
          (blocker
            ? { suggestion: edit }
            : chooseWeightsOnlyRepair(context, load, edit, { stateDict, addsKeyword: false, explicitFalse: true }));
        const suggest = repair?.suggestion
          ? [{ messageId: 'useWeightsOnlyTrue' as const, fix: [repair.suggestion] }]
          : undefined;
        context.report({
          // at the keyword, or at the call when the False sits in a `**kwargs` dict elsewhere
          node: !passed.direct ? node : keywordOrValue(value),
          messageId: source ? 'untrusted' : 'unsafe',
          data: {
            callee: load.fn.display,
            via: viaText(load.fn),
            source: source?.description ?? '',
            line: String((source?.node.startPosition.row ?? 0) + 1),
          },
          severity: source ? 'error' : undefined,
          related: relatedSources(source),
          ...(repair?.fix && { fix: repair.fix, fixSafety: repair.safety }),
          suggest,
        });
      },
    };
  },
});

function shortText(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/** The `weights_only=` keyword argument that holds `value`, else `value` itself. */
function keywordOrValue(value: Node): Node {
  const parent = parentOf(value);
  return parent?.type === 'keyword_argument' ? parent : value;
}

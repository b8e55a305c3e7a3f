import { addArgument } from '../src/syntax/edits';
import { closestAncestor, type Node } from '../src/syntax/parse';
import { unparen } from '../src/syntax/python';
import { createRule, type Fix } from '../src/engine/rule';
import { loadCallIn, weightsOnlyIn, stateDictEvidence, torchContext } from '../src/torch/services';
import { blocksWeightsOnly, insideSafeGlobals, pickleModuleArgument, viaText } from '../src/torch/api';
import { chooseWeightsOnlyRepair, type WeightsOnlyRepair } from '../src/torch/repairs/weights-only';
import { migrationRepair } from '../src/torch/repairs/state-dict-migration';
import { sameFunctionRoundTrip } from '../src/torch/round-trip';
import { EXTERNAL_CODES } from '../src/torch/external-codes';

/**
 * A torch.load-family call that does not say `weights_only`. Before torch 2.6 (and for the hub loaders on every
 * version) the default is a full unpickle that can run code; from 2.6 the default rejects pickled objects, so the
 * call's behaviour depends on the torch version installed.
 */
export default createRule({
  meta: {
    id: 'torch-load-missing-weights-only',
    type: 'problem',
    docs: { description: 'Require an explicit `weights_only=` on torch.load and the hub loaders.' },
    fixable: 'code',
    hasSuggestions: true,
    messages: {
      missing:
        '`{{callee}}()`{{via}} without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code ' +
        'execution on a malicious file), torch 2.6+ rejects them ({{torch}}). Pass `weights_only=True`.',
      none:
        '`{{callee}}(..., weights_only=None)`{{via}} leaves the choice to the torch version: before 2.6 it unpickles ' +
        'arbitrary objects (code execution on a malicious file) ({{torch}}). Pass `weights_only=True`.',
      missingModern:
        '`{{callee}}()`{{via}} without `weights_only` is safe by default on the declared torch ({{torch}}) but ' +
        'will reject pickled objects; pass `weights_only=True` to say so.',
      missingDefaultFalse:
        '`{{callee}}()`{{via}} without `{{keyword}}` loads with `weights_only=False`: the file is unpickled with ' +
        'full pickle (code execution on a malicious file). Pass `{{keyword}}=True`.',
      loaderNoParam:
        '`{{callee}}()`{{via}} loads with `weights_only=False` and takes no weights_only argument: the file is ' +
        'unpickled with full pickle (code execution on a malicious file). Load it with `torch.load(..., ' +
        'weights_only=True)` instead.',
      missingRemote:
        '`{{callee}}()` without `weights_only` defaults to `weights_only=False` on every torch version: a ' +
        'downloaded file is unpickled with full pickle. Pass `weights_only=True`.',
      raiseRequirement:
        '`{{callee}}()`{{via}} without `{{keyword}}` can unpickle arbitrary objects (code execution on a malicious ' +
        'file), and {{declared}} allows torch older than {{since}}, whose `{{owner}}` has no `weights_only` ' +
        'keyword: require torch>={{since}}, then pass `{{keyword}}=True`.',
      roundTrip:
        '`{{callee}}()` leaves `weights_only` to torch and reads back what this function saved at line {{line}} to ' +
        '{{target}} it made: nothing untrusted can be in it, but torch before 2.6 loads it with full pickle and ' +
        'torch 2.6+ with `weights_only=True`, which rejects pickled objects ({{torch}}). Pass `weights_only=True` ' +
        'when it holds only tensors and plain containers, else `weights_only=False` (safe for this round trip).',
      addWeightsOnly: 'Pass `{{keyword}}=True` (a suggestion, never applied by --fix: {{reason}}).',
    },
    schema: false,
    aliases: EXTERNAL_CODES['torch-load-missing-weights-only'],
    defaultSeverity: 'error',
    security: {
      severity: 7.8,
      precision: 'high',
      cwe: ['CWE-502'],
      // safe by default on the declared torch, or a round trip of the function's own file: no code execution
      compatibility: ['missingModern', 'roundTrip'],
    },
  },
  defaultOptions: {},
  create(base) {
    const context = torchContext(base);
    return {
      call(node: Node) {
        const load = loadCallIn(context, node);
        if (!load || load.fn.weightsOnlyDefault === true || load.fn.reportsAbsent === false) return;
        // `**kwargs` may carry the key; `pickle_module` is reported by torch-load-pickle-module and cannot be
        // combined with weights_only=True (docs/torch-facts.md).
        // Reported when weights_only is certainly not passed (also through a `**kwargs` dict built in the function)
        // or certainly None, which lets torch pick the same default (torch/serialization.py, 2.6). `pickle_module`
        // is reported by torch-load-pickle-module and cannot be combined with weights_only=True (docs/torch-facts.md).
        const passed = weightsOnlyIn(context, load);
        if ((passed.value !== 'absent' && passed.value !== 'none') || pickleModuleArgument(load)) return;
        // a wrapper called with `pickle_module=` passes it on (TTS `load_fsspec(..., pickle_module=p)`): as above
        if (load.fn.via && load.args.keywords.has('pickle_module')) return;
        const none =
          passed.value === 'none' && passed.direct && passed.node && unparen(passed.node).type === 'none'
            ? unparen(passed.node)
            : undefined;
        if (passed.value === 'none' && !none) return; // None through a name or a dict: reported where it is certain only
        if (load.fn.weightsOnlyIndex !== undefined && load.args.hasListSplat) return; // may be passed positionally
        // None reaches torch.load as None (torch decides), whatever a wrapper's own default is
        const remote = load.fn.weightsOnlyDefault === false && passed.value !== 'none';
        const keyword = load.fn.weightsOnlyName ?? 'weights_only';
        // No fix when `*args` may hold pickle_module (weights_only=True would raise), or in an `except TypeError:`
        // fallback that exists for torch builds without the weights_only keyword (adding it would raise again).
        // Nor when an argument cannot be combined with weights_only=True (`pickle_module`, or a pickle argument the
        // weights_only unpickler does not take, also through a `**dict` not known to lack them).
        // A `**dict` that only may carry one leaves the edit as a suggestion.
        const blocker = blocksWeightsOnly(load, context.scopes);
        const edit =
          blocker && !blocker.startsWith('**')
            ? undefined
            : none
              ? { range: [none.startIndex, none.endIndex] as [number, number], text: 'True' }
              : load.args.hasListSplat || insideExceptTypeError(node) || load.fn.acceptsWeightsOnly === false
                ? undefined
                : addArgument(node, `${keyword}=True`, context.text);
        // On torch >= 2.6 the default is already weights_only=True: saying it explicitly changes nothing (safe),
        // unless the path's whole-model saves move to state_dict together with this load. Otherwise the repair
        // follows the evidence and the torch range (src/torch/repairs/weights-only.ts chooseWeightsOnlyRepair).
        // Only torch's own loaders (a wrapper's default is read from its source and may not reach torch as None), and
        // not when the linted files weaken the default process-wide (an explicit True then changes behaviour).
        const modern =
          !remote &&
          !context.project.torch.allowsBefore26 &&
          !load.fn.via &&
          !load.fn.indirect &&
          !context.project.weakened;
        // reading back what this function just saved to a temporary file or buffer it made: no vulnerability, only
        // behaviour that differs across the declared torch range (a warning; src/torch/round-trip.ts)
        const roundTrip = remote || modern ? undefined : sameFunctionRoundTrip(load, context.scopes);
        const stateDict = stateDictEvidence(context, load, insideSafeGlobals(node, context.scopes));
        const repair: WeightsOnlyRepair = !edit
          ? {}
          : modern
            ? noopRepair(migrationRepair(context, load, edit), edit)
            : blocker
              ? {
                  suggestion: edit,
                  reason: `\`${blocker}\` may carry pickle_module or a pickle argument that weights_only=True cannot take`,
                }
              : chooseWeightsOnlyRepair(context, load, edit, { stateDict, addsKeyword: !none });
        context.report({
          node,
          messageId: roundTrip
            ? 'roundTrip'
            : repair.raise
              ? 'raiseRequirement'
              : remote
                ? load.fn.acceptsWeightsOnly === false
                  ? 'loaderNoParam'
                  : load.fn.via
                    ? 'missingDefaultFalse'
                    : 'missingRemote'
                : modern
                  ? 'missingModern'
                  : none
                    ? 'none'
                    : 'missing',
          data: {
            callee: load.fn.display,
            via: viaText(load.fn),
            torch: context.project.torch.source,
            keyword,
            since: repair.raise?.since.join('.') ?? '',
            declared: repair.raise?.declared ?? '',
            owner: load.fn.via ? (load.fn.wraps ?? 'torch.load') : load.fn.display,
            line: roundTrip ? String(roundTrip.save.startPosition.row + 1) : '',
            target: roundTrip?.target ?? '',
          },
          severity: remote ? 'error' : modern || roundTrip ? 'warn' : undefined,
          ...(repair.fix && { fix: repair.fix, fixSafety: repair.safety }),
          ...(repair.suggestion && {
            suggest: [
              {
                messageId: 'addWeightsOnly' as const,
                data: { keyword, reason: repair.reason ?? '' },
                fix: [repair.suggestion],
              },
            ],
          }),
        });
      },
    };
  },
});

/** The ancestors {@link insideExceptTypeError} looks at: except clauses, up to the enclosing function. */
const EXCEPT_OR_SCOPE = ['except_clause', 'function_definition', 'lambda', 'class_definition'];

/** True inside `except TypeError:` (alone or in a tuple) in the same function. */
function insideExceptTypeError(node: Node): boolean {
  for (
    let p = closestAncestor(node, EXCEPT_OR_SCOPE);
    p?.type === 'except_clause';
    p = closestAncestor(p, EXCEPT_OR_SCOPE)
  ) {
    const caught = p.namedChildren.find((c) => c !== null && c.type !== 'block' && c.type !== 'comment');
    const names = caught ? caught.descendantsOfType('identifier').map((id) => id?.text) : [];
    if (names.includes('TypeError')) return true;
  }
  return false;
}

/** On torch >= 2.6: the state_dict migration of the path when it applies (unsafe), else the no-op edit (safe). */
function noopRepair(migration: Fix[] | undefined, edit: Fix): WeightsOnlyRepair {
  return migration ? { fix: migration, safety: 'unsafe' } : { fix: [edit], safety: 'safe' };
}

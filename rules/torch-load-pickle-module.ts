import type { Node } from '../src/syntax/parse';
import { createRule } from '../src/engine/rule';
import { asLoadCall, pickleModuleArgument } from '../src/torch/api';
import { EXTERNAL_CODES } from '../src/torch/external-codes';

/**
 * torch.load with `pickle_module=`: torch 2.6's safe default applies only when no pickle_module is passed, and
 * `weights_only=True` together with pickle_module raises RuntimeError (torch/serialization.py, 2.6;
 * docs/torch-facts.md).
 */
export default createRule({
  meta: {
    id: 'torch-load-pickle-module',
    type: 'problem',
    docs: { description: 'Disallow `pickle_module=` on torch.load: it silently turns off the weights_only default.' },
    hasSuggestions: false,
    messages: {
      pickleModule:
        "`{{callee}}(..., pickle_module={{module}})` always unpickles with full pickle: torch 2.6's weights_only default does not apply and `weights_only=True` cannot be combined with it. Load a state dict with `weights_only=True` instead.",
    },
    schema: false,
    aliases: EXTERNAL_CODES['torch-load-pickle-module'],
    defaultSeverity: 'error',
    security: { severity: 8.1, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(context) {
    return {
      call(node: Node) {
        const load = asLoadCall(node, context.scopes);
        const module = load && pickleModuleArgument(load);
        if (!load || !module) return;
        context.report({ node, messageId: 'pickleModule', data: { callee: load.fn.display, module: module.text } });
      },
    };
  },
});

import type { Node } from '../src/syntax/parse';
import { createRule } from '../src/engine/rule';
import { pickleModuleArgument } from '../src/torch/api';
import { loadCallIn, torchContext } from '../src/torch/services';
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
  create(base) {
    const context = torchContext(base);
    return {
      call(node: Node) {
        const load = loadCallIn(context, node);
        // a project wrapper or known loader that takes `pickle_module=` passes it on to torch.load (TTS's
        // `load_fsspec(path, pickle_module=pickle_tts)` forwards **kwargs)
        const module =
          load &&
          (pickleModuleArgument(load) ??
            (load.fn.via !== undefined ? load.args.keywords.get('pickle_module')?.childForFieldName('value') : null));
        if (!load || !module) return;
        context.report({ node, messageId: 'pickleModule', data: { callee: load.fn.display, module: module.text } });
      },
    };
  },
});

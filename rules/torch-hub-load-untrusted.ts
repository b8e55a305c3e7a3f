import type { Node } from '../src/syntax/parse';
import { argumentValue, callArguments, unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { relatedSources, untrustedSource } from '../src/analysis/taint';

/**
 * `torch.hub.load(repo_or_dir, model, ...)` imports and runs the repository's `hubconf.py` (torch/hub.py, 2.6):
 * remote code by design. `trust_repo=True` skips the prompt that asks the user to trust a repository.
 */
export default createRule({
  meta: {
    id: 'torch-hub-load-untrusted',
    type: 'problem',
    docs: { description: 'Disallow torch.hub.load of repositories named by untrusted input, and trust_repo=True.' },
    hasSuggestions: false,
    messages: {
      untrustedRepo:
        '`torch.hub.load()` runs the code of a repository named by {{source}} (line {{line}}): whoever controls ' +
        'that value runs code here. Load from a fixed, reviewed repository and tag.',
      trustRepo:
        "`torch.hub.load(..., trust_repo=True)` runs the repository's hubconf.py without asking: pin a reviewed repository and tag (`owner/repo:tag`), or leave trust_repo to its default.",
    },
    schema: false,
    defaultSeverity: 'warn',
    security: { severity: 8.8, precision: 'high', cwe: ['CWE-494'] },
  },
  defaultOptions: {},
  create(context) {
    return {
      call(node: Node) {
        const callee = node.childForFieldName('function');
        if (!callee || context.scopes.qualifiedName(callee) !== 'torch.hub.load') return;
        const args = callArguments(node);
        const repo = argumentValue(args, 0, 'repo_or_dir');
        const source = repo && untrustedSource(repo, context.scopes);
        if (source) {
          context.report({
            node,
            messageId: 'untrustedRepo',
            severity: 'error',
            data: { source: source.description, line: String(source.node.startPosition.row + 1) },
            related: relatedSources(source),
          });
          return;
        }
        const trust = args.keywords.get('trust_repo');
        if (trust && unparen(trust.childForFieldName('value') ?? trust).type === 'true')
          context.report({ node: trust, messageId: 'trustRepo' });
      },
    };
  },
});

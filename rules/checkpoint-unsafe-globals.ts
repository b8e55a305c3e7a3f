import { atLeast } from '../src/checkpoint/inspect';
import { createRule } from '../src/rule';

interface Options {
  /** Extensions of the files inspected. */
  extensions: string[];
  /** Files larger than this (bytes) are not inspected. */
  maxBytes: number;
}

/**
 * Checkpoint files in the linted paths, read without executing them (src/checkpoint/inspect.ts): a file that holds
 * code-running globals, one torch's weights_only unpickler cannot load, or one that needs an allowlist.
 */
export default createRule<'dangerous' | 'incomplete' | 'needsAllowlist' | 'unloadable', Options>({
  meta: {
    id: 'checkpoint-unsafe-globals',
    type: 'problem',
    docs: { description: 'Report checkpoint files whose pickles call code, cannot load with weights_only=True, or need an allowlist.' },
    hasSuggestions: false,
    messages: {
      dangerous: 'Checkpoint ({{format}}) references {{names}}, which can run code when loaded: do not load it with `weights_only=False`, and do not allowlist these.',
      incomplete: 'Checkpoint ({{format}}) could not be read to the end ({{reason}}), so nothing shows it is safe: treat it as untrusted.',
      needsAllowlist: 'Checkpoint ({{format}}) needs an allowlist to load with `weights_only=True` on torch {{version}} ({{source}}): {{how}}.',
      unloadable: 'Checkpoint ({{format}}) cannot be loaded with `weights_only=True`: {{reason}}',
    },
    schema: {
      type: 'object',
      properties: {
        extensions: { type: 'array', items: { type: 'string', pattern: '^\\.[\\w.]+$' } },
        maxBytes: { type: 'integer', minimum: 0 },
      },
      additionalProperties: false,
    },
    defaultSeverity: 'warn',
    security: { severity: 8.8, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: { extensions: ['.pt', '.pth', '.ckpt', '.bin', '.pkl', '.pickle', '.tar'], maxBytes: 2 * 1024 * 1024 * 1024 },
  create() {
    return {};
  },
  checkpoint: {
    extensions: (options) => options.extensions,
    maxBytes: (options) => options.maxBytes,
    check({ inspection, report }) {
      const format = inspection.format;
      if (inspection.verdict === 'dangerous') {
        const names = [...new Set(inspection.globals.filter((g) => g.status === 'blocked' || g.status === 'dangerous').map((g) => `\`${g.name}\``))];
        if (names.length) report({ messageId: 'dangerous', severity: 'error', data: { format, names: names.join(', ') } });
        else report({ messageId: 'incomplete', severity: 'error', data: { format, reason: inspection.messages[0] ?? 'a limit' } });
      } else if (inspection.verdict === 'unloadable') {
        report({ messageId: 'unloadable', data: { format, reason: inspection.messages[0] ?? 'unsupported format' } });
      } else if (inspection.verdict === 'needs-allowlist') {
        const { version, source } = inspection.torch;
        const list = `[${inspection.allowlist.join(', ')}]`;
        // add_safe_globals arrived in torch 2.4, the safe_globals context manager in 2.5 (FACTS.md)
        const [major, minor] = version.split('.').map(Number);
        const how = atLeast([major, minor], [2, 5])
          ? `\`torch.serialization.safe_globals(${list})\`, only if you trust these classes`
          : atLeast([major, minor], [2, 4])
            ? `\`torch.serialization.add_safe_globals(${list})\`, only if you trust these classes`
            : `it references ${list}, and torch before 2.4 has no allowlist API (re-save it as a state_dict, or require torch>=2.5 and use \`torch.serialization.safe_globals\`)`;
        report({ messageId: 'needsAllowlist', data: { format, how, version, source } });
      }
    },
  },
});

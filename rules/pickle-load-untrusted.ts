import type { Node } from '../src/syntax/parse';
import { constantValue } from '../src/analysis/constants';
import { argumentValue, callArguments } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { relatedSources, unpicklingReceive, untrustedSource } from '../src/analysis/taint';
import { EXTERNAL_CODES } from '../src/torch/external-codes';

/**
 * Deserialisers that weights_only does not cover (docs/torch-facts.md: "Not covered by weights_only at all"), with the
 * position and keyword of the argument that holds the data or its path.
 */
const LOADERS: ReadonlyMap<string, { index: number; name: string }> = new Map([
  ...['pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle'].flatMap((m) => [
    [`${m}.load`, { index: 0, name: 'file' }] as const,
    [`${m}.loads`, { index: 0, name: 'data' }] as const,
    [`${m}.Unpickler`, { index: 0, name: 'file' }] as const,
  ]),
  // `ForkingPickler.loads = pickle.loads` (CPython Lib/multiprocessing/reduction.py)
  ['multiprocessing.reduction.ForkingPickler.loads', { index: 0, name: 'data' }],
  ['joblib.load', { index: 0, name: 'filename' }],
  ['pandas.read_pickle', { index: 0, name: 'filepath_or_buffer' }],
  ['numpy.load', { index: 0, name: 'file' }],
  ['torch.jit.load', { index: 0, name: 'f' }],
  ['torch.package.PackageImporter', { index: 0, name: 'file_or_buffer' }],
]);

export default createRule({
  meta: {
    id: 'pickle-load-untrusted',
    type: 'problem',
    docs: {
      description:
        'Disallow pickle-based loaders (pickle, dill, joblib, pandas, numpy allow_pickle, torch.jit, ' +
        'torch.package) on untrusted data.',
    },
    hasSuggestions: false,
    messages: {
      untrusted:
        '`{{callee}}()` on data from {{source}} (line {{line}}): it unpickles with full pickle, so whoever ' +
        'controls that data can run code here; weights_only does not apply. Load a safe format (safetensors, JSON, ' +
        'a state dict with `torch.load(..., weights_only=True)`) instead.',
      unpicklesNetwork:
        '`{{callee}}()` unpickles what arrives on {{source}} (line {{line}}): any peer that can reach it can run ' +
        'code here. Receive bytes (`recv()`, `recv_bytes()`) and decode a format without code (JSON, msgpack, ' +
        'safetensors), or authenticate the channel.',
    },
    schema: false,
    aliases: EXTERNAL_CODES['pickle-load-untrusted'],
    defaultSeverity: 'error',
    security: { severity: 9.8, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(context) {
    return {
      call(node: Node) {
        const callee = node.childForFieldName('function');
        // `sock.recv_pyobj()` on a ZeroMQ socket with a network endpoint, `conn.recv()` without authkey
        const received = callee?.type === 'attribute' ? unpicklingReceive(node, context.scopes) : undefined;
        if (received) {
          context.report({
            node,
            messageId: 'unpicklesNetwork',
            data: {
              callee: callee!.text,
              source: received.description,
              line: String(received.node.startPosition.row + 1),
            },
            related: relatedSources(received),
          });
          return;
        }
        const name = callee ? context.scopes.qualifiedName(callee) : undefined;
        const loader = name === undefined ? undefined : LOADERS.get(name);
        if (!loader || !name) return;
        const args = callArguments(node);
        // numpy.load unpickles only with allow_pickle=True (numpy/lib/npyio.py, default False since 1.16.3)
        // `numpy.load(file, mmap_mode=None, allow_pickle=False, ...)`: by keyword or third position
        if (
          name === 'numpy.load' &&
          constantValue(argumentValue(args, 2, 'allow_pickle') ?? node, context.scopes) !== 'true'
        )
          return;
        const data = argumentValue(args, loader.index, loader.name);
        const source = data && untrustedSource(data, context.scopes);
        if (!source) return;
        context.report({
          node,
          messageId: 'untrusted',
          data: { callee: name, source: source.description, line: String(source.node.startPosition.row + 1) },
          related: relatedSources(source),
        });
      },
    };
  },
});

import { ownedCopy, parsePython, pythonParser } from '../src/syntax/parse';
import { analyzeScopes } from '../src/syntax/scope';
import { summarizeModule } from '../src/analysis/project-index';
import { summarizeTorch } from '../src/torch/summary';

// What outlives a file's lint (module summaries, memo keys, literal tables) is copied with ownedCopy, so that no
// string in it is a V8 slice keeping the whole file's text alive (issue 12). A slice is not observable from
// JavaScript; what is: the copy equals the original, shares no container with it, and refuses what is not plain data
// (a tree-sitter Node would keep the tree and the text alive).

describe('ownedCopy', () => {
  test('copies plain data: equal values, new containers', () => {
    const long = 'a_function_name_longer_than_twelve';
    const original = {
      name: long,
      line: 3,
      flag: true,
      none: null,
      missing: undefined,
      list: [long, 'short', 1],
      map: new Map<string, unknown>([[long, { nested: [long] }]]),
      set: new Set([long, 'x']),
      table: Object.assign(Object.create(null) as Record<string, boolean>, { key: false }),
    };
    const copy = ownedCopy(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy.list).not.toBe(original.list);
    expect(copy.map).not.toBe(original.map);
    expect(copy.map.get(long)).not.toBe(original.map.get(long));
    expect(copy.set).not.toBe(original.set);
    expect([...copy.set]).toEqual([long, 'x']);
    expect(Object.keys(copy)).toEqual(Object.keys(original));
  });

  test('keeps strings with every UTF-16 code unit, lone surrogates included', () => {
    const odd = 'name_\uD800_\uDFFF_é_😀_and_more';
    expect(ownedCopy(odd)).toBe(odd);
    expect(ownedCopy([odd])[0]).toBe(odd);
  });

  test('refuses what is not plain data', async () => {
    const parser = await pythonParser();
    const tree = parsePython(parser, 'x = 1\n');
    try {
      expect(() => ownedCopy({ node: tree.rootNode })).toThrow(TypeError);
    } finally {
      tree.delete();
    }
    expect(() => ownedCopy({ f: () => 1 })).toThrow('ownedCopy: not plain data (function)');
    expect(() => ownedCopy([new Date(0)])).toThrow('ownedCopy: not plain data (Date)');
  });

  test("a module summary is plain data built from the file's names", async () => {
    const parser = await pythonParser();
    const text = [
      'import torch',
      'from torch.utils.model_zoo import load_url as fetch_weights_remotely',
      'ENABLED_BY_DEFAULT = True',
      'class CheckpointedNetwork(torch.nn.Module):',
      '    pass',
      'def load_checkpoint_from(path, weights_only=True):',
      '    return torch.load(path, weights_only=weights_only)',
      'torch.save(CheckpointedNetwork().state_dict(), "weights_of_the_network.pt")',
      '',
    ].join('\n');
    const tree = parsePython(parser, text);
    let summary;
    try {
      summary = summarizeModule('/repo/app/models.py', analyzeScopes(tree.rootNode), summarizeTorch);
    } finally {
      tree.delete();
    }
    expect([...summary.classes.keys()]).toEqual(['CheckpointedNetwork']);
    expect([...summary.functions]).toEqual(['load_checkpoint_from']);
    expect(summary.imports.get('fetch_weights_remotely')).toBe('torch.utils.model_zoo.load_url');
    expect(summary.constants.get('ENABLED_BY_DEFAULT')).toBe('true');
    expect([...summary.extra.loaders.keys()]).toEqual(['load_checkpoint_from']);
    expect(summary.extra.saves.map((s) => s.literal)).toEqual(['weights_of_the_network.pt']);
    // read after the tree is gone: nothing in it is a Node
    expect(JSON.stringify([...summary.extra.torchLoaders])).toBe('[["fetch_weights_remotely","torch.utils.model_zoo.load_url"]]');
  });
});

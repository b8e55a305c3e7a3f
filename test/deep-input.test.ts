import { lintText } from '../src/run/lint-text';
import { closestAncestor, type Node, parentOf, parsePython, pythonParser } from '../src/syntax/parse';

/**
 * Generated inputs thousands of levels deep (issue 13): each must finish with its exact findings, and a crash or a
 * give-up in one place must never hide the unsafe load that follows it.
 */
const HEAD = 'import torch, sys\n';
const UNSAFE_TAIL = '\nz = torch.load(sys.argv[1], weights_only=False)\n';

/** `ruleId:line` of every message, and how often each occurs. */
async function findings(body: string): Promise<Record<string, number>> {
  const { messages } = await lintText(HEAD + body + UNSAFE_TAIL);
  const counts: Record<string, number> = {};
  for (const m of messages) {
    const key = `${m.ruleId ?? m.message.slice(0, 40)}:${m.line}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const LOAD = 'torch.load(p)';
const N = 3000;

describe('a torch.load nested 3,000 deep in an expression is found, and so is the unsafe load after it', () => {
  test.each([
    ['parentheses', '('.repeat(N) + LOAD + ')'.repeat(N)],
    ['lists', '['.repeat(N) + LOAD + ']'.repeat(N)],
    ['calls', 'f('.repeat(N) + LOAD + ')'.repeat(N)],
    ['lambdas', 'lambda: '.repeat(N) + LOAD],
    ['binary operators', 'a + '.repeat(N) + LOAD],
    ['f-strings (200 deep)', 'f"{'.repeat(200) + LOAD + '}"'.repeat(200)],
    ['a method chain', LOAD + '.a()'.repeat(N)],
    ['subscripts', LOAD + '[0]'.repeat(N)],
    ['not', 'not '.repeat(N) + LOAD],
    ['conditional expressions', 'a if b else '.repeat(N) + LOAD],
    ['dicts', '{1: '.repeat(N) + LOAD + '}'.repeat(N)],
    ['comprehensions', '[x for x in '.repeat(N) + LOAD + ']'.repeat(N)],
  ])('%s', async (_shape, expression) => {
    expect(await findings(`y = ${expression}`)).toEqual({
      'torch-load-missing-weights-only:2': 1,
      'torch-load-weights-only-false:3': 1,
    });
  });
});

describe('shapes that used to hang, overflow the stack or silence rules', () => {
  test('1,000 torch.load calls nested in each other: every one is reported', async () => {
    expect(await findings(`y = ${'torch.load('.repeat(1000)}p${')'.repeat(1000)}`)).toEqual({
      'torch-load-missing-weights-only:2': 1000,
      'torch-load-weights-only-false:3': 1,
    });
  });

  test('a 5,000-part attribute chain on one line does not switch rules off for the file', async () => {
    expect(await findings(`x = torch${'.a'.repeat(5000)}.f()`)).toEqual({ 'torch-load-weights-only-false:3': 1 });
  });

  test('an assignment target nested 5,000 deep', async () => {
    expect(await findings(`${'['.repeat(5000)}a${']'.repeat(5000)} = v`)).toEqual({
      'torch-load-weights-only-false:3': 1,
    });
  });

  test('a **kwargs dict chosen from 5,000 conditional branches', async () => {
    expect(await findings(`k = ${'{} if c else '.repeat(5000)}{}\ny = torch.load(p, **k)`)).toEqual({
      'torch-load-missing-weights-only:3': 1,
      'torch-load-weights-only-false:4': 1,
    });
  });

  test('a safe_globals list nested 5,000 deep', async () => {
    const list = `${'['.repeat(5000)}A${']'.repeat(5000)}`;
    expect(await findings(`with torch.serialization.safe_globals(${list}):\n    y = torch.load(p)`)).toEqual({
      'torch-load-missing-weights-only:3': 1,
      'torch-load-weights-only-false:4': 1,
    });
  });

  test('an alias chain past the bound is unknown from its far end only, whatever was resolved first', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i + 1} = a${i}`).join('\n');
    // line 28 (`a25`, 25 aliases away) is past the bound; line 29 (`a6`, 6 away) must still resolve to torch.load
    expect(await findings(`a0 = torch\n${aliases}\ny = a25.load(p)\nw = a6.load(p)`)).toEqual({
      'torch-load-missing-weights-only:29': 1,
      'torch-load-weights-only-false:30': 1,
    });
  });
});

describe('parentOf and closestAncestor', () => {
  const SOURCE =
    'import torch\n\ndef f(a, b=1):\n    with x:\n        try:\n            y = [torch.load(p) for p in a]\n        except TypeError:\n            pass\n    return (lambda: y)()\n';

  /** Every node of the tree with the parent tree-sitter itself gives (`Node.parent`, the slow reference). */
  function everyNode(root: Node): [Node, Node | null][] {
    const found: [Node, Node | null][] = [];
    const stack: [Node, Node | null][] = [[root, null]];
    for (let item = stack.pop(); item; item = stack.pop()) {
      found.push(item);
      for (const child of item[0].children) if (child) stack.push([child, item[0]]);
    }
    return found;
  }

  test('parentOf gives the parent of every node, anonymous ones included, and null for the root', async () => {
    const tree = parsePython(await pythonParser(), SOURCE);
    const pairs = everyNode(tree.rootNode);
    expect(pairs.length).toBeGreaterThan(60);
    for (const [node, parent] of pairs) expect(parentOf(node)?.id ?? null).toBe(parent?.id ?? null);
    tree.delete();
  });

  test('closestAncestor answers as a walk up would, asked in any order', async () => {
    const tree = parsePython(await pythonParser(), SOURCE);
    const types = ['function_definition', 'except_clause', 'lambda', 'with_statement'];
    const pairs = everyNode(tree.rootNode);
    const parents = new Map(pairs.map(([node, parent]) => [node.id, parent]));
    const walkUp = (node: Node) => {
      for (let p = parents.get(node.id); p; p = parents.get(p.id)) if (types.includes(p.type)) return p.type + p.startIndex;
      return null;
    };
    const nodes = pairs.map(([node]) => node);
    const answers = [...nodes].reverse().map((node) => [node.id, closestAncestor(node, types)]);
    const expected = [...nodes].reverse().map((node) => [node.id, walkUp(node)]);
    expect(answers.map(([id, a]) => [id, a && (a as Node).type + (a as Node).startIndex])).toEqual(expected);
    expect(new Set(expected.map(([, a]) => a))).toEqual(
      new Set([
        null,
        `function_definition${SOURCE.indexOf('def f')}`,
        `with_statement${SOURCE.indexOf('with x')}`,
        `except_clause${SOURCE.indexOf('except')}`,
        `lambda${SOURCE.indexOf('lambda')}`,
      ]),
    );
    tree.delete();
  });
});

/**
 * src/syntax/workarounds.ts: valid Python that tree-sitter-python 0.25.0 rejects parses without errors, the tree
 * keeps the file's offsets and text, a real syntax error is still reported, and no fix is applied in a file that
 * does not parse.
 */
import { lintAndFix, lintText, WITHHELD_FIX_DESC } from '../src/engine/linter';
import { createRule } from '../src/engine/rule';
import { countSyntaxErrors, type Node, parsePython, pythonParser } from '../src/syntax/parse';
import { grammarWorkarounds } from '../src/syntax/workarounds';

/** Reports every name `target`, with a safe fix that renames it to `renamed`. */
const nameRule = createRule({
  meta: {
    id: 'test-name',
    type: 'suggestion',
    docs: { description: 'test' },
    fixable: 'code',
    messages: { found: 'target found' },
    schema: false,
    defaultSeverity: 'warn',
    security: { severity: 1, precision: 'low', cwe: [] },
  },
  defaultOptions: {},
  create(context) {
    return {
      identifier(node) {
        if (node.text !== 'target') return;
        const fix = { range: [node.startIndex, node.endIndex] as [number, number], text: 'renamed' };
        context.report({ node, messageId: 'found', fix: [fix], fixSafety: 'safe' });
      },
    };
  },
});
const settings = [{ rule: nameRule, severity: 'warn' as const, options: {} }];

async function errorsIn(text: string): Promise<number> {
  const tree = parsePython(await pythonParser(), text);
  try {
    return countSyntaxErrors(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** Valid Python (CPython 3.11 and 3.12 compile each) that the plain grammar parses with an ERROR. */
const rejectedByTheGrammar: [string, string][] = [
  ['a continuation line inside parentheses, less indented than its block', 'def g():\n    return (1 +\n2)\n'],
  ['the same after an attribute dot, in a method', 'class K:\n    def m(self):\n        (self.\n    y)\n'],
  ['the same inside a subscript, at column 0 after a blank', 'if ok:\n    v = w[1 - \n2]\n'],
  ['a dedented comment line inside the brackets', 'if ok:\n    v = (1 *\n# note\n        2)\n'],
  ['`=` as the fill of an f-string format spec', 'width = 9\nlabel = f"{width:=^{width}}"\n'],
  ['`=` as the fill before an alignment, then a conversion', 'n = 3\ns = f"{n:=>8}|{n!r:>3}"\n'],
  ['a starred list after a comma in an assignment', 'head, *tail = 1, *[2, 3]\n'],
  ['a starred call result after a comma in a return', 'def h(q):\n    return 0, *(q)\n'],
];

describe('valid Python the grammar rejects', () => {
  test.each(rejectedByTheGrammar)('%s: no syntax error', async (_, text) => {
    const parser = await pythonParser();
    const plain = parser.parse(text)!;
    expect(plain.rootNode.hasError).toBe(true); // the grammar bug is still there: if not, drop the workaround
    plain.delete();
    expect(await errorsIn(text)).toBe(0);
  });

  test('the tree keeps the file: the dedented line is part of the function, with its own offsets and text', async () => {
    const text = 'def g():\n    return (1 +\n2)\n    pass\n';
    const tree = parsePython(await pythonParser(), text);
    const body = tree.rootNode.child(0)!.childForFieldName('body')!;
    expect(body.namedChildren.map((n) => n!.type)).toEqual(['return_statement', 'pass_statement']);
    const sum = body.namedChild(0)!.namedChild(0)!.namedChild(0)! as Node;
    expect([sum.type, sum.text, sum.startIndex, sum.endIndex]).toEqual(['binary_operator', '1 +\n2', 21, 26]);
    expect([sum.endPosition.row, sum.endPosition.column]).toEqual([2, 1]);
    tree.delete();
  });

  test('a finding after the false error is reported and its safe fix applies', async () => {
    const text = 'def g():\n    return (1 +\n2)\ntarget = 1\n';
    const outcome = lintAndFix(await pythonParser(), text, '/w.py', settings, false);
    expect(outcome.output).toBe('def g():\n    return (1 +\n2)\nrenamed = 1\n');
    expect(outcome.problems).toEqual([]);
  });

  test('a directive in a comment the parser was not shown still applies', async () => {
    const text = 'def g():\n    return (1 +  # pylint-torch: disable-next=test-name\ntarget)\n';
    expect(lintText(await pythonParser(), text, '/w.py', settings)).toEqual([]);
  });
});

describe('the lexer leaves alone', () => {
  test.each([
    ['brackets and `:=` inside plain strings', 's = "(a +"\nt = "{x:=3}"\nif s:\n    u = 1\n'],
    ['a parenthesized walrus in an f-string field', 'z = f"{(y := 3)} {y}"\n'],
    ['a continuation line indented like its statement', 'if q:\n    r = (1 +\n    2)\n'],
    ['a starred name, which the grammar reads', 'a = 1, *b\n'],
    ['a starred list inside brackets', 'c = [1, *[2]]\n'],
    ['unpacking in a del statement, which Python rejects', 'del a, *[b]\n'],
  ])('%s', (_, text) => {
    expect(grammarWorkarounds(text).gaps).toEqual([]);
  });

  test('hides the line break and indentation but one blank, and only the `=` of `:=`', () => {
    const text = 'if q:\n    r = (a and\n  b)\nx = f"{r:=>4}"\n';
    const { gaps } = grammarWorkarounds(text);
    expect(gaps.map((g) => JSON.stringify(text.slice(g.start, g.end)))).toEqual(['"\\n "', '"="']);
  });
});

describe('real syntax errors', () => {
  test.each([
    ['an unclosed bracket followed by a dedented line', 'def g():\n    x = (1 +\ny = 2\n'],
    ['a starred expression alone on the right of `=`', 'x = *[1]\n'],
    ['unpacking in a del statement', 'del a, *[b]\n'],
    ['an f-string field with no expression', 'v = f"{:=3}"\n'],
  ])('%s is still reported', async (_, text) => {
    const problems = lintText(await pythonParser(), text, '/w.py', settings);
    expect(problems.filter((p) => p.ruleId === null).map((p) => p.message)).toEqual([expect.stringMatching(/^Syntax error: /)]);
  });

  test('no fix is applied in a file that does not parse: the finding stays, its fix becomes a suggestion', async () => {
    const text = 'target = 1\ndef broken(:\n    pass\n';
    const parser = await pythonParser();
    const outcome = lintAndFix(parser, text, '/w.py', settings, true);
    expect(outcome.output).toBe(text);
    expect(outcome.fixCount).toBe(0);
    const [finding, error] = outcome.problems;
    expect([error.ruleId, error.line, error.message]).toEqual([null, 2, expect.stringMatching(/^Syntax error: /)]);
    expect(finding).toEqual({
      ruleId: 'test-name',
      messageId: 'found',
      severity: 1,
      message: 'target found',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 7,
      suggestions: [
        {
          desc: `${WITHHELD_FIX_DESC}2); this safe fix can be applied by hand once it parses`,
          fix: { range: [0, 6], text: 'renamed' },
        },
      ],
    });
  });
});

describe('bounds', () => {
  test('beyond 1,000 stretches to hide, the plain parse is kept (its time grows with their number)', async () => {
    const file = (n: number) => `def f():\n${'    x = (1 +\n2)\n'.repeat(n)}`;
    expect(grammarWorkarounds(file(1001)).gaps).toHaveLength(1001);
    expect(await errorsIn(file(1000))).toBe(0);
    expect(await errorsIn(file(1001))).toBeGreaterThan(0);
  });

  test('on token soup the lexer never throws and its stretches are sorted, disjoint and inside the text', async () => {
    const pieces = ['(', ')', '[', '}', ',', '*', ':', '=', '\n', '\r\n', '  ', '\t', '"', "'", '"""', '#', 'x', '+', '.'];
    pieces.push('\\', 'f"', "rf'", 'return ', 'del ', '!r', '{', '{{', '}}', 'é', '😀', 'and ');
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const parser = await pythonParser();
    const broken: string[] = [];
    for (let k = 0; k < 3000; k++) {
      let text = '';
      for (let j = 1 + next(40); j > 0; j--) text += pieces[next(pieces.length)];
      const { gaps } = grammarWorkarounds(text);
      if (gaps.some((g, i) => g.start >= g.end || g.end > text.length || (i > 0 && g.start < gaps[i - 1].end))) broken.push(text);
      parsePython(parser, text).delete();
    }
    expect(broken).toEqual([]);
  });
});

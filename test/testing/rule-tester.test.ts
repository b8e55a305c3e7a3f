/**
 * The RuleTester itself: what passes, what fails and with which message, the rule-API checks, `files` rows through
 * the pipeline, and the snapshot. Cases are collected through RuleTester.describe/it and run here one by one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRule, type RuleModule } from '../../src/engine/rule';
import type { Node } from '../../src/syntax/parse';
import { RuleTester, type RunTests } from '../../src/testing/rule-tester';
import missingWeightsOnly from '../../rules/torch-load-missing-weights-only';
import { fixture } from '../helpers/fixtures';

const SECURITY = { severity: 5, precision: 'high' as const, cwe: [] as string[] };

/** Reports calls of the configured names (default `danger`): fix to `safe(...)`, a suggestion of `checked(...)`. */
const demo = createRule({
  meta: {
    id: 'demo-danger',
    type: 'problem',
    docs: { description: 'Calls of danger().' },
    fixable: 'code',
    hasSuggestions: true,
    messages: { danger: 'Call of `{{name}}()`.', useChecked: 'Call `checked()` instead.' },
    schema: { type: 'object', properties: { names: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
    defaultSeverity: 'warn',
    security: SECURITY,
  },
  defaultOptions: { names: ['danger'] },
  create(context) {
    return {
      call(node: Node) {
        const fn = node.childForFieldName('function');
        if (fn?.type !== 'identifier' || !context.options.names.includes(fn.text)) return;
        const range: [number, number] = [fn.startIndex, fn.endIndex];
        context.report({
          node,
          messageId: 'danger',
          data: { name: fn.text },
          fix: [{ range, text: 'safe' }],
          fixSafety: 'safe',
          suggest: [{ messageId: 'useChecked', fix: [{ range, text: 'checked' }] }],
        });
      },
    };
  },
});

/** A rule that breaks the rule API in the way `how` says, at every call. */
function broken(how: 'fix' | 'suggest' | 'messageId' | 'crash' | 'safety'): RuleModule<'found', Record<string, never>> {
  return createRule({
    meta: {
      id: `broken-${how}`,
      type: 'problem',
      docs: { description: 'broken' },
      ...(how === 'safety' && { fixable: 'code' as const }),
      messages: { found: 'Found.' },
      schema: false,
      defaultSeverity: 'error',
      security: SECURITY,
    },
    defaultOptions: {},
    create(context) {
      return {
        call(node: Node) {
          if (how === 'crash') throw new Error('boom');
          const fix = [{ range: [node.startIndex, node.startIndex] as [number, number], text: '' }];
          if (how === 'fix') context.report({ node, messageId: 'found', fix, fixSafety: 'safe' });
          if (how === 'safety') context.report({ node, messageId: 'found', fix });
          if (how === 'suggest') context.report({ node, messageId: 'found', suggest: [{ messageId: 'found', fix }] });
          if (how === 'messageId') context.report({ node, messageId: 'typo' as 'found' });
        },
      };
    },
  });
}

/** Runs `tests` with a fresh RuleTester and returns each test's title (`group > title`) and `pass` or its failure. */
async function outcomes<M extends string, O>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any rule's data type
  rule: RuleModule<M, O, any>,
  tests: RunTests<NoInfer<M>, NoInfer<O>>,
  snapshot = false,
): Promise<Record<string, string>> {
  const collected: { title: string; body: () => Promise<void> }[] = [];
  const groups: string[] = [];
  RuleTester.describe = (title, body) => {
    groups.push(title);
    body();
    groups.pop();
  };
  RuleTester.it = (title, body) => collected.push({ title: [...groups.slice(1), title].join(' > '), body });
  try {
    new RuleTester({ snapshot }).run(rule.meta.id, rule, tests);
  } finally {
    RuleTester.describe = undefined;
    RuleTester.it = undefined;
  }
  const out: Record<string, string> = {};
  for (const { title, body } of collected) {
    try {
      await body();
      out[title] = 'pass';
    } catch (error) {
      out[title] = (error as Error).message;
    }
  }
  return out;
}

const CODE = 'x = danger(1)\n';
const FIXED = 'x = safe(1)\n';
const SUGGESTED = 'x = checked(1)\n';
const ERROR = {
  messageId: 'danger',
  line: 1,
  column: 5,
  endLine: 1,
  endColumn: 14,
  suggestions: [{ messageId: 'useChecked', desc: 'Call `checked()` instead.', output: SUGGESTED }],
} as const;

describe('RuleTester', () => {
  test('describe and it default to the framework globals, and can be set and reset', () => {
    expect(RuleTester.describe).toBe(describe);
    expect(RuleTester.it).toBe(it);
    const mine = () => undefined;
    RuleTester.it = mine;
    expect(RuleTester.it).toBe(mine);
    RuleTester.it = undefined;
    expect(RuleTester.it).toBe(it);
  });

  test('passing cases: every field of an error, the fixed output, suggestions, data, message string and pattern', async () => {
    expect(
      await outcomes(demo, {
        valid: ['x = safe(1)\n', { code: CODE, options: { names: ['other'] } }],
        invalid: [
          { name: 'all fields', code: CODE, errors: [{ ...ERROR, severity: 1, fixSafety: 'safe' }], output: FIXED },
          {
            name: 'data and severity as words',
            code: CODE,
            severity: 'error',
            errors: [{ ...ERROR, data: { name: 'danger' }, severity: 'error' }],
            output: FIXED,
          },
          { name: 'message', code: CODE, errors: [{ ...ERROR, message: 'Call of `danger()`.' }], output: FIXED },
          { name: 'pattern', code: CODE, errors: [{ ...ERROR, message: /danger\(\)/ }], output: FIXED },
          {
            name: 'options',
            code: 'go(1)\n',
            options: { names: ['go'] },
            errors: [{ messageId: 'danger', column: 1, suggestions: [{ output: 'checked(1)\n' }] }],
            output: 'safe(1)\n',
          },
          {
            name: 'columns in UTF-16',
            code: 'y = "\u{1F600}"; danger()\n',
            errors: [{ messageId: 'danger', column: 11, endColumn: 19, suggestions: [{ output: 'y = "\u{1F600}"; checked()\n' }] }],
            output: 'y = "\u{1F600}"; safe()\n',
          },
        ],
      }),
    ).toEqual({
      'valid > x = safe(1)\n': 'pass',
      [`valid > ${CODE}`]: 'pass',
      'invalid > all fields': 'pass',
      'invalid > data and severity as words': 'pass',
      'invalid > message': 'pass',
      'invalid > pattern': 'pass',
      'invalid > options': 'pass',
      'invalid > columns in UTF-16': 'pass',
    });
  });

  test('failing cases say what differs', async () => {
    const got = await outcomes(demo, {
      valid: [CODE],
      invalid: [
        { name: 'count', code: 'danger()\ndanger()\n', errors: [{ messageId: 'danger' }], output: 'safe()\nsafe()\n' },
        { name: 'position', code: CODE, errors: [{ ...ERROR, column: 4 }], output: FIXED },
        { name: 'message', code: CODE, errors: [{ ...ERROR, message: 'Call of danger.' }], output: FIXED },
        { name: 'data', code: CODE, errors: [{ ...ERROR, data: { name: 'other' } }], output: FIXED },
        { name: 'severity', code: CODE, errors: [{ ...ERROR, severity: 2 }], output: FIXED },
        { name: 'fix safety', code: CODE, errors: [{ ...ERROR, fixSafety: null }], output: FIXED },
        { name: 'suggestions left out', code: CODE, errors: [{ messageId: 'danger' }], output: FIXED },
        { name: 'suggestion output', code: CODE, errors: [{ messageId: 'danger', suggestions: [{ output: CODE }] }], output: FIXED },
        { name: 'output left out', code: CODE, errors: [ERROR] },
        { name: 'output null', code: CODE, errors: [ERROR], output: null },
        { name: 'output equal to code', code: CODE, errors: [ERROR], output: CODE },
        { name: 'output wrong', code: CODE, errors: [ERROR], output: 'x = safe(2)\n' },
        { name: 'no errors', code: CODE, errors: [], output: FIXED },
        { name: 'unknown expected messageId', code: CODE, errors: [{ ...ERROR, messageId: 'nope' as 'danger' }], output: FIXED },
        { name: 'message and data', code: CODE, errors: [{ ...ERROR, message: 'x', data: {} }], output: FIXED },
        { name: 'invalid options', code: CODE, options: { names: 'danger' as unknown as string[] }, errors: [ERROR], output: FIXED },
        { name: 'unknown option', code: CODE, options: { nmes: [] } as never, errors: [ERROR], output: FIXED },
      ],
    });
    expect(got).toEqual({
      [`valid > ${CODE}`]: expect.stringMatching(/^Should have no errors of demo-danger but had 1:\n1:5 danger: Call of `danger\(\)`\.\n/),
      'invalid > count': expect.stringMatching(/^Should have 1 error but had 2:\n1:1 danger: Call of `danger\(\)`\.\n2:1 danger: Call of `danger\(\)`\.\n/),
      'invalid > position': expect.stringMatching(/^Findings of demo-danger differ from the expected errors\n[^]*-\s+column: 4/),
      'invalid > message': expect.stringMatching(/^Findings of demo-danger differ[^]*\+\s+message: 'Call of `danger\(\)`.'[^]*-\s+message: 'Call of danger.'/),
      'invalid > data': expect.stringMatching(/-\s+message: 'Call of `other\(\)`.'/),
      'invalid > severity': expect.stringMatching(/\+\s+severity: 1[^]*-\s+severity: 2/),
      'invalid > fix safety': expect.stringMatching(/\+\s+fixSafety: 'safe'[^]*-\s+fixSafety: null/),
      'invalid > suggestions left out': expect.stringMatching(/\+\s+suggestions: \[\n\+\s+\{\n\+\s+desc: 'Call `checked\(\)` instead.'/),
      'invalid > suggestion output': expect.stringMatching(/\+\s+output: 'x = checked\(1\)\\n'[^]*-\s+output: 'x = danger\(1\)\\n'/),
      'invalid > output left out': expect.stringMatching(/^The rule fixed the code: add `output` to the case/),
      'invalid > output null': expect.stringMatching(/^Expected no fix \(output: null\), but the rule fixed the code/),
      'invalid > output equal to code': expect.stringMatching(/^The case's `output` equals its `code`/),
      'invalid > output wrong': expect.stringMatching(/^The text after fixing differs from `output`/),
      'invalid > no errors': 'Invalid cases must have `errors`: at least one expected finding',
      'invalid > unknown expected messageId': "The case expects messageId 'nope', which demo-danger does not have (danger, useChecked)",
      'invalid > message and data': 'An expected error gives `message` or `data`, not both',
      'invalid > invalid options': 'RuleTester: options {"names":"danger"} for demo-danger: invalid options: /names must be array',
      'invalid > unknown option': 'RuleTester: options {"nmes":[]} for demo-danger: invalid options: options must NOT have additional properties \'nmes\'',
    });
  });

  test('related locations: checked when given (line, column, message or pattern), [] for none', async () => {
    const pointer = createRule({
      meta: {
        id: 'demo-related',
        type: 'problem',
        docs: { description: 'Calls of danger(x), pointing at x.' },
        messages: { danger: 'Call of danger().' },
        schema: false,
        defaultSeverity: 'warn',
        security: SECURITY,
      },
      defaultOptions: {},
      create(context) {
        return {
          call(node: Node) {
            if (node.childForFieldName('function')?.text !== 'danger') return;
            const arg = node.childForFieldName('arguments')?.namedChild(0);
            context.report({ node, messageId: 'danger', related: arg ? [{ node: arg, message: `from ${arg.text}` }] : [] });
          },
        };
      },
    });
    const code = 'x = 1\ndanger(\n    x)\ndanger()\n';
    expect(
      await outcomes(pointer, {
        valid: [],
        invalid: [
          {
            name: 'right',
            code,
            errors: [
              { messageId: 'danger', line: 2, related: [{ line: 3, column: 5, message: 'from x' }] },
              { messageId: 'danger', line: 4, related: [] },
            ],
          },
          { name: 'pattern, not checked', code, errors: [{ messageId: 'danger', related: [{ line: 3, message: /from/ }] }, { messageId: 'danger' }] },
          { name: 'wrong line', code, errors: [{ messageId: 'danger', related: [{ line: 2 }] }, { messageId: 'danger' }] },
          { name: 'wrong message', code, errors: [{ messageId: 'danger', related: [{ line: 3, message: 'from y' }] }, { messageId: 'danger' }] },
          { name: 'expected none', code, errors: [{ messageId: 'danger', related: [] }, { messageId: 'danger' }] },
        ],
      }),
    ).toEqual({
      'invalid > right': 'pass',
      'invalid > pattern, not checked': 'pass',
      'invalid > wrong line': expect.stringMatching(/\+\s+line: 3[^]*-\s+line: 2/),
      'invalid > wrong message': expect.stringMatching(/\+\s+message: 'from x'[^]*-\s+message: 'from y'/),
      'invalid > expected none': expect.stringMatching(/\+\s+related: \[\n\+\s+\{\n\+\s+column: 5,\n\+\s+line: 3,\n\+\s+message: 'from x'/),
    });
  });

  test('a rule that breaks the rule API fails its cases, valid ones too', async () => {
    const first = async (rule: RuleModule<'found', Record<string, never>>) => Object.values(await outcomes(rule, { valid: ['f()\n'], invalid: [] }))[0];
    expect(await first(broken('fix'))).toBe("The rule broke the rule API:\n- rule broken-fix reported a fix ('found') but its meta.fixable is not 'code'");
    expect(await first(broken('safety'))).toBe(
      "The rule broke the rule API:\n- rule broken-safety reported a fix ('found') without fixSafety ('safe' or 'unsafe')",
    );
    expect(await first(broken('suggest'))).toBe(
      "The rule broke the rule API:\n- rule broken-suggest reported suggestions ('found') but its meta.hasSuggestions is not true",
    );
    expect(await first(broken('messageId'))).toBe(
      "The rule broke the rule API:\n- rule broken-messageId reported messageId 'typo', which is not in meta.messages (found)",
    );
    expect(await first(broken('crash'))).toMatch(/^The rule crashed:\nInternal error in rule broken-crash \(please report it to its authors\): Error: boom/);
    // the same through the pipeline (a plugin rule: not one of the built-in rules)
    expect(Object.values(await outcomes(broken('messageId'), { valid: [{ code: 'f()\n', files: {} }], invalid: [] }))[0]).toMatch(/reported messageId 'typo'/);
  });

  test('files: the case runs through lintFiles in a temporary folder that is removed afterwards', async () => {
    const folders: string[] = [];
    const spy = createRule({
      ...demo,
      meta: { ...demo.meta, id: 'demo-spy' },
      create(context) {
        folders.push(path.dirname(context.filePath));
        return demo.create(context);
      },
    });
    expect(
      await outcomes(spy, {
        valid: [{ code: 'safe()\n', files: { 'lib/other.py': 'danger()\n' } }],
        invalid: [
          {
            name: 'in a subfolder, options through the config file',
            code: 'go()\n',
            filename: 'pkg/main.py',
            files: { '.pylintrc-ts.json': '{"rules": {"demo-spy": ["error"]}}' },
            options: { names: ['go'] },
            errors: [{ messageId: 'danger', line: 1, column: 1, severity: 2, suggestions: [{ output: 'checked()\n' }] }],
            output: 'safe()\n',
          },
        ],
      }),
    ).toEqual({ 'valid > safe()\n': 'pass', 'invalid > in a subfolder, options through the config file': 'pass' });
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) expect(fs.existsSync(folder)).toBe(false);
  });

  test('files: cross-file evidence and checkpoint files, as the CLI sees them; torch writes requirements.txt', async () => {
    const wrapper = 'import torch\n\ndef load_any(file, **kwargs):\n    kwargs.setdefault("weights_only", False)\n    return torch.load(file, **kwargs)\n';
    expect(
      await outcomes(missingWeightsOnly, {
        valid: [],
        invalid: [
          {
            name: 'a wrapper in another module',
            code: 'from utils import load_any\nm = load_any("yolo.pt")\n',
            files: { 'utils.py': wrapper },
            torch: '>=2.4',
            errors: [
              {
                messageId: 'missingDefaultFalse',
                line: 2,
                column: 5,
                message: /`load_any\(\)` \(which wraps torch\.load, utils\.py:3\)/,
                suggestions: [{ output: 'from utils import load_any\nm = load_any("yolo.pt", weights_only=True)\n' }],
              },
            ],
          },
          {
            name: 'the checkpoint file the path names holds a state dict',
            code: 'import torch\nm = torch.load("w/sd.pt")\nm.eval()\n',
            files: { 'w/sd.pt': fs.readFileSync(fixture('state_dict.pt')) },
            torch: '>=2.4',
            errors: [{ messageId: 'missing', line: 2, column: 5, message: /\(requirements\.txt: torch>=2\.4\)/, fixSafety: 'safe' }],
            output: 'import torch\nm = torch.load("w/sd.pt", weights_only=True)\nm.eval()\n',
          },
          {
            name: 'torch and a requirements.txt',
            code: 'x = 1\n',
            files: { 'requirements.txt': 'torch\n' },
            torch: '>=2.4',
            errors: [{ messageId: 'missing' }],
          },
          { name: 'the code file in files', code: 'x = 1\n', files: { 'test.py': '' }, errors: [{ messageId: 'missing' }] },
          { name: 'a file outside the folder', code: 'x = 1\n', files: { '../x.py': '' }, errors: [{ messageId: 'missing' }] },
        ],
      }),
    ).toEqual({
      'invalid > a wrapper in another module': 'pass',
      'invalid > the checkpoint file the path names holds a state dict': 'pass',
      'invalid > torch and a requirements.txt': 'RuleTester: give `torch` or a requirements.txt in `files`, not both',
      'invalid > the code file in files': "RuleTester: `files` holds test.py, where the case's code goes; name the code's file with `filename`",
      'invalid > a file outside the folder': 'RuleTester: file "../x.py" lies outside the case\'s folder',
    });
  });

  test('the snapshot renders each invalid case as line:column messageId: message; skipped without toMatchSnapshot', async () => {
    const globals = globalThis as { expect?: unknown };
    const jestExpect = globals.expect;
    const seen: unknown[] = [];
    let withSnapshot: string | undefined;
    let without: string | undefined;
    try {
      globals.expect = (value: unknown) => ({ toMatchSnapshot: () => seen.push(value) });
      const tests: RunTests<'danger' | 'useChecked', { names: string[] }> = {
        valid: [],
        invalid: [
          { name: 'two', code: 'danger()\ndanger()\n', errors: [ERROR, ERROR] },
          { code: 'x = danger(1)\ny = 2\n', errors: [ERROR], output: FIXED },
          { name: 'bad options', code: CODE, options: { names: 1 as never }, errors: [ERROR] },
        ],
      };
      withSnapshot = (await outcomes(demo, tests, true)).messages;
      globals.expect = () => ({});
      without = (await outcomes(demo, tests, true)).messages;
    } finally {
      globals.expect = jestExpect;
    }
    expect([withSnapshot, without]).toEqual(['pass', 'pass']);
    expect(seen).toEqual([
      '\n#1 two\n1:1 danger: Call of `danger()`.\n2:1 danger: Call of `danger()`.\n\n#2 x = danger(1)\n1:5 danger: Call of `danger()`.\n\n#3 bad options\n(the case failed: see its own test)\n',
    ]);
  });
});

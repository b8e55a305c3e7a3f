import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintAndFix, lintText, MAX_FIX_PASSES } from '../src/engine/linter';
import { pythonParser } from '../src/syntax/parse';
import { createRule } from '../src/engine/rule';
import { writeIfUnchanged } from '../src/project/write';
import { tempRepo } from './helpers/cli';

/** A rule that reports every `pass` statement with a fix given by `edit`. */
function passRule(edit: (start: number, end: number) => { range: [number, number]; text: string }) {
  return createRule({
    meta: {
      id: 'test-pass',
      type: 'suggestion',
      docs: { description: 'test' },
      fixable: 'code',
      messages: { found: 'pass found' },
      schema: false,
      defaultSeverity: 'warn',
      security: { severity: 1, precision: 'low', cwe: [] },
    },
    defaultOptions: {},
    create(context) {
      return {
        pass_statement(node) {
          context.report({ node, messageId: 'found', fix: [edit(node.startIndex, node.endIndex)], fixSafety: 'safe' });
        },
      };
    },
  });
}

describe('fix loop', () => {
  test('a pass that would add a parse error is thrown away', async () => {
    const rule = passRule((start, end) => ({ range: [start, end], text: 'pass)' }));
    const outcome = lintAndFix(await pythonParser(), 'def f():\n    pass\n', '/v.py', [{ rule, severity: 'warn', options: {} }], false);
    expect(outcome.output).toBe('def f():\n    pass\n');
    expect(outcome.fixCount).toBe(0);
    expect(outcome.problems.map((p) => p.ruleId)).toEqual(['test-pass']);
  });

  test('stops after the pass limit when fixes keep producing findings', async () => {
    const rule = passRule((start) => ({ range: [start, start], text: 'pass; ' }));
    const outcome = lintAndFix(await pythonParser(), 'pass\n', '/v.py', [{ rule, severity: 'warn', options: {} }], false);
    // every pass fixes every `pass`, doubling them: 2^10 statements after 10 passes
    const inserted = 2 ** MAX_FIX_PASSES - 1;
    expect(outcome.fixCount).toBe(inserted);
    expect(outcome.output).toBe(`${'pass; '.repeat(inserted)}pass\n`);
  });
});

describe('robustness', () => {
  /** A rule that throws on calls of `boom` and reports every other call. */
  const crashing = createRule({
    meta: { ...passRule(() => ({ range: [0, 0], text: '' })).meta, security: undefined, id: 'test-crash', messages: { call: 'call found' } },
    defaultOptions: {},
    create(context) {
      return {
        call(node) {
          if (node.childForFieldName('function')?.text === 'boom') throw new Error('boom');
          context.report({ node, messageId: 'call' });
        },
      };
    },
  });

  test('a rule that crashes on one node is reported there and still checks the other nodes; other rules run', async () => {
    const working = passRule((start) => ({ range: [start, start], text: '' }));
    const problems = lintText(await pythonParser(), 'boom()\npass\nf()\n', '/v.py', [
      { rule: crashing, severity: 'error', options: {} },
      { rule: working, severity: 'warn', options: {} },
    ]);
    expect(problems.map((p) => [p.ruleId, p.line, p.message])).toEqual([
      [
        null,
        1,
        'Internal error in rule test-crash (please report it to its authors): Error: boom; the rule skipped this "call" node and checked the rest of the file.',
      ],
      ['test-pass', 2, 'pass found'],
      ['test-crash', 3, 'call found'],
    ]);
  });

  test('a rule that crashes on many nodes gets ten internal errors, the last counting the rest', async () => {
    const problems = lintText(await pythonParser(), `${'boom()\n'.repeat(13)}f()\n`, '/v.py', [{ rule: crashing, severity: 'error', options: {} }]);
    const more = ' (it also failed on 3 more nodes)';
    expect(problems.map((p) => [p.ruleId, p.line, p.message.replace(/^.*checked the rest of the file/, '…')])).toEqual([
      ...Array.from({ length: 9 }, (_, i) => [null, i + 1, '….']),
      [null, 10, `…${more}.`],
      ['test-crash', 14, 'call found'],
    ]);
  });

  test('a rule whose create() throws is off for the file, and says so', async () => {
    const failing = createRule({
      meta: { ...crashing.meta, id: 'test-create' },
      defaultOptions: {},
      create() {
        throw new Error('no');
      },
    });
    const problems = lintText(await pythonParser(), 'f()\n', '/v.py', [{ rule: failing, severity: 'error', options: {} }]);
    expect(problems.map((p) => [p.ruleId, p.line, p.message])).toEqual([
      [null, 1, 'Internal error in rule test-create (please report it to its authors): Error: no; the rule was skipped for the rest of this file.'],
    ]);
  });

  test('deeply nested valid Python is analysed without overflowing the stack', async () => {
    const code = `import torch\nx = a${Array.from({ length: 3000 }, (_, i) => `.m${i}()`).join('')}\nz = torch.load("p")\n`;
    const rule = (await import('../rules/torch-load-missing-weights-only')).default;
    const problems = lintText(await pythonParser(), code, '/v.py', [{ rule, severity: 'error', options: {} }]);
    expect(problems.map((p) => [p.ruleId, p.line])).toEqual([['torch-load-missing-weights-only', 3]]);
  });
});

describe('writeIfUnchanged', () => {
  test('does not write over a file that changed since it was read', () => {
    const dir = tempRepo({ 'a.py': 'new content\n' });
    const file = path.join(dir, 'a.py');
    expect(writeIfUnchanged(file, 'fixed\n', Buffer.from('old content\n'))).toBe('changed');
    expect(fs.readFileSync(file, 'utf8')).toBe('new content\n');
    expect(writeIfUnchanged(file, 'fixed\n', Buffer.from('new content\n'))).toBe('written');
    expect(fs.readFileSync(file, 'utf8')).toBe('fixed\n');
    expect(fs.readdirSync(dir)).toEqual(['a.py']);
  });
});

describe('vendored wasm', () => {
  test('wasm/ matches the pinned npm packages and wasm/SHA256SUMS', () => {
    const root = path.resolve(__dirname, '..');
    expect(() => execFileSync(process.execPath, [path.join(root, 'scripts/vendor-wasm.js'), '--check'], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});

/**
 * The product's RuleTester (src/testing/rule-tester.ts) with one check of this repository's own: every fixed text
 * and every suggestion's output of an invalid case in a Python file must compile with CPython (one python3 run per test file, after
 * its tests).
 */
import type { RuleModule } from '../../src/engine/rule';
import { type InvalidTestCase, RuleTester, type RunTests } from '../../src/testing/rule-tester';
import { pythonCompileErrors } from './python';

/** An invalid case of this repository's rule tests. */
export interface PythonInvalidCase<MessageIds extends string = string, Options = unknown> extends InvalidTestCase<MessageIds, Options> {
  /** False for input that is not valid Python on purpose: neither its fixed output nor its suggestions are compiled. */
  compiles?: false;
}

/** The cases of one run, with {@link PythonInvalidCase} rows. */
export interface PythonRunTests<MessageIds extends string = string, Options = unknown> extends RunTests<MessageIds, Options> {
  invalid: readonly PythonInvalidCase<MessageIds, Options>[];
}

const compiled = new Map<string, string>();

/** RuleTester whose `run` also takes `compiles: false` rows. */
class PythonRuleTester extends RuleTester {
  override run<MessageIds extends string, Options>(
    name: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any rule's data type
    rule: RuleModule<MessageIds, Options, any>,
    tests: PythonRunTests<NoInfer<MessageIds>, NoInfer<Options>>,
  ): void {
    super.run(name, rule, tests);
  }
}

export const ruleTester = new PythonRuleTester({
  onOutput: (text, { testCase, title, kind, error, suggestion }) => {
    if (!(testCase.filename ?? 'test.py').endsWith('.py')) return; // a Dockerfile, a shell script…
    if ((testCase as PythonInvalidCase).compiles === false) return;
    compiled.set(kind === 'suggestion' ? `${title} suggestion ${error}.${suggestion}` : title, text);
  },
});

afterAll(() => {
  expect(pythonCompileErrors(compiled)).toEqual([]);
});

/** A pattern matching messages that contain `text` (for an expected error's `message`). */
export function includes(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/**
 * A RuleTester in the spirit of ESLint's: `valid` cases must produce no finding of the rule, `invalid` cases exactly
 * the listed findings (message id, place, severity), the exact fixed text, the fix safety and the suggestions.
 * Every fixed text and suggestion output must compile with CPython.
 */
import { applyFixes } from '../../src/engine/fixer';
import { lintAndFix, lintText, Problem, RuleSetting } from '../../src/engine/linter';
import { pythonParser } from '../../src/syntax/parse';
import type { AnyRule, FixSafety, Severity } from '../../src/engine/rule';
import { type ProjectContext, UNKNOWN_PROJECT } from '../../src/torch/services';
import { declaredRequirement } from '../../src/torch/version';
import { pythonCompileErrors } from './python';

export interface ExpectedError {
  messageId: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Effective severity: 1 warning, 2 error. */
  severity?: 1 | 2;
  /** Substring the message must contain. */
  messageIncludes?: string;
  /** Expected fix safety; `null` when the finding must have no fix. */
  fixSafety?: FixSafety | null;
  /** Expected text after applying each suggestion on its own. */
  suggestions?: string[];
}

export interface InvalidCase {
  name?: string;
  code: string;
  options?: unknown;
  severity?: Severity;
  errors: ExpectedError[];
  /** False for input that is not valid Python on purpose: its output is not compiled. */
  compiles?: false;
  /** Text after the fix loop with unsafe fixes allowed; omit when no finding has a fix. */
  output?: string;
  /** The project's declared torch requirement (`">=2.4"`, as in requirements.txt); default: none declared. */
  torch?: string;
}

export interface ValidCase {
  code: string;
  options?: unknown;
  torch?: string;
}

/** The project a case runs in: its declared torch requirement, or none. */
function projectOf(torch: string | undefined): ProjectContext {
  return torch === undefined ? UNKNOWN_PROJECT : { torch: declaredRequirement(torch) };
}

export function runRuleTests(rule: AnyRule, cases: { valid: (string | ValidCase)[]; invalid: InvalidCase[] }): void {
  const compiled = new Map<string, string>();
  const setting = (options: unknown, severity?: Severity): RuleSetting[] => [
    { rule, severity: severity ?? (rule.meta.defaultSeverity === 'off' ? 'warn' : rule.meta.defaultSeverity), options: { ...(rule.defaultOptions as object), ...(options as object) } },
  ];
  const ours = (problems: Problem[]) => problems.filter((p) => p.ruleId === rule.meta.id);

  describe(`${rule.meta.id} valid`, () => {
    test.each(cases.valid.map((c) => [typeof c === 'string' ? c : c.code, c] as const))('%s', async (_name, c) => {
      const parser = await pythonParser();
      const code = typeof c === 'string' ? c : c.code;
      const options = typeof c === 'string' ? {} : c.options;
      const project = projectOf(typeof c === 'string' ? undefined : c.torch);
      expect(ours(lintText(parser, code, '/virtual/test.py', setting(options), { services: project }))).toEqual([]);
    });
  });

  describe(`${rule.meta.id} invalid`, () => {
    test.each(cases.invalid.map((c) => [c.name ?? c.code, c] as const))('%s', async (_name, c) => {
      const parser = await pythonParser();
      const settings = setting(c.options, c.severity);
      const project = projectOf(c.torch);
      const problems = ours(lintText(parser, c.code, '/virtual/test.py', settings, { services: project }));
      expect(problems.map((p) => summarize(p, c.errors[problems.indexOf(p)]))).toEqual(c.errors.map((e) => expected(e)));
      problems.forEach((p, i) => {
        const want = c.errors[i];
        if (want.messageIncludes) expect(p.message).toContain(want.messageIncludes);
        if (want.suggestions) {
          const outputs = (p.suggestions ?? []).map((s) => applyFixes(c.code, [s.fix]).output);
          expect(outputs).toEqual(want.suggestions);
          outputs.forEach((o, j) => compiled.set(`${c.name ?? c.code} suggestion ${i}.${j}`, o));
        } else {
          expect(p.suggestions ?? []).toEqual([]);
        }
      });
      const fixed = lintAndFix(parser, c.code, '/virtual/test.py', settings, true, { services: project }).output;
      expect(fixed).toEqual(c.output ?? c.code);
      if (c.compiles !== false) compiled.set(c.name ?? c.code, fixed);
    });
  });

  afterAll(() => {
    expect(pythonCompileErrors(compiled)).toEqual([]);
  });
}

function summarize(p: Problem, want: ExpectedError | undefined) {
  const got: Record<string, unknown> = { messageId: p.messageId, line: p.line, column: p.column };
  if (want?.endLine !== undefined) got.endLine = p.endLine;
  if (want?.endColumn !== undefined) got.endColumn = p.endColumn;
  if (want?.severity !== undefined) got.severity = p.severity;
  if (want?.fixSafety !== undefined) got.fixSafety = p.fix ? p.fixSafety : null;
  return got;
}

function expected(e: ExpectedError) {
  const want: Record<string, unknown> = { messageId: e.messageId, line: e.line, column: e.column };
  if (e.endLine !== undefined) want.endLine = e.endLine;
  if (e.endColumn !== undefined) want.endColumn = e.endColumn;
  if (e.severity !== undefined) want.severity = e.severity;
  if (e.fixSafety !== undefined) want.fixSafety = e.fixSafety;
  return want;
}

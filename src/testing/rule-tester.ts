/**
 * A RuleTester for rule authors, after ESLint's and typescript-eslint's (`ruleTester.run(name, rule, { valid,
 * invalid })`, one test per case under the test framework's own `describe`/`it`) with Ruff's snapshot of the rendered
 * messages. Cases run through the real engine: a plain case lints its code in memory with the rule alone; a case with
 * `files` runs the whole pipeline of the CLI (`lintFiles`) in a fresh temporary folder, so that cross-file evidence
 * (wrappers in other modules, the checkpoint files a path names, saves and loads of one path) works as it does for
 * users.
 *
 * ```ts
 * import { RuleTester } from '../src/testing/rule-tester';
 * const ruleTester = new RuleTester();
 * ruleTester.run('my-rule', rule, {
 *   valid: ['import torch\ntorch.load(p, weights_only=True)\n'],
 * invalid: [{ code: 'import torch\ntorch.load(p)\n', errors: [{ messageId: 'missing', line: 2, column: 1 }], output:
 * null }],
 * });
 * ```
 *
 * Lines and columns are 1-based, columns count UTF-16 code units; `endColumn` is exclusive (ESLint's convention).
 * Failures are `node:assert` errors, so any framework shows them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rules as builtinRules } from '../../rules';
import { applyFixes } from '../engine/fixer';
import {
  lintAndFix,
  type LintOptions,
  lintNonPythonText,
  lintText,
  matchesTextCheck,
  type Problem,
  type RuleSetting,
} from '../engine/linter';
import {
  type AnyRule,
  type FixSafety,
  interpolate,
  type RuleModule,
  type Severity,
  type SeveritySetting,
} from '../engine/rule';
import { CONFIG_FILE_NAME, ruleOptionsError } from '../project/config';
import { lintFiles } from '../run/lint-files';
import { pythonParser } from '../syntax/parse';
import { type ProjectContext, UNKNOWN_PROJECT } from '../torch/services';
import { declaredRequirement } from '../torch/version';

/**
 * Files a case puts next to its code, by path relative to the case's temporary folder (`'utils/io.py'`,
 * `'weights/ckpt.pt'`): text, or bytes (a `Buffer`) written as they are. Paths must stay inside the folder.
 */
export type CaseFiles = Readonly<Record<string, string | Uint8Array>>;

/** What valid and invalid cases share. */
export interface TestCaseBase<Options = unknown> {
  /** The test's title; default: the code. */
  name?: string;
  /** The file's text (a leading BOM is kept out of the positions, as when linting a file). */
  code: string;
  /**
   * The rule's options object, as in `["warn", {options}]`: validated against `meta.schema` (an invalid object fails
   * the case) and shallow-merged over `defaultOptions`.
   */
  options?: Partial<Options>;
  /**
   * Where the code lives, relative to the project folder (default `test.py`). A name the rule's `text` check matches
   * (`Dockerfile`, `.github/workflows/ci.yml`) is linted as that kind of file.
   */
  filename?: string;
  /**
   * Other files of the project. With `files`, the case runs through `lintFiles` (config files, the repository index,
   * checkpoint files) in a fresh temporary folder holding these files and the code at `filename`, removed afterwards;
   * only this rule is enabled. Findings in the other files are not checked.
   */
  files?: CaseFiles;
  /**
   * The project's declared torch requirement, as written after `torch` in requirements.txt (`">=2.4"`, `"==2.0.0"`);
   * default: none declared. With `files`, a requirements.txt is written (so `files` must not hold one).
   */
  torch?: string;
  /**
   * The severity the rule is configured at; default: with `files`, what a `.pylintrc-ts.json` at the root of `files`
   * gives it, else its `meta.defaultSeverity` (`warn` when that is `off`).
   */
  severity?: Severity;
}

/** A case the rule must not report anything in (its findings in the case's file must be none). */
export type ValidTestCase<Options = unknown> = TestCaseBase<Options>;

/** One suggestion an error must offer, in order. */
export interface SuggestionOutput<MessageIds extends string = string> {
  /** The suggestion's message id, if checked. */
  messageId?: MessageIds;
  /** Its exact text (the interpolated message), if checked. */
  desc?: string;
  /** The exact text after applying this suggestion alone to the case's code. */
  output: string;
}

/** One finding an invalid case expects. Fields left out are not checked, except `suggestions`. */
export interface TestCaseError<MessageIds extends string = string> {
  messageId: MessageIds;
  /** 1-based start line. */
  line?: number;
  /** 1-based start column, in UTF-16 code units. */
  column?: number;
  /** 1-based end line. */
  endLine?: number;
  /** 1-based exclusive end column, in UTF-16 code units. */
  endColumn?: number;
  /** The finding's effective severity: `1`/`'warn'` or `2`/`'error'`. */
  severity?: 1 | 2 | Severity;
  /** The message must be this message id's template filled with `data` (not together with `message`). */
  data?: Record<string, string>;
  /** The exact message, or a pattern it must match. */
  message?: string | RegExp;
  /** The fix's safety; `null`: the finding must have no fix. */
  fixSafety?: FixSafety | null;
  /** The suggestions, in order, each with its exact output; left out: the finding must have none. */
  suggestions?: readonly SuggestionOutput<MessageIds>[];
  /**
   * The finding's related locations (SARIF `relatedLocations`: where the untrusted data comes from), in order;
   * `[]`: it must have none. Left out: not checked.
   */
  related?: readonly RelatedOutput[];
}

/** One related location an error must have: its line, and its column and message if given. */
export interface RelatedOutput {
  line: number;
  column?: number;
  /** The exact message, or a pattern it must match. */
  message?: string | RegExp;
}

/** A case the rule must report exactly `errors` in (count, order, and every field given). */
export interface InvalidTestCase<MessageIds extends string = string, Options = unknown> extends TestCaseBase<Options> {
  /** At least one. */
  errors: readonly TestCaseError<MessageIds>[];
  /**
   * The exact text after the fix loop (up to 10 passes, unsafe fixes allowed, as `--fix --unsafe-fixes`). `null` or
   * left out: the code must not change (as in ESLint, a rule that fixes something fails a case without `output`); a
   * string equal to `code` is a mistake in the test.
   */
  output?: string | null;
}

/** The cases of one `run`. */
export interface RunTests<MessageIds extends string = string, Options = unknown> {
  valid: readonly (string | ValidTestCase<Options>)[];
  invalid: readonly InvalidTestCase<MessageIds, Options>[];
}

/** Where a text given to {@link RuleTesterConfig.onOutput} came from. */
export interface OutputOrigin {
  testCase: InvalidTestCase;
  /** The case's title. */
  title: string;
  /** `output`: the text after the fix loop (the code itself when nothing was fixed); `suggestion`: one suggestion's. */
  kind: 'output' | 'suggestion';
  /** For a suggestion: the index of its error, and its own index among that error's suggestions (0-based). */
  error?: number;
  suggestion?: number;
}

export interface RuleTesterConfig {
  /**
   * Called, once an invalid case has passed, with every text it produced (its fixed output, each suggestion's
   * output): a hook for extra checks such as compiling them with CPython.
   */
  onOutput?: (text: string, origin: OutputOrigin) => void;
  /** Check the rendered messages against a snapshot when the framework has `toMatchSnapshot` (default true). */
  snapshot?: boolean;
}

/** `describe` of the test framework: a titled group of tests. */
export type DescribeFunction = (title: string, body: () => void) => unknown;
/** `it`/`test` of the test framework: a titled test; the body may return a promise. */
export type ItFunction = (title: string, body: () => Promise<void>) => unknown;

/** What linting one case gave: this rule's findings in the case's file and the fixed text. */
interface CaseRun {
  /** The case's text as linted (without BOM): fix and suggestion ranges index into it. */
  text: string;
  problems: Problem[];
  /** The text after the fix loop (with BOM), or the code when no finding had a fix. */
  output: string;
  /** Rule-API mistakes seen while the rule ran (unknown message ids, a fix without meta.fixable…). */
  violations: string[];
  /** Messages of crashes of the rule or of the pipeline. */
  crashes: string[];
}

const VIRTUAL_ROOT = path.resolve(path.sep, 'virtual');
const DEFAULT_FILENAME = 'test.py';

interface TestGlobals {
  describe?: DescribeFunction;
  it?: ItFunction;
  test?: ItFunction;
  expect?: (value: unknown) => { toMatchSnapshot?: () => void };
}
const globals = globalThis as TestGlobals;

/**
 * Runs a rule over valid and invalid cases, one test each, under `RuleTester.describe` / `RuleTester.it` (by default
 * the global `describe` and `it` (or `test`) of Jest, Mocha or Vitest). A case fails on any difference from what it
 * expects, on invalid options, when the rule crashes, and when the rule breaks the rule API: a messageId (or a
 * suggestion's) not in `meta.messages`, a fix without `meta.fixable: 'code'` or without `fixSafety`, suggestions
 * without `meta.hasSuggestions`.
 */
export class RuleTester {
  static #describe: DescribeFunction | undefined;
  static #it: ItFunction | undefined;

  /** The `describe` used to group the tests; set it to use another framework's (set `undefined` for the default). */
  static get describe(): DescribeFunction {
    const fn = RuleTester.#describe ?? globals.describe;
    if (typeof fn !== 'function')
      throw new Error(
        'RuleTester: no global describe(); run under Jest, Mocha or Vitest (with globals), or set RuleTester.describe',
      );
    return fn;
  }
  static set describe(fn: DescribeFunction | undefined) {
    RuleTester.#describe = fn;
  }

  /** The `it` used for each case; set it to use another framework's (set `undefined` for the default). */
  static get it(): ItFunction {
    const fn = RuleTester.#it ?? globals.it ?? globals.test;
    if (typeof fn !== 'function')
      throw new Error(
        'RuleTester: no global it() or test(); run under Jest, Mocha or Vitest (with globals), or set RuleTester.it',
      );
    return fn;
  }
  static set it(fn: ItFunction | undefined) {
    RuleTester.#it = fn;
  }

  readonly #config: RuleTesterConfig;

  constructor(config: RuleTesterConfig = {}) {
    this.#config = config;
  }

  /**
   * Declares the tests: `describe(name)` holding `valid` and `invalid` groups with one test per case, and, under
   * Jest (or any framework whose global `expect()` has `toMatchSnapshot`), a `messages` test that renders every
   * invalid case's findings as `line:column messageId: message` lines and matches them against the snapshot.
   */
  run<MessageIds extends string, Options>(
    name: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any rule's data type
    rule: RuleModule<MessageIds, Options, any>,
    tests: RunTests<NoInfer<MessageIds>, NoInfer<Options>>,
  ): void {
    const anyRule = rule as AnyRule;
    const describe = RuleTester.describe;
    const it = RuleTester.it;
    const invalid = tests.invalid as readonly InvalidTestCase[];
    // each invalid case is linted once, whether its own test or the snapshot asks first
    const runs = new Map<InvalidTestCase, Promise<CaseRun>>();
    const runOf = (c: InvalidTestCase) => {
      let run = runs.get(c);
      if (!run) runs.set(c, (run = lintCase(anyRule, c)));
      return run;
    };
    describe(name, () => {
      if (tests.valid.length) {
        describe('valid', () => {
          for (const item of tests.valid) {
            const c: ValidTestCase = typeof item === 'string' ? { code: item } : (item as ValidTestCase);
            it(titleOf(c), async () => checkValid(anyRule, await lintCase(anyRule, c)));
          }
        });
      }
      if (invalid.length) {
        describe('invalid', () => {
          for (const c of invalid) {
            it(titleOf(c), async () => {
              checkInvalid(anyRule, c, await runOf(c));
              this.#reportOutputs(c, await runOf(c));
            });
          }
        });
      }
      if (invalid.length && this.#config.snapshot !== false && typeof globals.expect === 'function') {
        it('messages', async () => {
          const sections: string[] = [];
          for (const [i, c] of invalid.entries()) {
            const header = `#${i + 1} ${titleOf(c).split('\n')[0]}`;
            try {
              sections.push([header, ...renderProblems((await runOf(c)).problems)].join('\n'));
            } catch {
              sections.push(`${header}\n(the case failed: see its own test)`);
            }
          }
          const matcher = globals.expect!(`\n${sections.join('\n\n')}\n`);
          if (typeof matcher.toMatchSnapshot === 'function') matcher.toMatchSnapshot();
        });
      }
    });
  }

  #reportOutputs(c: InvalidTestCase, run: CaseRun): void {
    const onOutput = this.#config.onOutput;
    if (!onOutput) return;
    const title = titleOf(c);
    onOutput(run.output, { testCase: c, title, kind: 'output' });
    run.problems.forEach((p, error) =>
      (p.suggestions ?? []).forEach((s, suggestion) =>
        onOutput(applyFixes(run.text, [s.fix]).output, { testCase: c, title, kind: 'suggestion', error, suggestion }),
      ),
    );
  }
}

function titleOf(c: TestCaseBase): string {
  return c.name ?? c.code;
}

/** `line:column messageId: message`, one line per finding. */
function renderProblems(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${p.line}:${p.column} ${p.messageId ?? '(none)'}: ${p.message}`);
}

function configuredSeverity(rule: AnyRule, c: TestCaseBase): Severity {
  return c.severity ?? (rule.meta.defaultSeverity === 'off' ? 'warn' : rule.meta.defaultSeverity);
}

/** Lints one case (in memory, or through lintFiles when it has `files`). Throws for a mistake in the case itself. */
async function lintCase(rule: AnyRule, c: TestCaseBase): Promise<CaseRun> {
  if (typeof c.code !== 'string') throw new Error('RuleTester: a case needs `code` (a string)');
  if (c.options !== undefined) {
    const error = ruleOptionsError(rule, c.options);
    if (error) throw new Error(`RuleTester: options ${JSON.stringify(c.options)} for ${rule.meta.id}: ${error}`);
  }
  const violations = new Set<string>();
  const instrumented = instrument(rule, violations);
  const run = c.files ? await lintInFolder(rule, instrumented, c) : await lintInMemory(rule, instrumented, c);
  return { ...run, violations: [...violations] };
}

async function lintInMemory(
  rule: AnyRule,
  instrumented: AnyRule,
  c: TestCaseBase,
): Promise<Omit<CaseRun, 'violations'>> {
  const filePath = path.join(VIRTUAL_ROOT, c.filename ?? DEFAULT_FILENAME);
  const bom = c.code.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = c.code.slice(bom.length);
  const settings: RuleSetting[] = [
    {
      rule: instrumented,
      severity: configuredSeverity(rule, c),
      options: { ...(rule.defaultOptions as object), ...c.options },
    },
  ];
  const services: ProjectContext = c.torch === undefined ? UNKNOWN_PROJECT : { torch: declaredRequirement(c.torch) };
  const options: LintOptions = {
    services,
    knownRuleIds: new Set([...builtinRules.map((r) => r.meta.id), rule.meta.id]),
  };
  if (rule.text && matchesTextCheck(rule.text, filePath)) {
    const all = lintNonPythonText(text, filePath, settings, options);
    return { text, problems: ours(rule, all), output: c.code, crashes: crashesIn(all) };
  }
  const parser = await pythonParser();
  const all = lintText(parser, text, filePath, settings, options);
  const problems = ours(rule, all);
  const output = problems.some((p) => p.fix)
    ? bom + lintAndFix(parser, text, filePath, settings, true, options).output
    : c.code;
  return { text, problems, output, crashes: crashesIn(all) };
}

/** The case's project in a fresh temporary folder, linted like `pylint-torch .` with only this rule enabled. */
async function lintInFolder(
  rule: AnyRule,
  instrumented: AnyRule,
  c: TestCaseBase,
): Promise<Omit<CaseRun, 'violations'>> {
  const filename = c.filename ?? DEFAULT_FILENAME;
  const entries: Record<string, string | Uint8Array> = { ...c.files };
  if (Object.hasOwn(entries, filename))
    throw new Error(
      `RuleTester: \`files\` holds ${filename}, where the case's code goes; name the code's file with \`filename\``,
    );
  entries[filename] = c.code;
  if (c.torch !== undefined) {
    if (Object.hasOwn(entries, 'requirements.txt'))
      throw new Error('RuleTester: give `torch` or a requirements.txt in `files`, not both');
    entries['requirements.txt'] = `torch${c.torch}\n`;
  }
  // a config at the folder's root keeps any config above the temporary folder out, and carries the options
  const given = entries[CONFIG_FILE_NAME];
  const config =
    given === undefined
      ? {}
      : (JSON.parse(
          Buffer.from(given)
            .toString('utf8')
            .replace(/^\uFEFF/, ''),
        ) as { rules?: Record<string, unknown> });
  const entry = config.rules?.[rule.meta.id];
  const configured = (Array.isArray(entry) ? entry[0] : entry) as SeveritySetting | undefined;
  const severity: SeveritySetting = c.severity ?? configured ?? configuredSeverity(rule, c);
  if (c.options !== undefined) config.rules = { ...config.rules, [rule.meta.id]: [severity, c.options] };
  if (given === undefined || c.options !== undefined) entries[CONFIG_FILE_NAME] = JSON.stringify(config);

  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-rule-tester-')));
  try {
    // a repository root: the search for torch declarations stops here
    fs.mkdirSync(path.join(dir, '.git'));
    for (const [name, content] of Object.entries(entries)) {
      const file = path.resolve(dir, name);
      if (!file.startsWith(dir + path.sep))
        throw new Error(`RuleTester: file ${JSON.stringify(name)} lies outside the case's folder`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    const registry = [...builtinRules.filter((r) => r.meta.id !== rule.meta.id), instrumented];
    const rules: Record<string, SeveritySetting> = Object.fromEntries(
      registry.map((r) => [r.meta.id, r === instrumented ? severity : 'off']),
    );
    const base = { cwd: dir, rules, registry, unsafeFixes: true };
    const target = path.join(dir, filename);
    const report = await lintFiles(['.'], base);
    const result = report.results.find((r) => r.filePath === target);
    if (!result)
      throw new Error(
        `RuleTester: ${filename} was not linted${report.warnings.length ? ` (${report.warnings.join('; ')})` : ''}`,
      );
    const all: Problem[] = report.results.flatMap((r) => r.messages);
    const problems = ours(rule, result.messages);
    let output = c.code;
    if (problems.some((p) => p.fix)) {
      const fixed = await lintFiles(['.'], { ...base, fixDryRun: true });
      output = fixed.results.find((r) => r.filePath === target)?.output ?? c.code;
    }
    return { text: report.sources.get(target) ?? c.code, problems, output, crashes: crashesIn(all) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function ours(rule: AnyRule, problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.ruleId === rule.meta.id);
}

function crashesIn(problems: readonly Problem[]): string[] {
  return problems.filter((p) => p.ruleId === null && p.message.startsWith('Internal error')).map((p) => p.message);
}

/**
 * A copy of the rule whose reports are checked against its meta: a report with an unknown message id is recorded
 * and dropped (the engine could not render it); the other mistakes are recorded and the report goes through.
 */
function instrument(rule: AnyRule, violations: Set<string>): AnyRule {
  const { id, messages, fixable, hasSuggestions } = rule.meta;
  const known = Object.keys(messages);
  const ok = (d: {
    messageId: string;
    fix?: readonly unknown[];
    fixSafety?: FixSafety;
    suggest?: readonly { messageId: string }[];
  }): boolean => {
    let keep = true;
    if (!Object.hasOwn(messages, d.messageId)) {
      violations.add(
        `rule ${id} reported messageId '${d.messageId}', which is not in meta.messages (${known.join(', ')})`,
      );
      keep = false;
    }
    if (d.fix?.length && fixable !== 'code')
      violations.add(`rule ${id} reported a fix ('${d.messageId}') but its meta.fixable is not 'code'`);
    if (d.fix?.length && d.fixSafety === undefined)
      violations.add(`rule ${id} reported a fix ('${d.messageId}') without fixSafety ('safe' or 'unsafe')`);
    if (d.suggest?.length && !hasSuggestions)
      violations.add(`rule ${id} reported suggestions ('${d.messageId}') but its meta.hasSuggestions is not true`);
    for (const s of d.suggest ?? []) {
      if (!Object.hasOwn(messages, s.messageId)) {
        violations.add(
          `rule ${id} reported a suggestion with messageId '${s.messageId}', which is not in meta.messages (${known.join(', ')})`,
        );
        keep = false;
      }
    }
    return keep;
  };
  const copy: AnyRule = {
    ...rule,
    create: (context) => rule.create({ ...context, report: (d) => ok(d) && context.report(d) }),
  };
  const { text, binary } = rule;
  if (text)
    copy.text = { ...text, check: (context) => text.check({ ...context, report: (d) => ok(d) && context.report(d) }) };
  if (binary)
    copy.binary = {
      ...binary,
      check: (context) => binary.check({ ...context, report: (d) => ok(d) && context.report(d) }),
    };
  return copy;
}

function checkRun(run: CaseRun): void {
  // a break of the rule API is also a crash for the engine (it stops the rule): say which break it was
  if (run.violations.length) assert.fail(`The rule broke the rule API:\n- ${run.violations.join('\n- ')}`);
  if (run.crashes.length) assert.fail(`The rule crashed:\n${run.crashes.join('\n')}`);
}

function checkValid(rule: AnyRule, run: CaseRun): void {
  checkRun(run);
  assert.equal(
    run.problems.length,
    0,
    `Should have no errors of ${rule.meta.id} but had ${run.problems.length}:\n${renderProblems(run.problems).join('\n')}`,
  );
}

const severityNumber = (s: 1 | 2 | Severity): 1 | 2 => (s === 'error' || s === 2 ? 2 : 1);

function checkInvalid(rule: AnyRule, c: InvalidTestCase, run: CaseRun): void {
  const { messages } = rule.meta;
  const known = Object.keys(messages).join(', ');
  if (!Array.isArray(c.errors) || c.errors.length === 0)
    assert.fail('Invalid cases must have `errors`: at least one expected finding');
  for (const e of c.errors) {
    if (!Object.hasOwn(messages, e.messageId))
      assert.fail(`The case expects messageId '${e.messageId}', which ${rule.meta.id} does not have (${known})`);
    if (e.message !== undefined && e.data !== undefined)
      assert.fail('An expected error gives `message` or `data`, not both');
    for (const s of e.suggestions ?? []) {
      if (s.messageId !== undefined && !Object.hasOwn(messages, s.messageId))
        assert.fail(
          `The case expects a suggestion with messageId '${s.messageId}', which ${rule.meta.id} does not have (${known})`,
        );
    }
  }
  checkRun(run);
  const { problems } = run;
  assert.equal(
    problems.length,
    c.errors.length,
    `Should have ${c.errors.length} error${c.errors.length === 1 ? '' : 's'} but had ${problems.length}:\n${renderProblems(problems).join('\n')}`,
  );
  const actual = problems.map((p, i) => observed(p, c.errors[i], run.text));
  const expected = c.errors.map((e) => wanted(rule, e));
  assert.deepEqual(actual, expected, `Findings of ${rule.meta.id} differ from the expected errors`);

  if (c.output === undefined || c.output === null) {
    assert.equal(
      run.output,
      c.code,
      c.output === null
        ? 'Expected no fix (output: null), but the rule fixed the code'
        : 'The rule fixed the code: add `output` to the case',
    );
  } else {
    assert.notEqual(
      c.output,
      c.code,
      "The case's `output` equals its `code`: when nothing should be fixed, set `output: null` or leave it out",
    );
    assert.equal(run.output, c.output, 'The text after fixing differs from `output`');
  }
}

/** What the finding has, in the fields the expected error gives (and its suggestions, always). */
function observed(p: Problem, e: TestCaseError, text: string): Record<string, unknown> {
  const got: Record<string, unknown> = { messageId: p.messageId };
  if (e.line !== undefined) got.line = p.line;
  if (e.column !== undefined) got.column = p.column;
  if (e.endLine !== undefined) got.endLine = p.endLine;
  if (e.endColumn !== undefined) got.endColumn = p.endColumn;
  if (e.severity !== undefined) got.severity = p.severity;
  if (e.message instanceof RegExp) got.message = matches(e.message, p.message) ? e.message : p.message;
  else if (e.message !== undefined || e.data !== undefined) got.message = p.message;
  if (e.fixSafety !== undefined) got.fixSafety = p.fix ? (p.fixSafety ?? 'unsafe') : null;
  if (e.related !== undefined)
    got.related = (p.relatedLocations ?? []).map((r, j) => {
      const want = e.related?.[j];
      const one: Record<string, unknown> = { line: r.line };
      if (!want || want.column !== undefined) one.column = r.column;
      if (!want || want.message instanceof RegExp)
        one.message = want?.message instanceof RegExp && matches(want.message, r.message) ? want.message : r.message;
      else if (want.message !== undefined) one.message = r.message;
      return one;
    });
  got.suggestions = (p.suggestions ?? []).map((s, j) => {
    const want = e.suggestions?.[j];
    const one: Record<string, unknown> = {};
    if (!want || want.messageId !== undefined) one.messageId = s.messageId;
    if (!want || want.desc !== undefined) one.desc = s.desc;
    one.output = applyFixes(text, [s.fix]).output;
    return one;
  });
  return got;
}

function wanted(rule: AnyRule, e: TestCaseError): Record<string, unknown> {
  const want: Record<string, unknown> = { messageId: e.messageId };
  if (e.line !== undefined) want.line = e.line;
  if (e.column !== undefined) want.column = e.column;
  if (e.endLine !== undefined) want.endLine = e.endLine;
  if (e.endColumn !== undefined) want.endColumn = e.endColumn;
  if (e.severity !== undefined) want.severity = severityNumber(e.severity);
  if (e.message !== undefined) want.message = e.message;
  else if (e.data !== undefined) want.message = interpolate(rule.meta.messages[e.messageId], e.data);
  if (e.fixSafety !== undefined) want.fixSafety = e.fixSafety;
  if (e.related !== undefined)
    want.related = e.related.map((r) => ({
      line: r.line,
      ...(r.column !== undefined && { column: r.column }),
      ...(r.message !== undefined && { message: r.message }),
    }));
  want.suggestions = (e.suggestions ?? []).map((s) => ({
    ...(s.messageId !== undefined && { messageId: s.messageId }),
    ...(s.desc !== undefined && { desc: s.desc }),
    output: s.output,
  }));
  return want;
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

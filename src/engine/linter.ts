/**
 * The engine: run rules over one file's text, and the bounded fix loop over it (ESLint's verifyAndFix). No I/O here.
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import {
  type Comment,
  type Directives,
  externalCodes,
  hashComments,
  parseDirectives,
  type UnusedDirective,
} from './directives';
import { applyFixes, mergeFixes } from './fixer';
import { countSyntaxErrors, firstSyntaxError, hiddenComments, Node, parsePython, type Tree } from '../syntax/parse';
import type { Parser } from 'web-tree-sitter';
import {
  AnyRule,
  Fix,
  FixSafety,
  interpolate,
  ReportDescriptor,
  RuleContext,
  Severity,
  SeveritySetting,
  TextCheck,
  Visitors,
} from './rule';
import { analyzeScopes, type FileScopes } from '../syntax/scope';

/** What the caller passes to a lint: services for the rules, a hook after parsing, and every rule id it knows. */
export interface LintOptions {
  /** Handed to every rule as `context.services` (opaque to the engine). */
  services?: unknown;
  /** Called once the file is parsed and its scopes are built, before any rule runs. */
  onParsed?: (filePath: string, scopes: FileScopes) => void;
  /**
   * Every rule id of the caller's registry, enabled or not: a directive naming one of them is not a typo. Default:
   * the ids of `settings`.
   */
  knownRuleIds?: ReadonlySet<string>;
  /**
   * Report `# pylint-torch:` directives (or ids in them) that suppressed nothing, at this severity, with a
   * suggestion that removes them (ESLint's reportUnusedDisableDirectives). Default `off`.
   */
  reportUnusedDisableDirectives?: SeveritySetting;
  /** Let `# noqa` and `# nosec` comments suppress the rules whose `meta.aliases` they name. Default true. */
  externalDirectives?: boolean;
}

/** An enabled rule with its effective severity and merged options. */
export interface RuleSetting {
  rule: AnyRule;
  severity: Severity;
  options: unknown;
}

/**
 * One finding. Lines and columns are 1-based, columns in UTF-16 code units; `endColumn` is exclusive (ESLint's
 * convention). `ruleId` is null for problems of the file itself (unreadable, syntax error, unknown directive).
 */
export interface Problem {
  ruleId: string | null;
  messageId?: string;
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix?: Fix;
  fixSafety?: FixSafety;
  /** Each suggestion's message id (ESLint's LintMessage suggestions carry it too), text and edit. */
  suggestions?: { messageId?: string; desc: string; fix: Fix }[];
  fatal?: boolean;
  /** A finding about the whole file (a checkpoint): no region. */
  fileLevel?: boolean;
  /** Places of the same file that explain the finding (the untrusted source it loads), as SARIF relatedLocations. */
  relatedLocations?: RelatedLocation[];
  /**
   * In a Jupyter notebook: the 1-based number of the cell (all cells counted, as Ruff does); `line` and `endLine`
   * are then lines of that cell, and `fix` and suggestions edit the notebook's JSON text.
   */
  cell?: number;
}

/** A related location: the same 1-based, UTF-16 span fields as a {@link Problem}, and a message. */
export interface RelatedLocation {
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** In a notebook: the cell the lines count in, as {@link Problem.cell}. */
  cell?: number;
}

/** Maps UTF-16 offsets to 1-based line and column. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/** 1-based line/column span of [start, end) UTF-16 offsets. */
function problemAt(locate: ReturnType<typeof lineIndex>, start: number, end: number) {
  const from = locate(start);
  const to = locate(end);
  return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}

/** At most this many internal-error problems per rule and file; the last one counts the rest. */
const MAX_FAILURES_SHOWN = 10;

interface LintPass {
  problems: Problem[];
  syntaxErrors: number;
}

/**
 * Lints one file's text (without BOM) with the enabled rules. Rules see the part of a broken file that tree-sitter
 * recovered; a file with syntax errors also gets one `ruleId: null` error at the first error node.
 */
export function lintText(
  parser: Parser,
  text: string,
  filePath: string,
  settings: readonly RuleSetting[],
  options: LintOptions = {},
): Problem[] {
  return lintPass(parser, text, filePath, settings, options).problems;
}

function lintPass(
  parser: Parser,
  text: string,
  filePath: string,
  settings: readonly RuleSetting[],
  options: LintOptions,
): LintPass {
  const tree: Tree = parsePython(parser, text);
  try {
    return runRules(tree, text, filePath, settings, options);
  } finally {
    tree.delete();
  }
}

function runRules(
  tree: Tree,
  text: string,
  filePath: string,
  settings: readonly RuleSetting[],
  options: LintOptions,
): LintPass {
  const root = tree.rootNode;
  const locate = lineIndex(text);
  const scopes = analyzeScopes(root);
  options.onParsed?.(filePath, scopes);
  const raw: { setting: RuleSetting; descriptor: ReportDescriptor<string> }[] = [];
  const visitors = new Map<string, { setting: RuleSetting; visit: (node: Node) => void }[]>();
  // a rule whose create() threw is off for the file; a visitor that threw skips only that node
  const crashed = new Map<RuleSetting, { error: unknown; node: Node }>();
  const failures = new Map<RuleSetting, { error: unknown; node: Node }[]>();

  for (const setting of settings) {
    const context: RuleContext<string, unknown> = {
      filePath,
      text,
      root,
      scopes,
      services: options.services,
      options: setting.options,
      report: (descriptor) => raw.push({ setting, descriptor: checkedReport(setting.rule, descriptor) }),
    };
    // A rule bug must not stop the other rules: a rule whose create() throws is off for this file, and it says so.
    let ruleVisitors: Visitors;
    try {
      ruleVisitors = setting.rule.create(context);
    } catch (error) {
      crashed.set(setting, { error, node: root });
      continue;
    }
    for (const [type, visit] of Object.entries(ruleVisitors)) {
      if (!visit) continue;
      const list = visitors.get(type) ?? [];
      list.push({ setting, visit });
      visitors.set(type, list);
    }
  }

  const comments: Comment[] = [];
  // A cursor, not recursion or `node.children`: nesting may be thousands deep, and children arrays cached on the
  // nodes would keep the whole tree alive as JS objects (hundreds of MB for a MB of dense code).
  // The cursor's own type and isNamed do not build a Node object: one is made only for a visited node or a comment.
  const cursor = root.walk();
  for (let more = true; more;) {
    const type = cursor.nodeType;
    if (type === 'comment') {
      const node = cursor.currentNode;
      comments.push({ text: node.text, line: node.startPosition.row + 1, start: node.startIndex, end: node.endIndex });
    }
    const listeners = visitors.get(type);
    if (listeners) {
      const node = cursor.currentNode;
      for (const { setting, visit } of listeners) {
        if (crashed.has(setting)) continue;
        // A rule bug must not hide findings: the crash is reported at its node, and the rule goes on with the rest.
        try {
          visit(node);
        } catch (error) {
          const list = failures.get(setting) ?? [];
          list.push({ error, node });
          failures.set(setting, list);
        }
      }
    }
    // named nodes only, in document order (anonymous ones are tokens)
    if (cursor.gotoFirstChild()) {
      while (!cursor.nodeIsNamed && cursor.gotoNextSibling());
      if (cursor.nodeIsNamed) continue;
      cursor.gotoParent();
    }
    for (;;) {
      if (cursor.gotoNextSibling()) {
        if (cursor.nodeIsNamed) break;
      } else if (!cursor.gotoParent()) {
        more = false;
        break;
      }
    }
  }
  cursor.delete();
  const hidden = hiddenComments(tree);
  if (hidden.length) {
    comments.push(...hidden.map(({ text, line, start, end }) => ({ text, line, start, end })));
    comments.sort((a, b) => a.start - b.start);
  }

  const directives = directivesOf(comments, settings, options);
  const problems: Problem[] = [];
  for (const { setting, descriptor } of raw) {
    const { rule } = setting;
    const span = problemAt(locate, descriptor.node.startIndex, descriptor.node.endIndex);
    if (directives.suppresses(rule.meta.id, span.line, span.endLine)) continue;
    const severity = (descriptor.severity ?? setting.severity) === 'error' ? 2 : 1;
    const problem: Problem = {
      ruleId: rule.meta.id,
      messageId: descriptor.messageId,
      severity,
      message: interpolate(rule.meta.messages[descriptor.messageId], descriptor.data),
      ...span,
    };
    if (descriptor.fix?.length) {
      problem.fix = mergeFixes(text, descriptor.fix);
      problem.fixSafety = descriptor.fixSafety ?? 'unsafe';
    }
    if (descriptor.related?.length) {
      problem.relatedLocations = descriptor.related.map((r) => ({
        message: r.message,
        ...problemAt(locate, r.node.startIndex, r.node.endIndex),
      }));
    }
    if (descriptor.suggest?.length) {
      problem.suggestions = descriptor.suggest.map((s) => ({
        messageId: s.messageId,
        desc: interpolate(rule.meta.messages[s.messageId], s.data),
        fix: mergeFixes(text, s.fix),
      }));
    }
    problems.push(problem);
  }

  for (const [setting, { error, node }] of crashed) {
    problems.push({
      ruleId: null,
      severity: 2,
      message: `Internal error in rule ${setting.rule.meta.id} (please report it to its authors): ${String(error)}; the rule was skipped for the rest of this file.${process.env.PYLINT_TORCH_DEBUG ? `\n${(error as Error).stack}` : ''}`,
      ...problemAt(locate, node.startIndex, node.endIndex),
    });
  }
  for (const [setting, list] of failures) {
    const shown = list.slice(0, MAX_FAILURES_SHOWN);
    shown.forEach(({ error, node }, i) => {
      const more = i === shown.length - 1 && list.length > shown.length ? list.length - shown.length : 0;
      problems.push({
        ruleId: null,
        severity: 2,
        message: `Internal error in rule ${setting.rule.meta.id} (please report it to its authors): ${String(error)}; the rule skipped this ${JSON.stringify(node.type)} node and checked the rest of the file${more ? ` (it also failed on ${more} more nodes)` : ''}.${process.env.PYLINT_TORCH_DEBUG ? `\n${(error as Error).stack}` : ''}`,
        ...problemAt(locate, node.startIndex, node.endIndex),
      });
    });
  }
  // a rule that crashed (on the file or on some node) did not finish: what it would have reported is unknown
  const ran = new Set(settings.filter((s) => !crashed.has(s) && !failures.has(s)).map((s) => s.rule.meta.id));
  problems.push(...directiveProblems(directives, locate, text, ran, options));

  const syntaxErrors = countSyntaxErrors(root);
  const first = firstSyntaxError(root);
  if (first) {
    const span = problemAt(locate, first.startIndex, first.endIndex);
    // Ruff's choice (astral-sh/ruff#12134): no fix is applied in a file that does not parse. Around an error
    // tree-sitter guesses, and the facts a fix relies on (bindings, imports, the call's arguments) may come from a
    // statement it read wrong, so even a "safe" fix elsewhere in the file is not provably safe. The fix stays
    // visible as a suggestion, applied by hand once the file parses.
    for (const problem of problems) if (problem.fix) withheld(problem, span.line);
    problems.push({
      ruleId: null,
      severity: 2,
      message: first.isMissing
        ? `Syntax error: missing ${JSON.stringify(first.type)}; rules ran on the rest of the file.`
        : `Syntax error: cannot parse ${JSON.stringify(first.text.split('\n')[0].slice(0, 40))}; rules ran on the rest of the file.`,
      ...span,
    });
  }

  return { problems: sortProblems(problems), syntaxErrors };
}

/** The suggestion's text for a fix withheld because the file has a syntax error; the line follows. */
export const WITHHELD_FIX_DESC = 'Fix not applied: the file has a syntax error (line ';

/** Turns `problem`'s fix into its first suggestion (see the syntax-error branch of `runRules`). */
function withheld(problem: Problem, errorLine: number): void {
  const { fix, fixSafety } = problem;
  delete problem.fix;
  delete problem.fixSafety;
  const desc = `${WITHHELD_FIX_DESC}${errorLine}); this ${fixSafety ?? 'unsafe'} fix can be applied by hand once it parses`;
  problem.suggestions = [{ desc, fix: fix! }, ...(problem.suggestions ?? [])];
}

/**
 * A report as the engine takes it, or an Error (caught as that rule's crash) for a rule bug, as ESLint does: a
 * messageId not in `meta.messages`, a fix without `meta.fixable: 'code'`, suggestions without `meta.hasSuggestions`.
 * A single edit given as `fix` instead of a list is taken as a list of one.
 */
function checkedReport(rule: AnyRule, descriptor: ReportDescriptor<string>): ReportDescriptor<string> {
  const { id, messages, fixable, hasSuggestions } = rule.meta;
  const known = (messageId: string) => Object.hasOwn(messages, messageId);
  if (!known(descriptor.messageId))
    throw new Error(`reported messageId '${descriptor.messageId}', which is not in meta.messages of ${id}`);
  const fix = descriptor.fix as ReportDescriptor<string>['fix'] | Fix | undefined;
  const fixes = fix === undefined ? undefined : Array.isArray(fix) ? fix : [fix];
  if (fixes?.length && fixable !== 'code') throw new Error(`${id} reported a fix without meta.fixable: 'code'`);
  if (descriptor.suggest?.length && !hasSuggestions)
    throw new Error(`${id} reported suggestions without meta.hasSuggestions`);
  const unknown = descriptor.suggest?.find((s) => !known(s.messageId));
  if (unknown) throw new Error(`suggested messageId '${unknown.messageId}', which is not in meta.messages of ${id}`);
  return fixes === descriptor.fix ? descriptor : { ...descriptor, fix: fixes };
}

/** The file's directives, with the `noqa`/`nosec` codes of the enabled rules unless the caller turned those off. */
function directivesOf(
  comments: readonly Comment[],
  settings: readonly RuleSetting[],
  options: LintOptions,
): Directives {
  const external =
    options.externalDirectives === false
      ? undefined
      : externalCodes(settings.map((s) => ({ id: s.rule.meta.id, aliases: s.rule.meta.aliases })));
  return parseDirectives(comments, knownIds(settings, options), { external });
}

/** A directive naming a rule that exists but is turned off is not a typo: the caller says which exist. */
function knownIds(settings: readonly RuleSetting[], options: LintOptions): ReadonlySet<string> {
  return options.knownRuleIds ?? new Set(settings.map((s) => s.rule.meta.id));
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(
    (a, b) => a.line - b.line || a.column - b.column || (a.ruleId ?? '').localeCompare(b.ruleId ?? ''),
  );
}

/**
 * The file's directive problems: malformed ones, unknown rule ids, and (unless `reportUnusedDisableDirectives` is
 * off) directives that suppressed nothing among the rules of `ran`.
 */
function directiveProblems(
  directives: Directives,
  locate: ReturnType<typeof lineIndex>,
  text: string,
  ran: ReadonlySet<string>,
  options: LintOptions,
): Problem[] {
  const problems: Problem[] = [];
  for (const comment of directives.malformed) {
    problems.push({
      ruleId: null,
      severity: 1,
      message:
        'Malformed pylint-torch directive: it suppresses nothing. Use `# pylint-torch: disable`, `disable=<ids>`, ' +
        '`disable-next=<ids>` or `disable-file=<ids>`.',
      ...problemAt(locate, comment.start, comment.end),
    });
  }
  for (const { ruleId, comment } of directives.unknown) {
    problems.push({
      ruleId: null,
      severity: 1,
      message: `Unknown rule '${ruleId}' in pylint-torch directive.`,
      ...problemAt(locate, comment.start, comment.end),
    });
  }
  const report = options.reportUnusedDisableDirectives ?? 'off';
  if (report === 'off') return problems;
  for (const unused of directives.unused(ran)) {
    const { directive, id } = unused;
    const where =
      directive.kind === 'disable-file'
        ? 'in this file'
        : directive.kind === 'disable-next'
          ? 'on the next line'
          : 'on its line';
    const from = id ? id.id : directive.ids === 'all' ? undefined : directive.ids.map((e) => e.id).join(', ');
    problems.push({
      ruleId: null,
      severity: report === 'error' ? 2 : 1,
      message: `Unused pylint-torch directive (no problems${from ? ` from ${from}` : ''} were reported ${where}).`,
      ...problemAt(locate, id?.start ?? directive.start, id?.end ?? directive.end),
      // a suggestion, not a fix: a directive unused in this run (some paths, some torch version, a rule crashed in
      // another run) may be needed in another, and removing it is the user's call
      suggestions: [
        {
          desc: id ? `Remove ${id.id} from the directive` : 'Remove the unused directive',
          fix: directiveRemoval(text, unused),
        },
      ],
    });
  }
  return problems;
}

/**
 * The edit that removes an unused directive, or one id of it, leaving the rest of the line as it was: another
 * comment before or after it stays; a line that held nothing but the directive goes with its newline.
 */
export function directiveRemoval(text: string, { directive, id }: UnusedDirective): Fix {
  if (id && directive.ids !== 'all') {
    const i = directive.ids.indexOf(id);
    const next = directive.ids[i + 1];
    // `a, b, c` without `b`: up to the next id; without `c`, from the end of the one before
    return next ? { range: [id.start, next.start], text: '' } : { range: [directive.ids[i - 1].end, id.end], text: '' };
  }
  const { comment } = directive;
  const before = text.slice(comment.start, directive.start);
  const after = text.slice(directive.end, comment.end);
  // `x  # pylint-torch: disable=a  # why` → `x  # why`
  if (after.trim())
    return { range: [directive.start, directive.end + after.length - after.trimStart().length], text: '' };
  // `x  # type: ignore  # pylint-torch: disable=a` → `x  # type: ignore`
  if (before.trim()) return { range: [comment.start + before.trimEnd().length, comment.end], text: '' };
  const lineStart = text.lastIndexOf('\n', comment.start - 1) + 1;
  let start = comment.start;
  while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  if (start > lineStart) return { range: [start, comment.end], text: '' };
  const newline = text.indexOf('\n', comment.end);
  return { range: [lineStart, newline === -1 ? comment.end : newline + 1], text: '' };
}

/**
 * Lints a non-Python file (Dockerfile, shell script, CI YAML, .env…) with the rules whose `text` check matches its
 * path. `#` comments carry the same suppression directives as in Python.
 */
export function lintNonPythonText(
  text: string,
  filePath: string,
  settings: readonly RuleSetting[],
  options: LintOptions = {},
): Problem[] {
  const locate = lineIndex(text);
  const directives = directivesOf(hashComments(text), settings, options);
  const problems: Problem[] = [];
  const ran = new Set<string>();
  for (const setting of settings) {
    const check = setting.rule.text;
    if (!check || !matchesTextCheck(check, filePath)) continue;
    ran.add(setting.rule.meta.id);
    check.check({
      filePath,
      text,
      report: (d) => {
        const span = problemAt(locate, d.start, d.end);
        if (directives.suppresses(setting.rule.meta.id, span.line, span.endLine)) return;
        const { messages, hasSuggestions } = setting.rule.meta;
        problems.push({
          ruleId: setting.rule.meta.id,
          messageId: d.messageId,
          severity: (d.severity ?? setting.severity) === 'error' ? 2 : 1,
          message: interpolate(messages[d.messageId], d.data),
          ...span,
          // as for Python files (checkedReport), a suggestion needs meta.hasSuggestions and a known message id
          ...(hasSuggestions &&
            d.suggest?.length && {
              suggestions: d.suggest
                .filter((s) => Object.hasOwn(messages, s.messageId))
                .map((s) => ({
                  messageId: s.messageId,
                  desc: interpolate(messages[s.messageId], s.data),
                  fix: mergeFixes(text, s.fix),
                })),
            }),
        });
      },
    });
  }
  problems.push(...directiveProblems(directives, locate, text, ran, options));
  return sortProblems(problems);
}

const matchers = new WeakMap<TextCheck<string>, (path: string) => boolean>();

/** Does a rule's `text.files` pattern match this file? Patterns are matched against the absolute path. */
export function matchesTextCheck(check: TextCheck<string>, filePath: string): boolean {
  let match = matchers.get(check);
  if (!match) matchers.set(check, (match = picomatch([...check.files], { dot: true })));
  return match(filePath.split(path.sep).join('/').replace(/^\//, ''));
}

export interface FixOutcome {
  /** The fixed text (equal to the input when nothing applied). */
  output: string;
  /** Problems remaining in `output`. */
  problems: Problem[];
  /** How many fixes were applied over all passes. */
  fixCount: number;
  /** The problems whose fixes were applied, as reported in the pass that applied them. */
  applied: Problem[];
}

/** At most this many lint-and-fix passes per file (ESLint uses the same bound). */
export const MAX_FIX_PASSES = 10;

/**
 * Lints and fixes until nothing more applies, at most {@link MAX_FIX_PASSES} passes. A pass whose output has more
 * ERROR/MISSING nodes than its input is thrown away and the loop stops, so a fix never breaks parsing.
 * `allowUnsafe` lets unsafe fixes apply (`--unsafe-fixes`).
 */
export function lintAndFix(
  parser: Parser,
  text: string,
  filePath: string,
  settings: readonly RuleSetting[],
  allowUnsafe: boolean,
  options: LintOptions = {},
): FixOutcome {
  let current = lintPass(parser, text, filePath, settings, options);
  let output = text;
  let fixCount = 0;
  const appliedProblems: Problem[] = [];
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    const fixable = current.problems.filter((p) => p.fix && (p.fixSafety === 'safe' || allowUnsafe));
    if (fixable.length === 0) break;
    const { output: next, applied } = applyFixes(
      output,
      fixable.map((p) => p.fix!),
    );
    if (next === output) break;
    const nextPass = lintPass(parser, next, filePath, settings, options);
    if (nextPass.syntaxErrors > current.syntaxErrors) break;
    output = next;
    current = nextPass;
    fixCount += applied.length;
    appliedProblems.push(...applied.map((i) => fixable[i]));
  }
  return { output, problems: current.problems, fixCount, applied: appliedProblems };
}

/**
 * The findings of a rule's binary check on one file, given what the caller read of it (`data`): file-level problems.
 */
export function binaryProblems(filePath: string, data: unknown, setting: RuleSetting): Problem[] {
  const problems: Problem[] = [];
  setting.rule.binary?.check({
    filePath,
    data,
    options: setting.options,
    report: (d) =>
      problems.push({
        ruleId: setting.rule.meta.id,
        messageId: d.messageId,
        severity: (d.severity ?? setting.severity) === 'error' ? 2 : 1,
        message: interpolate(setting.rule.meta.messages[d.messageId], d.data),
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        fileLevel: true,
      }),
  });
  return problems;
}

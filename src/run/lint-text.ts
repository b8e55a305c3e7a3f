/**
 * Linting one text in memory (ESLint's `lintText`): every built-in rule on its configured or given severity, no
 * files read, no repository index (cross-file evidence needs `lintFiles`).
 */
import { rules as builtinRules } from '../../rules';
import { lintAndFix, lintNonPythonText, lintText as lintWithEngine, matchesTextCheck } from '../engine/linter';
import type { SeveritySetting } from '../engine/rule';
import { ruleSettings } from '../project/config';
import { type LintResult, toResult } from '../report/results';
import { pythonParser } from '../syntax/parse';
import { type ProjectContext, UNKNOWN_PROJECT } from '../torch/services';
import { torchRequirementFor } from '../torch/version';
import { isNotebookPath } from '../project/notebook';
import { lintNotebook } from './lint-notebook';

export interface LintTextOptions {
  /** Where the text would live, for the result and for rules that match paths (a Dockerfile); default `text.py`. */
  filePath?: string;
  /** Apply safe fixes (and unsafe ones with `unsafeFixes`): the result carries the fixed text as `output`. */
  fix?: boolean;
  unsafeFixes?: boolean;
  /** Severity overrides by rule id, over each rule's default. */
  rules?: Readonly<Record<string, SeveritySetting>>;
  /**
   * The torch version or range the code runs on (`"2.6"`, `">=2.4,<3"`), as config `torchVersion`; default: unknown.
   */
  torchVersion?: string;
  /** Severity of directives that suppressed nothing (config `reportUnusedDisableDirectives`); default `warn`. */
  reportUnusedDisableDirectives?: SeveritySetting;
  /** Whether `# noqa` / `# nosec` comments suppress the rules they name (config `externalDirectives`); default true. */
  externalDirectives?: boolean;
}

/**
 * Lints `text` (a Python source without BOM, a Jupyter notebook's JSON when `filePath` ends with `.ipynb`, or a
 * Dockerfile/shell/YAML text when `filePath` names one). Positions are 1-based lines and columns in UTF-16 code
 * units (in a notebook, lines of the message's `cell`); `output` is present when `fix` changed the text.
 */
export async function lintText(text: string, options: LintTextOptions = {}): Promise<LintResult> {
  const filePath = options.filePath ?? 'text.py';
  const settings = ruleSettings(builtinRules, undefined, new Map(Object.entries(options.rules ?? {})));
  const knownRuleIds = new Set(builtinRules.map((r) => r.meta.id));
  const directives = {
    knownRuleIds,
    reportUnusedDisableDirectives: options.reportUnusedDisableDirectives ?? 'warn',
    externalDirectives: options.externalDirectives ?? true,
  };
  const unsafe = Boolean(options.unsafeFixes);
  if (builtinRules.some((rule) => rule.text && matchesTextCheck(rule.text, filePath))) {
    return toResult(filePath, lintNonPythonText(text, filePath, settings, directives), false);
  }
  const parser = await pythonParser();
  const services: ProjectContext = options.torchVersion
    ? { torch: torchRequirementFor('.', parser, new Map(), { spec: options.torchVersion, file: 'options' }) }
    : UNKNOWN_PROJECT;
  // a notebook's JSON text: its code cells are linted, and the fixed notebook text is the output
  if (isNotebookPath(filePath)) {
    const { fixed: _fixed, ...result } = lintNotebook(
      filePath,
      Buffer.from(text, 'utf8'),
      { fixDryRun: options.fix, unsafeFixes: unsafe },
      settings,
      { services, knownRuleIds },
      parser,
      new Map(),
    );
    return result;
  }
  if (!options.fix)
    return toResult(filePath, lintWithEngine(parser, text, filePath, settings, { services, ...directives }), unsafe);
  const outcome = lintAndFix(parser, text, filePath, settings, unsafe, { services, ...directives });
  const result = toResult(filePath, outcome.problems, unsafe);
  return outcome.output === text ? result : { ...result, output: outcome.output, fixCount: outcome.fixCount };
}

/**
 * The rule API, shaped like ESLint's: a rule is `meta` plus `create(context)`, which returns visitors keyed by
 * tree-sitter node type; visitors call `context.report(...)`. Fixes are plain data.
 */
import type { Node } from '../syntax/parse';
import type { FileScopes } from '../syntax/scope';
import type { TextEdit } from '../syntax/edits';
import { REPOSITORY_URL } from '../io/package';

/** Where the project lives (package.json `repository`); rule docs and SARIF `helpUri` point into it. */
export { REPOSITORY_URL };

/** A configured rule severity. `warn` prints as severity 1, `error` as 2 (ESLint's numbers). */
export type Severity = 'warn' | 'error';
export type SeveritySetting = 'off' | Severity;

/** One fix edit ({@link TextEdit}: `range` in 0-based UTF-16 offsets into the text without BOM, and `text`). */
export type Fix = TextEdit;

/**
 * Like Ruff: a `safe` fix keeps the program's behaviour and is applied by `--fix`; an `unsafe` fix may change it and
 * is applied only with `--unsafe-fixes`. Suggestions are never applied.
 */
export type FixSafety = 'safe' | 'unsafe';

/** JSON Schema (draft 7 subset understood by ajv) for a rule's options object. */
export type OptionsSchema = Record<string, unknown>;

export interface RuleMeta<MessageIds extends string> {
  /** The rule id users write in config and directives, e.g. `torch-load-missing-weights-only`. */
  id: string;
  /** ESLint's meta.type: `problem` (likely bug or vulnerability) or `suggestion` (better way). */
  type: 'problem' | 'suggestion';
  /** `url`: the rule's documentation; built-in rules get theirs from the id, a plugin rule only if it says. */
  docs: { description: string; url?: string };
  /** `code` when the rule can report a fix. */
  fixable?: 'code';
  hasSuggestions?: boolean;
  /** Message templates; `{{name}}` placeholders are filled from the report's `data`. */
  messages: Record<MessageIds, string>;
  /** Schema of the options object (`["warn", {options}]`); `false` when the rule takes none. */
  schema: OptionsSchema | false;
  defaultSeverity: SeveritySetting;
  /**
   * Codes other tools give the same check, so that comments users already wrote for them suppress this rule on
   * their line: `noqa` for flake8-style codes (`# noqa: TOR102`, TorchFix; `# noqa: S301`, Ruff), `nosec` for
   * Bandit test ids or names (`# nosec B614`). Matched without regard to case. Config `externalDirectives: false`
   * turns them off.
   */
  aliases?: { noqa?: readonly string[]; nosec?: readonly string[] };
  /**
   * Feeds SARIF `properties` of the rule's findings that report a vulnerability: CVSS-like score 0–10 (GitHub's
   * `security-severity`: 9.0+ Critical, 7.0–8.9 High, 4.0–6.9 Medium, below Low), precision and CWE ids.
   * `compatibility` lists the message ids whose findings claim no vulnerability (a load torch will refuse, a
   * requirement that bounds nothing, a file not inspected): SARIF reports them under the rule's twin
   * `<id>/compatibility`, without security tags or score, so code scanning shows them at their plain level
   * (see {@link reportKind}).
   */
  security?: {
    severity: number;
    precision: 'very-high' | 'high' | 'medium' | 'low';
    cwe: string[];
    compatibility?: readonly MessageIds[];
  };
}

/**
 * What a finding reports, from its rule's `meta.security` and its message id: `security` (a vulnerability: SARIF's
 * security tags and `security-severity`), `compatibility` (a message listed in `meta.security.compatibility`), or
 * `none` for a rule without security metadata (a plugin's) or a problem without a rule.
 */
export function reportKind(
  meta: Pick<RuleMeta<string>, 'security'> | undefined,
  messageId: string | undefined,
): 'security' | 'compatibility' | 'none' {
  if (!meta?.security) return 'none';
  return messageId !== undefined && meta.security.compatibility?.includes(messageId) ? 'compatibility' : 'security';
}

export interface SuggestionDescriptor<MessageIds extends string> {
  messageId: MessageIds;
  data?: Record<string, string>;
  fix: Fix[];
}

/** A related location of a finding: a node of the same file and what it has to do with the finding. */
export interface RelatedDescriptor {
  node: Node;
  message: string;
}

export interface ReportDescriptor<MessageIds extends string> {
  node: Node;
  messageId: MessageIds;
  data?: Record<string, string>;
  /** Edits that together make one fix; merged into a single `{range, text}` like ESLint's mergeFixes. */
  fix?: Fix[];
  /** Required with `fix`: see {@link FixSafety}. */
  fixSafety?: FixSafety;
  suggest?: SuggestionDescriptor<MessageIds>[];
  /**
   * Other places of the same file that explain the finding (where the untrusted data it loads comes from), each
   * with a short message: SARIF's `relatedLocations`, and `relatedLocations` in the JSON output.
   */
  related?: RelatedDescriptor[];
  /**
   * This finding's own severity, overriding the configured one: `error` for remote loads whatever the config,
   * `warn` for a call that is safe on every torch the project allows. Omit to use the configured severity.
   */
  severity?: Severity;
}

export interface RuleContext<MessageIds extends string, Options> {
  /** Absolute path of the file being linted. */
  filePath: string;
  /** The file's text without BOM; node offsets index into it. */
  text: string;
  root: Node;
  scopes: FileScopes;
  /**
   * What the caller of the linter knows beyond this file (typescript-eslint's parser services): opaque to the
   * engine; a rule family reads its own (the torch rules through `torchContext` in src/torch/services.ts).
   */
  services: unknown;
  /** The rule's options: `defaultOptions` merged with the configured object. */
  options: Options;
  report(descriptor: ReportDescriptor<MessageIds>): void;
}

/** Visitors keyed by tree-sitter node type, called in document order. */
export type Visitors = Partial<Record<string, (node: Node) => void>>;

/**
 * A finding in a non-Python file, by UTF-16 offsets into its text. Such files are never rewritten: a change to them
 * can only be offered as a suggestion (with `meta.hasSuggestions`), edits by offsets into the same text.
 */
export interface TextReportDescriptor<MessageIds extends string> {
  start: number;
  end: number;
  messageId: MessageIds;
  data?: Record<string, string>;
  severity?: Severity;
  suggest?: SuggestionDescriptor<MessageIds>[];
}

export interface TextFileContext<MessageIds extends string> {
  filePath: string;
  /** The file's text, decoded as UTF-8, without BOM. */
  text: string;
  report(descriptor: TextReportDescriptor<MessageIds>): void;
}

/** A rule's check of non-Python files (Dockerfiles, shell scripts, CI YAML…). */
export interface TextCheck<MessageIds extends string> {
  /** fast-glob / picomatch patterns, relative to a linted folder, e.g. `**\/Dockerfile`, `**\/*.sh`. */
  files: readonly string[];
  check(context: TextFileContext<MessageIds>): void;
}

/**
 * A rule's check of binary files found in the linted paths (results on the whole file, no region). The engine
 * never reads them: the caller reads each file (e.g. the checkpoint inspector) and passes what it read as `data`.
 */
export interface BinaryCheck<MessageIds extends string, Options, Data = unknown> {
  /** File extensions (with the dot) the rule looks at, from its options. */
  extensions(options: Options): readonly string[];
  /** Largest file read, in bytes, from its options. */
  maxBytes(options: Options): number;
  check(context: {
    filePath: string;
    data: Data;
    options: Options;
    report(descriptor: { messageId: MessageIds; data?: Record<string, string>; severity?: Severity }): void;
  }): void;
}

export interface RuleModule<MessageIds extends string = string, Options = unknown, Data = unknown> {
  meta: RuleMeta<MessageIds>;
  defaultOptions: Options;
  create(context: RuleContext<MessageIds, Options>): Visitors;
  /** Present when the rule also checks non-Python files. */
  text?: TextCheck<MessageIds>;
  /** Present when the rule checks binary files (checkpoints). */
  binary?: BinaryCheck<MessageIds, Options, Data>;
}

/** An untyped view of any rule, for registries and the engine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleModule<string, any, any>;

/**
 * Typed rule factory: message ids are inferred from `meta.messages`, so `context.report({messageId: 'typo'})` and a
 * suggestion with an unknown id do not compile. The docs URL is derived from the id.
 */
export function createRule<MessageIds extends string, Options = Record<string, never>, Data = unknown>(rule: {
  meta: Omit<RuleMeta<MessageIds>, 'docs' | 'security'> & {
    docs: { description: string; url?: string };
    security?: Omit<NonNullable<RuleMeta<MessageIds>['security']>, 'compatibility'> & {
      compatibility?: readonly NoInfer<MessageIds>[];
    };
  };
  defaultOptions: Options;
  create(context: RuleContext<NoInfer<MessageIds>, Options>): Visitors;
  text?: TextCheck<NoInfer<MessageIds>>;
  binary?: BinaryCheck<NoInfer<MessageIds>, Options, Data>;
}): RuleModule<MessageIds, Options, Data> {
  return {
    ...rule,
    meta: {
      ...rule.meta,
      docs: {
        ...rule.meta.docs,
        // a plugin's rule (`plugin/rule`) has no page here: its url is its own or none
        url:
          rule.meta.docs.url ??
          (rule.meta.id.includes('/') ? undefined : `${REPOSITORY_URL}/blob/main/docs/rules/${rule.meta.id}.md`),
      },
    },
  };
}

/** Fills `{{name}}` placeholders; an unknown placeholder is left as written (ESLint does the same). */
export function interpolate(template: string, data: Record<string, string> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (data && key in data ? data[key] : whole));
}

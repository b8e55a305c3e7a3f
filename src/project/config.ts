/**
 * `.pylintrc-ts.json`: which rules run at which severity, with which options, and which paths to skip.
 *
 * ```json
 * { "rules": { "torch-save-full-model": ["error", { "extraModuleBases": ["mylib.Base"] }],
 *              "torch-load-pickle-module": "off" },
 *   "ignorePatterns": ["third_party/", "**\/legacy_*.py"],
 *   "torchVersion": ">=2.6" }
 * ```
 * Every mistake is a {@link ConfigError} naming the file and the key; the CLI turns it into exit code 2.
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dangerReason, isBlocked } from '../checkpoint/dangerous';
import { looksLikeClass } from '../checkpoint/classify';
import { readRegularFile } from '../io/read';
import type { RuleSetting } from '../engine/linter';
import type { AnyRule, Severity, SeveritySetting } from '../engine/rule';
import type { KnownLoader } from '../torch/loaders';
import { allowedVersions, toPep440 } from '../torch/specifier';

export const CONFIG_FILE_NAME = '.pylintrc-ts.json';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    detail: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

/** One rule's configured value: a severity, or `[severity]`, or `[severity, options]`. */
export type RuleEntry = SeveritySetting | [SeveritySetting] | [SeveritySetting, Record<string, unknown>];

export interface Config {
  /** Absolute path of the file it came from (undefined for the built-in defaults). */
  file: string | undefined;
  /** Paths in `ignorePatterns` are relative to this folder. */
  baseDir: string;
  rules: Record<string, RuleEntry>;
  /** gitignore-style patterns. */
  ignorePatterns: string[];
  /** The torch version (`2.6`) or range (`>=2.6`) the code runs on; overrides declared requirements. */
  torchVersion?: string;
  /** Third-party loaders that wrap torch.load, by qualified name. */
  knownLoaders?: Record<string, KnownLoader>;
  /**
   * Classes (`module.Name`) the project trusts in its own checkpoints: the safe_globals fix lists them when no
   * checkpoint file shows what a load needs. Never a blocked module (sys, os, posix, nt) or a dangerous callable.
   */
  trustedGlobals?: string[];
  /**
   * The rules of the config's `plugins` (packages or paths exporting `{ rules }` made with `createRule`), in order;
   * empty without plugins. They are configured, run and fixed like built-in rules for the files this config governs.
   */
  pluginRules: AnyRule[];
  /**
   * `reportUnusedDisableDirectives`: the severity of a `# pylint-torch:` directive that suppressed nothing
   * (ESLint's linterOptions key; `true` is `warn`, `false` is `off`). Undefined: the caller's default (`warn`).
   */
  reportUnusedDisableDirectives?: SeveritySetting;
  /** `externalDirectives`: whether `# noqa` / `# nosec` comments suppress the rules they name. Default true. */
  externalDirectives?: boolean;
}

const SEVERITIES: readonly SeveritySetting[] = ['off', 'warn', 'error'];
const TOP_LEVEL_KEYS = new Set([
  '$schema',
  'plugins',
  'rules',
  'ignorePatterns',
  'torchVersion',
  'knownLoaders',
  'trustedGlobals',
  'reportUnusedDisableDirectives',
  'externalDirectives',
]);

/** `knownLoaders`: qualified name → how the loader treats weights_only (see src/torch/loaders.ts KnownLoader). */
const KNOWN_LOADERS_SCHEMA = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*)+$' },
  additionalProperties: {
    type: 'object',
    required: ['weightsOnlyDefault'],
    additionalProperties: false,
    properties: {
      weightsOnlyDefault: { enum: [true, false, 'torch'] },
      weightsOnlyParam: {
        type: 'object',
        required: ['index', 'name'],
        additionalProperties: false,
        properties: { index: { type: 'integer', minimum: -1 }, name: { type: 'string' } },
      },
      acceptsWeightsOnly: { type: 'boolean' },
    },
  },
};
/** `2.6`, `2.6.1`, or PEP 440 clauses such as `>=2.6,<3`. */
/** A torchVersion is a version (`2.6`) or a PEP 440 specifier set that allows at least one torch release. */
function validTorchVersion(spec: string): boolean {
  const ranges = toPep440(/^\d/.test(spec) ? `==${spec}` : spec);
  return ranges !== undefined && allowedVersions(ranges).length > 0;
}

/** Reads and validates a config file. Throws ConfigError for unreadable or invalid JSON and for every invalid key. */
export function loadConfig(file: string, allRules: readonly AnyRule[]): Config {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readRegularFile(absolute)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(absolute, '', `cannot read config: ${reason}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      absolute,
      '',
      `cannot read config: invalid JSON: ${jsonErrorPlace(text, (error as Error).message)}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(absolute, '', 'expected a JSON object');
  const object = raw as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!TOP_LEVEL_KEYS.has(key))
      throw new ConfigError(absolute, key, `unknown key (allowed: ${[...TOP_LEVEL_KEYS].join(', ')})`);
  }
  const rules = object.rules ?? {};
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules))
    throw new ConfigError(absolute, 'rules', 'expected an object of rule id → severity');
  const pluginRules = loadPlugins(absolute, object.plugins, allRules);
  for (const [id, entry] of Object.entries(rules))
    validateRuleEntry(absolute, id, entry, [...allRules, ...pluginRules]);
  const ignorePatterns = object.ignorePatterns ?? [];
  if (!Array.isArray(ignorePatterns) || ignorePatterns.some((p) => typeof p !== 'string')) {
    throw new ConfigError(absolute, 'ignorePatterns', 'expected an array of glob strings');
  }
  const torchVersion = object.torchVersion;
  if (torchVersion !== undefined && (typeof torchVersion !== 'string' || !validTorchVersion(torchVersion.trim()))) {
    throw new ConfigError(
      absolute,
      'torchVersion',
      `expected a version like "2.6" or a PEP 440 range like ">=2.6,<3" that allows a torch release, got ${JSON.stringify(torchVersion)}`,
    );
  }
  const knownLoaders = object.knownLoaders;
  if (knownLoaders !== undefined) {
    const validate = ajv.compile(KNOWN_LOADERS_SCHEMA);
    if (!validate(knownLoaders)) {
      const detail = (validate.errors ?? []).map((e) => `${e.instancePath || 'knownLoaders'} ${e.message}`).join('; ');
      throw new ConfigError(absolute, 'knownLoaders', `invalid: ${detail}`);
    }
  }
  const trustedGlobals = object.trustedGlobals;
  if (trustedGlobals !== undefined) {
    if (
      !Array.isArray(trustedGlobals) ||
      trustedGlobals.some((g) => typeof g !== 'string' || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(g))
    ) {
      throw new ConfigError(absolute, 'trustedGlobals', 'expected an array of dotted names like "myapp.models.Config"');
    }
    for (const name of trustedGlobals as string[]) {
      const why = isBlocked(name) ? 'its module is blocked by torch (sys, os, posix, nt)' : dangerReason(name);
      if (why) throw new ConfigError(absolute, 'trustedGlobals', `${name} must never be allowlisted: ${why}`);
      // an allowlisted function is called by the checkpoint with any arguments: only classes (CapWords) are taken
      if (!looksLikeClass(name)) {
        throw new ConfigError(
          absolute,
          'trustedGlobals',
          `${name} does not look like a class (CapWords): the fix allowlists classes only, since a checkpoint can call an allowlisted function with any arguments`,
        );
      }
    }
  }
  const unused = object.reportUnusedDisableDirectives;
  if (unused !== undefined && typeof unused !== 'boolean' && !SEVERITIES.includes(unused as SeveritySetting))
    throw new ConfigError(
      absolute,
      'reportUnusedDisableDirectives',
      `expected "off", "warn", "error", true or false, got ${JSON.stringify(unused)}`,
    );
  const externalDirectives = object.externalDirectives;
  if (externalDirectives !== undefined && typeof externalDirectives !== 'boolean')
    throw new ConfigError(
      absolute,
      'externalDirectives',
      `expected true or false, got ${JSON.stringify(externalDirectives)}`,
    );
  return {
    file: absolute,
    baseDir: path.dirname(absolute),
    rules: rules as Record<string, RuleEntry>,
    ignorePatterns,
    torchVersion: torchVersion?.trim(),
    knownLoaders: knownLoaders as Record<string, KnownLoader> | undefined,
    trustedGlobals: trustedGlobals as string[] | undefined,
    pluginRules,
    ...(unused !== undefined && {
      reportUnusedDisableDirectives: unused === true ? 'warn' : unused === false ? 'off' : (unused as SeveritySetting),
    }),
    ...(externalDirectives !== undefined && { externalDirectives }),
  };
}

/**
 * Loads `plugins`: each a package name (resolved from the config's folder, as Node resolves it) or a path relative
 * to that folder, whose module exports `rules` (or `default.rules`): an array of rules. Loading a plugin runs its
 * code, as in ESLint. Throws ConfigError for a plugin that cannot be loaded, exports no rules, has a rule without
 * `meta.id`, `meta.messages` and `create`, or a rule id that is already taken.
 */
function loadPlugins(file: string, plugins: unknown, builtin: readonly AnyRule[]): AnyRule[] {
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new ConfigError(file, 'plugins', 'expected an array of package names or paths');
  }
  const dir = path.dirname(file);
  const found: AnyRule[] = [];
  for (const spec of plugins as string[]) {
    let exported: { rules?: unknown; default?: { rules?: unknown } };
    try {
      const resolved =
        spec.startsWith('.') || path.isAbsolute(spec)
          ? require.resolve(path.resolve(dir, spec))
          : require.resolve(spec, { paths: [dir] });
      exported = require(resolved); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch (error) {
      throw new ConfigError(
        file,
        'plugins',
        `cannot load plugin ${JSON.stringify(spec)}: ${(error as Error).message.split('\n')[0]}` +
          (/\.[cm]?js$/.test(spec) && !spec.startsWith('.') ? ' (a path relative to the config starts with ./)' : ''),
      );
    }
    const rules = exported?.rules ?? exported?.default?.rules;
    if (!Array.isArray(rules) || rules.length === 0)
      throw new ConfigError(file, 'plugins', `plugin ${JSON.stringify(spec)} exports no \`rules\` (an array of rules)`);
    for (const rule of rules as AnyRule[]) {
      const id = rule?.meta?.id;
      if (typeof id !== 'string' || typeof rule.create !== 'function' || typeof rule.meta.messages !== 'object') {
        throw new ConfigError(
          file,
          'plugins',
          `plugin ${JSON.stringify(spec)} has a rule without meta.id, meta.messages or create (make rules with createRule)`,
        );
      }
      // `plugin/rule`: a plugin's ids never clash with a later built-in rule, and say where they come from
      if (!/^[a-z0-9][\w-]*\/[a-z0-9][\w-]*$/i.test(id))
        throw new ConfigError(
          file,
          'plugins',
          `plugin ${JSON.stringify(spec)}: invalid rule id ${JSON.stringify(id)} (use "plugin/rule-name")`,
        );
      if ([...builtin, ...found].some((r) => r.meta.id === id))
        throw new ConfigError(
          file,
          'plugins',
          `plugin ${JSON.stringify(spec)}: rule id ${JSON.stringify(id)} is already taken`,
        );
      found.push(rule);
    }
  }
  return found;
}

/** The nearest `.pylintrc-ts.json` in `dir` or above it, or undefined. */
export function findConfigFile(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const candidate = path.join(current, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}

/** Node's JSON.parse message with "position N" turned into a 1-based line and column. */
function jsonErrorPlace(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')} at line ${before.length} column ${before[before.length - 1].length + 1}`;
}

const ajv = new Ajv({ allErrors: true, strict: true });

function validateRuleEntry(file: string, id: string, entry: unknown, allRules: readonly AnyRule[]): void {
  const key = `rules.${id}`;
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) throw new ConfigError(file, key, `unknown rule id (known: ${allRules.map((r) => r.meta.id).join(', ')})`);
  if (Array.isArray(entry) && entry.length === 0)
    throw new ConfigError(file, key, 'expected a severity, [severity] or [severity, {options}], got []');
  const [severity, options, ...rest] = Array.isArray(entry) ? entry : [entry];
  if (!SEVERITIES.includes(severity as SeveritySetting)) {
    throw new ConfigError(file, key, `invalid severity ${JSON.stringify(severity)} (use "off", "warn" or "error")`);
  }
  if (rest.length > 0) throw new ConfigError(file, key, 'expected [severity] or [severity, {options}]');
  if (options === undefined) return;
  const error = ruleOptionsError(rule, options);
  if (error) throw new ConfigError(file, key, error);
}

/**
 * Why `options` is not a valid options object for `rule` (checked against its `meta.schema` with ajv, as config
 * files are): `this rule takes no options`, or `invalid options: <ajv's errors>`; undefined when it is valid.
 */
export function ruleOptionsError(rule: AnyRule, options: unknown): string | undefined {
  if (rule.meta.schema === false) return 'this rule takes no options';
  const validate = ajv.compile(rule.meta.schema);
  if (validate(options)) return undefined;
  const detail = (validate.errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || 'options'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`,
    )
    .join('; ');
  return `invalid options: ${detail}`;
}

/** A `--rule id:severity` flag, parsed. Throws ConfigError (file "--rule") for an unknown id or severity. */
export function parseRuleFlag(flag: string, allRules: readonly AnyRule[]): [string, SeveritySetting] {
  const match = /^([\w-]+(?:\/[\w-]+)?)\s*:\s*(\w+)$/.exec(flag.trim());
  if (!match) throw new ConfigError('--rule', flag, 'expected id:severity, e.g. torch-save-full-model:error');
  // a plugin's rule (`plugin/rule`) is known only once the configs are read: lintFiles checks it then
  if (match[1].includes('/')) validateRuleEntry('--rule', match[1], match[2], [{ meta: { id: match[1] } } as AnyRule]);
  else validateRuleEntry('--rule', match[1], match[2], allRules);
  return [match[1], match[2] as SeveritySetting];
}

/**
 * The enabled rules for files governed by `config`: each rule's default severity, overridden by the config and then
 * by `--rule` flags; options are the rule's defaults shallow-merged with the configured object.
 */
export function ruleSettings(
  allRules: readonly AnyRule[],
  config: Config | undefined,
  overrides: ReadonlyMap<string, SeveritySetting>,
): RuleSetting[] {
  const settings: RuleSetting[] = [];
  for (const rule of allRules) {
    const entry = config?.rules[rule.meta.id];
    const [configured, options] = Array.isArray(entry) ? entry : [entry, undefined];
    const severity: SeveritySetting = overrides.get(rule.meta.id) ?? configured ?? rule.meta.defaultSeverity;
    if (severity === 'off') continue;
    settings.push({
      rule,
      severity: severity as Severity,
      options: { ...(rule.defaultOptions as object), ...(options ?? {}) },
    });
  }
  return settings;
}

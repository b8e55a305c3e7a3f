/**
 * `.pylintrc-ts.json`: which rules run at which severity, with which options, and which paths to skip.
 *
 * ```json
 * { "rules": { "torch-save-full-model": ["error", { "extraModuleBases": ["mylib.Base"] }],
 *              "torch-load-pickle-module": "off" },
 *   "ignorePatterns": ["third_party/", "**\/legacy_*.py"],
 *   "torchVersion": ">=2.6" }
 * ```
 * The same keys may sit in `pyproject.toml` under `[tool.pylint-torch]`. The shape of both is
 * schema/pylintrc-ts.schema.json (shipped in the package, and the schema ajv validates with); what a schema cannot
 * say (rule ids, rule options, torch ranges, trusted classes) is checked here.
 * Every mistake is a {@link ConfigError} naming the file and the key; the CLI turns it into exit code 2.
 */
import type AjvClass from 'ajv';
import type { ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import picomatch from 'picomatch';
import type * as SmolToml from 'smol-toml';
import { dangerReason, isBlocked } from '../checkpoint/dangerous';
import { looksLikeClass } from '../checkpoint/classify';
import { packageRoot } from '../io/package';
import { FileTooLargeError, isSpecialFile, NotRegularFileError, readRegularFile } from '../io/read';
import type { RuleSetting } from '../engine/linter';
import type { AnyRule, Severity, SeveritySetting } from '../engine/rule';
import type { KnownLoader } from '../torch/loaders';
import { allowedVersions, toPep440 } from '../torch/specifier';

export const CONFIG_FILE_NAME = '.pylintrc-ts.json';
/** A `pyproject.toml` is a config when it has a `[tool.pylint-torch]` table. */
export const PYPROJECT_FILE_NAME = 'pyproject.toml';
/** The table of `pyproject.toml` that holds the config. */
export const PYPROJECT_TABLE = 'tool.pylint-torch';
/** The JSON Schema of a config, as installed with the package (draft-07). */
export const CONFIG_SCHEMA_FILE = path.join(packageRoot, 'schema', 'pylintrc-ts.schema.json');

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
  /** Paths in `ignorePatterns` are relative to this folder (that of the config that set them, with `extend`). */
  baseDir: string;
  rules: Record<string, RuleEntry>;
  /** gitignore-style patterns. */
  ignorePatterns: string[];
  /**
   * `perFileIgnores`: the rule ids that do not run on files a glob matches, each glob with the folder it is relative
   * to (that of the config that set it). In the config's order.
   */
  perFileIgnores: PerFileIgnore[];
  /** The torch version (`2.6`) or range (`>=2.6`) the code runs on; overrides declared requirements. */
  torchVersion?: string;
  /** The config file (absolute) that set `torchVersion`: this one or one it extends. */
  torchVersionFile?: string;
  /** The configs (absolute paths) this one extends, nearest first; empty without `extend`. */
  extended: string[];
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

/** One `perFileIgnores` entry: files matching `glob` (relative to `baseDir`) do not get `ruleIds`. */
export interface PerFileIgnore {
  glob: string;
  baseDir: string;
  ruleIds: string[];
}

const SEVERITIES: readonly SeveritySetting[] = ['off', 'warn', 'error'];
/** `2.6`, `2.6.1`, or PEP 440 clauses such as `>=2.6,<3`. */
/** A torchVersion is a version (`2.6`) or a PEP 440 specifier set that allows at least one torch release. */
function validTorchVersion(spec: string): boolean {
  const ranges = toPep440(/^\d/.test(spec) ? `==${spec}` : spec);
  return ranges !== undefined && allowedVersions(ranges).length > 0;
}

/**
 * Reads and validates a config file: a `.pylintrc-ts.json`-style JSON file, or a `pyproject.toml` (any `.toml`
 * file: its `[tool.pylint-torch]` table), with the configs it `extend`s. Throws ConfigError for an unreadable file,
 * invalid JSON or TOML (with the 1-based line and column), a `.toml` file without the table, an `extend` cycle, and
 * every invalid key.
 */
export function loadConfig(file: string, allRules: readonly AnyRule[]): Config {
  return loadExtending(path.resolve(file), allRules, []);
}

function loadExtending(absolute: string, allRules: readonly AnyRule[], chain: readonly string[]): Config {
  const { object, prefix } = readConfigObject(absolute);
  const fail = (key: string, detail: string): never => {
    throw new ConfigError(absolute, key ? `${prefix}${key}` : prefix.replace(/\.$/, ''), detail);
  };
  checkShape(object, fail);
  checkPatterns(object, fail);
  const dir = path.dirname(absolute);
  let base: Config | undefined;
  if (object.extend !== undefined) {
    const target = path.resolve(dir, object.extend as string);
    if ([...chain, absolute].includes(target))
      fail('extend', `extend cycle: ${[...chain, absolute, target].join(' → ')}`);
    if (!fs.existsSync(target)) fail('extend', `cannot extend ${target}: file not found`);
    base = loadExtending(target, allRules, [...chain, absolute]);
  }
  const own = loadPlugins(absolute, prefix, object.plugins, [...allRules, ...(base?.pluginRules ?? [])]);
  const pluginRules = [...(base?.pluginRules ?? []), ...own];
  const known = [...allRules, ...pluginRules];
  const rules = (object.rules ?? {}) as Record<string, unknown>;
  for (const [id, entry] of Object.entries(rules))
    validateRuleEntry(absolute, `${prefix}rules.${id}`, id, entry, known);
  const perFileIgnores = Object.entries((object.perFileIgnores ?? {}) as Record<string, string[]>).map(
    ([glob, ruleIds]) => {
      for (const id of ruleIds)
        if (!known.some((r) => r.meta.id === id))
          fail(`perFileIgnores.${glob}`, `unknown rule id ${JSON.stringify(id)} (known: ${ruleIdList(known)})`);
      return { glob, baseDir: dir, ruleIds };
    },
  );
  const torchVersion = object.torchVersion as string | undefined;
  if (torchVersion !== undefined && !validTorchVersion(torchVersion.trim()))
    fail('torchVersion', TORCH_VERSION_HINT(torchVersion));
  const trustedGlobals = object.trustedGlobals as string[] | undefined;
  for (const name of trustedGlobals ?? []) {
    const why = isBlocked(name) ? 'its module is blocked by torch (sys, os, posix, nt)' : dangerReason(name);
    if (why) fail('trustedGlobals', `${name} must never be allowlisted: ${why}`);
    // an allowlisted function is called by the checkpoint with any arguments: only classes (CapWords) are taken
    if (!looksLikeClass(name)) {
      fail(
        'trustedGlobals',
        `${name} does not look like a class (CapWords): the fix allowlists classes only, since a checkpoint can call an allowlisted function with any arguments`,
      );
    }
  }
  const ignorePatterns = object.ignorePatterns as string[] | undefined;
  const unused = object.reportUnusedDisableDirectives as SeveritySetting | boolean | undefined;
  const externalDirectives = object.externalDirectives as boolean | undefined;
  // `rules` and `perFileIgnores` merge entry by entry over the extended config's, as in ESLint; other keys replace
  const byGlob = new Map((base?.perFileIgnores ?? []).map((p) => [p.glob, p]));
  for (const entry of perFileIgnores) byGlob.delete(entry.glob);
  return {
    file: absolute,
    baseDir: ignorePatterns === undefined && base ? base.baseDir : dir,
    rules: { ...base?.rules, ...(rules as Record<string, RuleEntry>) },
    ignorePatterns: ignorePatterns ?? base?.ignorePatterns ?? [],
    perFileIgnores: [...byGlob.values(), ...perFileIgnores],
    torchVersion: torchVersion?.trim() ?? base?.torchVersion,
    torchVersionFile: torchVersion !== undefined ? absolute : base?.torchVersionFile,
    extended: base ? [base.file!, ...base.extended] : [],
    knownLoaders: (object.knownLoaders as Record<string, KnownLoader> | undefined) ?? base?.knownLoaders,
    trustedGlobals: trustedGlobals ?? base?.trustedGlobals,
    pluginRules,
    ...((unused !== undefined || base?.reportUnusedDisableDirectives !== undefined) && {
      reportUnusedDisableDirectives:
        unused === undefined
          ? base?.reportUnusedDisableDirectives
          : unused === true
            ? 'warn'
            : unused === false
              ? 'off'
              : unused,
    }),
    ...((externalDirectives ?? base?.externalDirectives) !== undefined && {
      externalDirectives: externalDirectives ?? base?.externalDirectives,
    }),
  };
}

/** The longest `ignorePatterns` entry or `perFileIgnores` glob, in UTF-16 code units (git's own limit is PATH_MAX). */
export const MAX_PATTERN_LENGTH = 4096;

/**
 * Checks that every `ignorePatterns` entry and `perFileIgnores` glob is at most {@link MAX_PATTERN_LENGTH} long and
 * compiles (the `ignore` package's and picomatch's regular expressions), calling `fail` for the first that does not:
 * a longer one costs time and memory out of all proportion, and an invalid one would fail later, mid-run.
 */
function checkPatterns(object: Record<string, unknown>, fail: (key: string, detail: string) => never): void {
  const tooLong = (pattern: string) =>
    `${JSON.stringify(pattern.slice(0, 40))}… is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`;
  ((object.ignorePatterns ?? []) as string[]).forEach((pattern, i) => {
    if (pattern.length > MAX_PATTERN_LENGTH) fail('ignorePatterns', `entry ${i + 1}: ${tooLong(pattern)}`);
    try {
      ignore().add(pattern).ignores('a');
    } catch (error) {
      fail('ignorePatterns', `entry ${i + 1} is not a valid gitignore pattern: ${(error as Error).message}`);
    }
  });
  for (const glob of Object.keys((object.perFileIgnores ?? {}) as object)) {
    if (glob.length > MAX_PATTERN_LENGTH) fail('perFileIgnores', `glob ${tooLong(glob)}`);
    try {
      picomatch(glob);
    } catch (error) {
      fail(`perFileIgnores.${glob}`, `not a valid glob: ${(error as Error).message}`);
    }
  }
}

const TORCH_VERSION_HINT = (value: unknown) =>
  `expected a version like "2.6" or a PEP 440 range like ">=2.6,<3" that allows a torch release, got ${JSON.stringify(value)}`;

/** What a top-level key expects, said plainly when the schema refuses its value. */
const EXPECTED: Record<string, string> = {
  extend: 'expected a path to another config file (relative to this one)',
  plugins: 'expected an array of package names or paths',
  rules: 'expected an object of rule id → severity',
  ignorePatterns: 'expected an array of glob strings',
  perFileIgnores: 'expected an object of glob → array of rule ids',
  trustedGlobals: 'expected an array of dotted names like "myapp.models.Config"',
  $schema: 'expected a string (a schema URL or path, for editors)',
};

/**
 * Checks `object` against schema/pylintrc-ts.schema.json and calls `fail(key, detail)` for the first problem:
 * an unknown top-level key (with the camelCase spelling when it is a kebab- or snake-case one), or a value of the
 * wrong shape. Rule entries are left to {@link validateRuleEntry}, which says more (the rule may be a plugin's).
 */
function checkShape(object: Record<string, unknown>, fail: (key: string, detail: string) => never): void {
  const { validate, keys } = configSchema();
  for (const key of Object.keys(object)) {
    if (keys.includes(key)) continue;
    const camel = key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
    fail(key, `unknown key${keys.includes(camel) ? ` (did you mean ${camel}?)` : ''} (allowed: ${keys.join(', ')})`);
  }
  if (validate(object)) return;
  for (const error of validate.errors ?? []) {
    const [key, ...rest] = error.instancePath.split('/').slice(1);
    if (key === 'rules' && rest.length > 0) continue;
    if (key === 'torchVersion') fail(key, TORCH_VERSION_HINT(object[key]));
    if (key === 'reportUnusedDisableDirectives')
      fail(key, `expected "off", "warn", "error", true or false, got ${JSON.stringify(object[key])}`);
    if (key === 'externalDirectives') fail(key, `expected true or false, got ${JSON.stringify(object[key])}`);
    if (key === 'knownLoaders') {
      const detail = (validate.errors ?? [])
        .filter((e) => e.instancePath.startsWith('/knownLoaders'))
        .map((e) => `${e.instancePath.slice('/knownLoaders'.length) || 'knownLoaders'} ${e.message}`)
        .join('; ');
      fail(key, `invalid: ${detail}`);
    }
    fail(key ?? '', EXPECTED[key] ?? `${error.instancePath} ${error.message}`);
  }
}

let schemaCache: { validate: ValidateFunction; keys: string[] } | undefined;
/** The config schema, compiled once; `keys`: its top-level keys. */
function configSchema(): { validate: ValidateFunction; keys: string[] } {
  if (!schemaCache) {
    const schema = JSON.parse(fs.readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as { properties: object };
    schemaCache = { validate: ajv().compile(schema), keys: Object.keys(schema.properties) };
  }
  return schemaCache;
}

/**
 * The config object in `file` and the prefix of its keys in messages (`tool.pylint-torch.` for a `.toml` file).
 * Throws ConfigError when the file cannot be read, is not valid JSON / TOML, is not an object, or is a
 * pyproject.toml without `[tool.pylint-torch]`.
 */
function readConfigObject(file: string): { object: Record<string, unknown>; prefix: string } {
  const text = readConfigText(file);
  // a pyproject.toml, or any other TOML file, holds the config in its [tool.pylint-torch] table
  if (file.endsWith('.toml')) {
    const table = pyprojectTable(file, text);
    if (table === undefined) throw new ConfigError(file, '', `cannot read config: no [${PYPROJECT_TABLE}] table`);
    if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new ConfigError(file, PYPROJECT_TABLE, 'expected a table');
    return { object: table as Record<string, unknown>, prefix: `${PYPROJECT_TABLE}.` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      file,
      '',
      `cannot read config: invalid JSON: ${jsonErrorPlace(text, (error as Error).message)}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(file, '', 'expected a JSON object');
  return { object: raw as Record<string, unknown>, prefix: '' };
}

/** The most bytes a config file (or a pyproject.toml looked at for one) may hold: 1 MiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The text of a config file (UTF-8, a BOM dropped). Throws ConfigError `cannot read config: …` when it is missing,
 * not a regular file (a FIFO, socket or device is never read: it would block or never end), larger than
 * {@link MAX_CONFIG_BYTES}, or unreadable.
 */
function readConfigText(file: string): string {
  try {
    return readRegularFile(file, MAX_CONFIG_BYTES)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : error instanceof NotRegularFileError
          ? 'not a regular file (a folder, FIFO, socket or device)'
          : error instanceof FileTooLargeError
            ? `larger than ${MAX_CONFIG_BYTES} bytes (1 MiB), the limit for a config file`
            : (error as Error).message;
    throw new ConfigError(file, '', `cannot read config: ${reason}`);
  }
}

/**
 * The `[tool.pylint-torch]` value of a pyproject.toml's text (read from `file` when not given), or undefined when it
 * has none. Throws ConfigError for invalid TOML, naming the 1-based line and column.
 */
function pyprojectTable(file: string, text = readConfigText(file)): unknown {
  try {
    const tool = toml().parse(text).tool as Record<string, unknown> | undefined;
    return typeof tool === 'object' && tool !== null ? tool['pylint-torch'] : undefined;
  } catch (error) {
    if (!(error instanceof toml().TomlError)) throw error;
    const reason = error.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
    throw new ConfigError(
      file,
      '',
      `cannot read config: invalid TOML: ${reason} at line ${error.line} column ${error.column}`,
    );
  }
}

/**
 * Loads `plugins`: each a package name (resolved from the config's folder, as Node resolves it) or a path relative
 * to that folder, whose module exports `rules` (or `default.rules`): an array of rules. Loading a plugin runs its
 * code, as in ESLint. Throws ConfigError for a plugin that cannot be loaded, exports no rules, has a rule without
 * `meta.id`, `meta.messages` and `create`, or a rule id that is already taken.
 */
function loadPlugins(file: string, prefix: string, plugins: unknown, builtin: readonly AnyRule[]): AnyRule[] {
  if (plugins === undefined) return [];
  const dir = path.dirname(file);
  const found: AnyRule[] = [];
  for (const spec of plugins as string[]) {
    let exported: { rules?: unknown; default?: { rules?: unknown } };
    try {
      const resolved =
        spec.startsWith('.') || path.isAbsolute(spec)
          ? require.resolve(path.resolve(dir, spec))
          : require.resolve(spec, { paths: [dir] });
      // require() of a FIFO or device would block the run or never end
      if (isSpecialFile(resolved)) throw new Error('not a regular file (a FIFO, socket or device)');
      exported = require(resolved); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch (error) {
      throw new ConfigError(
        file,
        `${prefix}plugins`,
        `cannot load plugin ${JSON.stringify(spec)}: ${(error as Error).message.split('\n')[0]}` +
          (/\.[cm]?js$/.test(spec) && !spec.startsWith('.') ? ' (a path relative to the config starts with ./)' : ''),
      );
    }
    const rules = exported?.rules ?? exported?.default?.rules;
    if (!Array.isArray(rules) || rules.length === 0)
      throw new ConfigError(
        file,
        `${prefix}plugins`,
        `plugin ${JSON.stringify(spec)} exports no \`rules\` (an array of rules)`,
      );
    for (const rule of rules as AnyRule[]) {
      // the same plugin listed by an extended config too: its rules are already there
      if (builtin.includes(rule) || found.includes(rule)) continue;
      const id = rule?.meta?.id;
      if (typeof id !== 'string' || typeof rule.create !== 'function' || typeof rule.meta.messages !== 'object') {
        throw new ConfigError(
          file,
          `${prefix}plugins`,
          `plugin ${JSON.stringify(spec)} has a rule without meta.id, meta.messages or create (make rules with createRule)`,
        );
      }
      // `plugin/rule`: a plugin's ids never clash with a later built-in rule, and say where they come from
      if (!/^[a-z0-9][\w-]*\/[a-z0-9][\w-]*$/i.test(id))
        throw new ConfigError(
          file,
          `${prefix}plugins`,
          `plugin ${JSON.stringify(spec)}: invalid rule id ${JSON.stringify(id)} (use "plugin/rule-name")`,
        );
      if ([...builtin, ...found].some((r) => r.meta.id === id))
        throw new ConfigError(
          file,
          `${prefix}plugins`,
          `plugin ${JSON.stringify(spec)}: rule id ${JSON.stringify(id)} is already taken`,
        );
      found.push(rule);
    }
  }
  return found;
}

/** Where {@link findConfigFile} found a config. */
export interface FoundConfig {
  /** The config file (absolute). */
  file: string;
  /** A pyproject.toml with `[tool.pylint-torch]` beside a `.pylintrc-ts.json`, which wins: it is not read. */
  shadowed?: string;
}

/**
 * The nearest config in `dir` or above it: a `.pylintrc-ts.json`, or else a `pyproject.toml` that has a
 * `[tool.pylint-torch]` table (one without is no config: the search goes on upward). `cache` remembers, by path,
 * whether a pyproject.toml has the table, for one run. Throws ConfigError for a pyproject.toml on the way that is not
 * valid TOML.
 */
export function findConfigFile(dir: string, cache: Map<string, boolean> = new Map()): FoundConfig | undefined {
  const hasTable = (file: string): boolean => {
    let known = cache.get(file);
    if (known === undefined) cache.set(file, (known = pyprojectHasTable(file)));
    return known;
  };
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const json = path.join(current, CONFIG_FILE_NAME);
    const pyproject = path.join(current, PYPROJECT_FILE_NAME);
    if (fs.existsSync(json)) {
      let shadowed: boolean;
      try {
        shadowed = hasTable(pyproject);
      } catch {
        shadowed = false; // the JSON config wins: the pyproject.toml is not consulted
      }
      return shadowed ? { file: json, shadowed: pyproject } : { file: json };
    }
    if (hasTable(pyproject)) return { file: pyproject };
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * Whether `file` is a pyproject.toml (a regular file) with a `[tool.pylint-torch]` table. Throws ConfigError when it
 * is not valid TOML, is a FIFO, socket or device, or is larger than {@link MAX_CONFIG_BYTES}.
 */
export function pyprojectHasTable(file: string): boolean {
  // a FIFO or device might hold a table: it is refused, not passed over for a config further up
  if (isSpecialFile(file)) readConfigText(file);
  return isRegularFile(file) && pyprojectTable(file) !== undefined;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
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

// ajv and the TOML parser load when a config (or a pyproject.toml) is first read: most runs read neither (startup)
let ajvInstance: AjvClass | undefined;
function ajv(): AjvClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as { default: typeof AjvClass }).default;
  return (ajvInstance ??= new Ajv({ allErrors: true, strict: true }));
}
const toml = (): typeof SmolToml => require('smol-toml') as typeof SmolToml; // eslint-disable-line @typescript-eslint/no-require-imports

/** The ids of `rules`, comma-separated, for messages. */
export function ruleIdList(rules: readonly AnyRule[]): string {
  return rules.map((r) => r.meta.id).join(', ');
}

function validateRuleEntry(file: string, key: string, id: string, entry: unknown, allRules: readonly AnyRule[]): void {
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) throw new ConfigError(file, key, `unknown rule id (known: ${ruleIdList(allRules)})`);
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
  const validate = ajv().compile(rule.meta.schema);
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
  const key = `rules.${match[1]}`;
  if (match[1].includes('/'))
    validateRuleEntry('--rule', key, match[1], match[2], [{ meta: { id: match[1] } } as AnyRule]);
  else validateRuleEntry('--rule', key, match[1], match[2], allRules);
  return [match[1], match[2] as SeveritySetting];
}

/** The command line's choice of rules, over every config: `--select` and `--ignore` (rule ids). */
export interface RuleSelection {
  /** Only these rules run (a rule that is off runs at its default severity). */
  select?: ReadonlySet<string>;
  /** These rules do not run (over `select`). */
  ignore?: ReadonlySet<string>;
}

/**
 * The enabled rules for `file` (absolute; omitted: any file) governed by `config`: each rule's default severity,
 * overridden by the config, then by `selection` (`--select` / `--ignore`), then by `--rule` flags (`overrides`);
 * last, the config's `perFileIgnores` that match `file` turn their rules off, whatever the command line says (as in
 * Ruff). Options are the rule's defaults shallow-merged with the configured object.
 */
export function ruleSettings(
  allRules: readonly AnyRule[],
  config: Config | undefined,
  overrides: ReadonlyMap<string, SeveritySetting>,
  file?: string,
  selection: RuleSelection = {},
): RuleSetting[] {
  const ignored = file && config ? ignoredRuleIds(config, file) : new Set<string>();
  const settings: RuleSetting[] = [];
  for (const rule of allRules) {
    const id = rule.meta.id;
    const entry = config?.rules[id];
    const [configured, options] = Array.isArray(entry) ? entry : [entry, undefined];
    let severity: SeveritySetting = configured ?? rule.meta.defaultSeverity;
    if (selection.select?.has(id) && severity === 'off')
      severity = rule.meta.defaultSeverity === 'off' ? 'warn' : rule.meta.defaultSeverity;
    if ((selection.select && !selection.select.has(id)) || selection.ignore?.has(id)) severity = 'off';
    severity = overrides.get(id) ?? severity;
    if (severity === 'off' || ignored.has(id)) continue;
    settings.push({
      rule,
      severity: severity as Severity,
      options: { ...(rule.defaultOptions as object), ...(options ?? {}) },
    });
  }
  return settings;
}

const globMatchers = new Map<string, (path: string) => boolean>();
/**
 * The rule ids `config.perFileIgnores` turn off for `file` (absolute): globs match its path relative to the folder
 * of the config that set them (`/`-separated; a glob without `/` matches the file name in any folder, as in Ruff).
 */
export function ignoredRuleIds(config: Config, file: string): Set<string> {
  const ids = new Set<string>();
  for (const { glob, baseDir, ruleIds } of config.perFileIgnores) {
    const rel = path.relative(baseDir, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    let match = globMatchers.get(glob);
    if (!match) globMatchers.set(glob, (match = picomatch(glob, { dot: true, basename: !glob.includes('/') })));
    if (match(rel.split(path.sep).join('/'))) for (const id of ruleIds) ids.add(id);
  }
  return ids;
}

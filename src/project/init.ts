/** `pylint-torch --init`: a starter `.pylintrc-ts.json` that lists every rule at its default severity. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyRule } from '../engine/rule';
import { CONFIG_FILE_NAME, ConfigError, PYPROJECT_FILE_NAME, pyprojectHasTable } from './config';

/** The starter config's text (2-space JSON, ending with a newline): every rule of `rules` at its default severity. */
export function starterConfig(rules: readonly AnyRule[]): string {
  const config = {
    rules: Object.fromEntries(rules.map((rule) => [rule.meta.id, rule.meta.defaultSeverity])),
    ignorePatterns: [],
    perFileIgnores: {},
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Writes {@link starterConfig} to `dir/.pylintrc-ts.json` and returns that path. Never overwrites: throws ConfigError
 * when the file exists, or when `dir` has a pyproject.toml with `[tool.pylint-torch]` (the new file would silently
 * take its place); also when the file cannot be written.
 */
export function writeStarterConfig(dir: string, rules: readonly AnyRule[]): string {
  const file = path.join(dir, CONFIG_FILE_NAME);
  const pyproject = path.join(dir, PYPROJECT_FILE_NAME);
  if (fs.existsSync(file)) throw new ConfigError(file, '', 'already exists; not overwritten (--init writes a new one)');
  if (pyprojectHasTable(pyproject))
    throw new ConfigError(
      pyproject,
      '',
      `already has [tool.pylint-torch]; a ${CONFIG_FILE_NAME} beside it would take its place, so none was written`,
    );
  try {
    // 'wx': fails rather than overwrite a file made meanwhile
    fs.writeFileSync(file, starterConfig(rules), { flag: 'wx' });
  } catch (error) {
    throw new ConfigError(file, '', `cannot write: ${(error as Error).message}`);
  }
  return file;
}

/** Formatting results. Formatters are pure: results and context in, text out. */
import type { LintResult } from '../results';
import type { FormatContext } from './context';
export type { FormatContext } from './context';
import { json } from './json';
import { sarif } from './sarif';
import { stylish } from './stylish';

export const formatters = {
  stylish,
  json,
  sarif,
} satisfies Record<string, (results: readonly LintResult[], context: FormatContext) => string>;

export type FormatName = keyof typeof formatters;

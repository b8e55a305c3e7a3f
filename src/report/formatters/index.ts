/** Formatting results. Formatters are pure: results and context in, text out. */
import type { LintResult } from '../results';
import type { FormatContext } from './context';
export type { FormatContext } from './context';
import { github } from './github';
import { gitlab } from './gitlab';
import { json } from './json';
import { junit } from './junit';
import { sarif } from './sarif';
import { stylish } from './stylish';

export const formatters = {
  stylish,
  json,
  sarif,
  github,
  gitlab,
  junit,
} satisfies Record<string, (results: readonly LintResult[], context: FormatContext) => string>;

export type FormatName = keyof typeof formatters;

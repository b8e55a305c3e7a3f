/**
 * Cheap textual looks over every file of a lint run before any is linted, for facts that make fixes less safe
 * anywhere in the project.
 *
 * Process-wide weakening of torch.load's default: `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` (torch 2.6+: forces
 * weights_only=False wherever a call does not pass it, torch/serialization.py) in any file, and in Python a replaced
 * loader or patched defaults. The rule torch-weights-only-override judges each site precisely; this look must see
 * every form the rule reports (its test checks that over all of the rule's cases) and may see more: a mention in a
 * comment counts too, as does a replacement that turns out harmless. That only ever makes fixes less safe, never more.
 */

import type { LiteralScan } from './checkpoint-sites';
import type { LoadSite, SaveSite } from './saves';

/** The variable in any form the rule reads: set in Python, a Dockerfile, a script, CI or compose YAML. */
const ENV = /TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD/;

/** The internals that decide the default, however they are reached: `th.load.__kwdefaults__`, `setattr(…)`. */
const DEFAULT_SWITCH = /__kwdefaults__|_default_to_weights_only/;

/**
 * A torch loader (src/torch/api.ts LOAD_FUNCTIONS) replaced under any name: an assignment to an attribute of that
 * name (`torch.load =`, `th.load =`, `serialization.load =`, `lib.checkpoint.torch.load: T =`, also spelled across
 * lines, `torch . load`, `(torch.load  # …` + `) =`), or a call that names it as a string: `setattr(…, "load", …)`,
 * `….__setattr__("load", …)`, `monkeypatch.setattr(…, "load", …)` / `("torch.load", …)`, `patch.object(…, "load",
 * …)`, `patch("torch.load", …)` (not `patch("torch.load")`, which installs a mock).
 */
const LOADER_NAME = '(?:load|load_state_dict_from_url|load_url)';
const GAP = String.raw`(?:[\s\\]|#[^\n]*\n)*`; // whitespace, line continuations and comments
const REPLACED_LOADER = new RegExp(
  String.raw`\.${GAP}${LOADER_NAME}(?:[\s\\)]|#[^\n]*\n)*(?::[^=\n]*)?=(?!=)` +
    String.raw`|(?:\bsetattr|__setattr__|\bobject|\bpatch)\s*\((?:[^()]*?,)?${GAP}` +
    String.raw`[rRuUfF]{0,2}["']{1,3}(?:[\w.]*\.)?${LOADER_NAME}["']{1,3}${GAP},`, // the rule needs a value after
);

/**
 * What a replacement must say to weaken the load: weights_only (False) or a pickle_module of its own, always by
 * these names (the rule reads keywords and plain string keys, never a computed name).
 */
const FORCED = /weights_only|pickle_module/;

/** The 1-based line of the first weakening in a file's text (`python` for .py files), or undefined. */
export function weakeningLine(text: string, python: boolean): number | undefined {
  const matches = [ENV.exec(text)?.index];
  if (python)
    matches.push(DEFAULT_SWITCH.exec(text)?.index, FORCED.test(text) ? REPLACED_LOADER.exec(text)?.index : undefined);
  const found = matches.filter((i): i is number => i !== undefined);
  if (found.length === 0) return undefined;
  const index = Math.min(...found);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The 1-based line of the first `def set_extra_state` in a Python file's text, or undefined: an nn.Module with extra
 * state puts whatever `get_extra_state` returns into its state dict (torch/nn/modules/module.py, 1.10+), so a
 * strict `load_state_dict` no longer shows that the file holds only tensors.
 */
export function extraStateLine(text: string): number | undefined {
  const match = /\bdef\s+set_extra_state\b/.exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index).split('\n').length;
}

/**
 * The whole-run facts one file's text gives (see src/run/evidence.ts): the line of its first process-wide weakening
 * ({@link weakeningLine}), of its first `set_extra_state` ({@link extraStateLine}, Python only), and its checkpoint
 * literals and their kin (Python only). A function of the file's bytes and name only, so the result cache keeps it.
 * `sites`, known once the file was parsed (only kept for a file that quotes a path or configuration key): its torch
 * save and load sites (its module summary's `saves` and `loads`, also a function of its bytes), which other files'
 * fixes read where they save or load the same path.
 */
export interface TextFacts {
  weakening?: number;
  extraState?: number;
  literals?: LiteralScan;
  sites?: { saves: SaveSite[]; loads: LoadSite[] };
}

/**
 * The {@link TextFacts} of a file's text: `text` as the pre-pass reads it (a notebook's code cells, else the bytes as
 * Latin-1), `python` for Python files and notebooks, `scan` CheckpointReferences.scan.
 */
export function textFacts(text: string, python: boolean, scan: (text: string) => LiteralScan): TextFacts {
  const facts: TextFacts = {};
  const weakening = weakeningLine(text, python);
  if (weakening !== undefined) facts.weakening = weakening;
  if (!python) return facts;
  const extraState = extraStateLine(text);
  if (extraState !== undefined) facts.extraState = extraState;
  const literals = scan(text);
  if (Object.keys(literals).length) facts.literals = literals;
  return facts;
}

/**
 * Cheap textual looks over every file of a lint run before any is linted, for facts that make fixes less safe
 * anywhere in the project.
 *
 * Process-wide weakening of torch.load's default, over every file of a lint run before any
 * is linted: `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` (torch 2.6+: forces weights_only=False wherever a call does not pass
 * it, torch/serialization.py) in any file, and in Python a replaced `torch.load` or patched defaults. A mention in a
 * comment counts too: this only ever makes fixes less safe, never more. The rule torch-weights-only-override judges
 * each site precisely.
 */

const ENV = /TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD/;
const PYTHON =
  /\btorch\.load\s*=(?!=)|partial\(\s*torch\.load\b|__kwdefaults__|_default_to_weights_only|setattr\(\s*torch\s*,\s*["']load["']/;

/** The 1-based line of the first weakening in a file's text (`python` for .py files), or undefined. */
export function weakeningLine(text: string, python: boolean): number | undefined {
  const match = ENV.exec(text) ?? (python ? PYTHON.exec(text) : null);
  if (!match) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < match.index; i = text.indexOf('\n', i + 1)) line++;
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

/**
 * What other tools call the checks of our rules, so that the `# noqa` / `# nosec` comments their users already
 * wrote suppress ours on the same line (rule meta `aliases`; docs/suppressions.md). A code is listed for a rule only
 * where that tool reports the same problem:
 * - TorchFix `TOR102`: `torch.load` without an explicit `weights_only` (pytorch-labs/torchfix,
 *   torchfix/visitors/security/__init__.py, TorchUnsafeLoadVisitor) — our missing-weights_only rule, and the
 *   `pickle_module=` rule (a load TorchFix flags whenever it has no `weights_only`).
 * - Bandit `B614` (`pytorch_load`, named `pytorch_load_save` before 1.8.3): `torch.load` unless `weights_only=True`
 *   (PyCQA/bandit, bandit/plugins/pytorch_load.py; PR #1231 dropped torch.save and accepted weights_only=True,
 *   PR #1348 limited it to torch.load and torch.serialization.load) — every rule about a torch.load call's
 *   arguments; not torch.save (no longer B614) nor torch.hub.load.
 * - Bandit `B301` (`pickle`: pickle/cPickle/dill load, loads, Unpickler; bandit/blacklists/calls.py) and its Ruff
 *   port `S301` (suspicious-pickle-usage) — the pickle loader rule.
 * Bandit B506 (yaml.load) has no rule here: nothing maps to it.
 */
export const EXTERNAL_CODES = {
  'torch-load-missing-weights-only': { noqa: ['TOR102'], nosec: ['B614', 'pytorch_load', 'pytorch_load_save'] },
  'torch-load-weights-only-false': { nosec: ['B614', 'pytorch_load', 'pytorch_load_save'] },
  'torch-load-pickle-module': { noqa: ['TOR102'], nosec: ['B614', 'pytorch_load', 'pytorch_load_save'] },
  'pickle-load-untrusted': { noqa: ['S301'], nosec: ['B301', 'pickle'] },
} as const satisfies Record<string, { noqa?: readonly string[]; nosec?: readonly string[] }>;

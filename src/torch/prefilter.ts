/**
 * The relevance prefilter (issue 12): which Python files the built-in rules cannot report anything in, so that a lint
 * run need not run them there. Conservative by construction; `--no-prefilter` turns it off.
 *
 * Why a file without a trigger word is safe to skip: every rule starts from a call, attribute or assignment whose
 * qualified name is in a fixed table (torch's loaders and savers, pickle, dill, joblib, pandas, numpy, Lightning,
 * the built-in and configured known loaders, `os.environ` with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, a receive method
 * that unpickles), and each segment of a qualified name is spelled in the file's own text (an import, an attribute,
 * a string given to `getattr` / `import_module`). The one way around that is a project name: a call of a wrapper or
 * re-exported loader defined in another module (`restore(p)` with `def restore(p): return torch.load(p)` elsewhere).
 * Those reach the file only through an import, so a file that imports anything is judged by
 * {@link callsProjectLoader}, which asks the same question the rules ask of each call (api.ts `asLoadCall`).
 */
import type { FileScopes } from '../syntax/scope';
import { asLoadCall, type LoaderResolver } from './api';

/**
 * Words (case-insensitive, anywhere in the text, comments included) without which no built-in rule reports in a
 * Python file, besides calls of project loaders. Each names a segment of the qualified names the rules look for:
 * `torch` (torch.*, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, ultralytics' torch_load, `# pylint-torch:` directives),
 * `pickle` (pickle, cPickle, _pickle, cloudpickle, ForkingPickler, pandas.read_pickle, allow_pickle), `dill`,
 * `joblib`, `numpy`, `pandas`, `recv` (receive methods that unpickle: zmq's recv_pyobj, Connection.recv),
 * `weights_only` (Lightning's loading methods are judged only when they pass it), the built-in known loaders
 * (loaders.ts BUILTIN_LOADERS: fairseq's load_checkpoint_to_cpu, TTS's load_fsspec, Lightning's cloud_io._load),
 * and the markers of suppression comments (`noqa`, `nosec`), which may be reported as unused.
 */
const TRIGGER_WORDS = [
  'torch',
  'pickle',
  'dill',
  'joblib',
  'numpy',
  'pandas',
  'recv',
  'weights_only',
  'lightning',
  'load_checkpoint_to_cpu',
  'load_fsspec',
  'cloud_io',
  'noqa',
  'nosec',
];

/** The words of {@link TRIGGER_WORDS}, for tests and docs. */
export const PREFILTER_WORDS: readonly string[] = TRIGGER_WORDS;

/**
 * A test of a Python file's text: true when some built-in rule might report in it without help from another module
 * (a trigger word, or the last segment of a configured `knownLoaders` name, appears in it).
 * `knownLoaders`: the qualified names a config adds (their last segment is spelled in any file that calls them).
 */
export function triggerTest(knownLoaders: readonly string[] = []): (text: string) => boolean {
  const words = [...TRIGGER_WORDS, ...knownLoaders.map((name) => name.split('.').pop() ?? name)];
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
  return (text) => pattern.test(text);
}

/**
 * True when the text can bind no name from another module: no `import` (which `from … import`, `__import__` and
 * `importlib.import_module` all spell). Such a file calls no project loader.
 */
export function importsNothing(text: string): boolean {
  return !text.includes('import');
}

/**
 * True when some call of the file is a torch.load-family call as the rules see it (api.ts `asLoadCall` with the
 * run's `resolveLoader`: project wrappers, re-exported loaders, known loaders).
 */
export function callsProjectLoader(scopes: FileScopes, resolveLoader: LoaderResolver | undefined): boolean {
  for (const call of scopes.module.node.descendantsOfType('call'))
    if (call && asLoadCall(call, scopes, resolveLoader)) return true;
  return false;
}

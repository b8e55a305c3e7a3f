/**
 * What may be allowlisted: the one classification of a global a checkpoint names, shared by the inspector
 * (`pylint-torch inspect` and the `checkpoint-unsafe-globals` rule), the safe_globals fix and config validation.
 *
 * A global is allowlistable only when a positive list vouches for it: torch's default table for the torch judged
 * (`allowed`), a class defined in the linted project (`project-class`), a name the project's config lists in
 * `trustedGlobals` (`trusted`), or the short reviewed {@link KNOWN_DATA} list (`known-data`). Everything else is
 * `unknown` and is never put in advice or in a fix: an allowlisted callable is called by the checkpoint's REDUCE with
 * arguments the file chooses (torch/_weights_only_unpickler.py: REDUCE calls `func(*args)` for allowlisted `func`,
 * NEWOBJ `cls.__new__(cls, *args)`, BUILD `inst.__setstate__(state)`), and a denylist of code-running names can never
 * be complete (docs/torch-facts.md "Why an allowlist beats a denylist"). The denylist (dangerous.ts) only words the
 * finding: `blocked` and `dangerous` names are errors.
 */
import { ALLOWLISTS } from './allowlists';
import { dangerReason, isBlocked } from './dangerous';

/** The status of one global name. */
export type NameStatus = 'allowed' | 'project-class' | 'trusted' | 'known-data' | 'unknown' | 'blocked' | 'dangerous';

/**
 * What vouches for globals besides torch's table and {@link KNOWN_DATA}, from the project (absent in
 * `pylint-torch inspect`, which reads no Python code; src/torch/checkpoint-sites.ts `projectVouchers` for the lint).
 */
export interface GlobalVouchers {
  /** Whether `module.Name` is a class defined in the linted project (as the loading file resolves it). */
  projectClass?: (name: string) => boolean;
  /** The config's `trustedGlobals`: names the project reviewed and trusts in its own checkpoints. */
  trusted?: readonly string[];
}

/** One reviewed entry of {@link KNOWN_DATA}. */
export interface KnownData {
  /** The names as torch records them (`module.qualname`), or a pattern over a module whose every member is alike. */
  names: readonly string[] | RegExp;
  /** Why unpickling it cannot run code the file chooses. */
  reason: string;
  /** Where that was checked. */
  source: string;
  /**
   * For names recorded under a module that not every Python has (`pathlib._local`, Python 3.13 only): the module to
   * import the object from; the allowlist entry is then `(obj, "recorded.name")` (torch 2.6+).
   */
  importFrom?: string;
}

/**
 * The reviewed list of globals that only rebuild plain data: each one's constructor (REDUCE), `__new__` (NEWOBJ) and
 * `__setstate__`/`__dict__` update (BUILD) do nothing with the file's arguments but store or parse them. Kept short
 * on purpose; anything else a checkpoint needs is `unknown` until its project lists it in `trustedGlobals`.
 *
 * Considered and left out: omegaconf's `DictConfig`/`ListConfig`/`ContainerMetadata`/`nodes.*` (their
 * `__setstate__` only updates `__dict__`, but the strings they hold are interpolations that the loading program's
 * resolvers evaluate on access — `${oc.env:…}` reads the environment, and projects register resolvers such as
 * `eval` —, and `ContainerMetadata.object_type` is a class `OmegaConf.to_object` instantiates: data chosen by the
 * file reaches code; omegaconf/basecontainer.py, omegaconf/base.py); torch.nn module classes (hundreds of
 * constructors, some taking callables: not reviewed one by one); `datetime`, `collections.deque`/`defaultdict`,
 * `builtins.frozenset`/`slice`/`range` (harmless, but no checkpoint report needs them; list them in `trustedGlobals`).
 */
export const KNOWN_DATA: readonly KnownData[] = [
  {
    names: ['argparse.Namespace'],
    reason:
      'a plain attribute holder: `Namespace(**kwargs)` only sets attributes (a positional argument is a TypeError), ' +
      'and it has no `__setstate__`, so BUILD only updates its `__dict__`',
    source: 'CPython Lib/argparse.py (`Namespace`, `_AttributeHolder`)',
  },
  {
    names: [
      'numpy.core.multiarray._reconstruct',
      'numpy._core.multiarray._reconstruct',
      'numpy.core.multiarray.scalar',
      'numpy._core.multiarray.scalar',
      'numpy.ndarray',
      'numpy.dtype',
    ],
    reason:
      "numpy's own pickle format for arrays and scalars: `_reconstruct(subtype, shape, dtype)` allocates an empty " +
      'array of an ndarray subtype (itself allowlisted), `ndarray.__setstate__` copies the raw bytes (or a list of ' +
      'already-unpickled objects) into it, `scalar(dtype, bytes)` builds one value, `dtype(code, align, copy)` and ' +
      '`dtype.__setstate__` parse a type code; numpy 2 records `numpy._core` where numpy 1 wrote `numpy.core`',
    source:
      'numpy/_core/src/multiarray/multiarraymodule.c (`array__reconstruct`, `array_scalar`), methods.c ' +
      "(`array_setstate`), descriptor.c (`arraydescr_new`, `arraydescr_setstate`); torch's own docs name these for " +
      'numpy checkpoints (docs/torch-facts.md)',
  },
  {
    names: /^numpy\.dtypes\.[A-Z][A-Za-z0-9]*DType$/,
    reason:
      "numpy >= 1.25's dtype classes (`Float64DType`…): calling one returns a dtype; torch 2.6+ checks the class of " +
      'every dtype it BUILDs, so a numpy value needs it even though the file never names it',
    source: 'numpy/dtypes.py (every public name is a dtype class), numpy/_core/src/multiarray/dtypemeta.c',
  },
  {
    names: ['pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePosixPath', 'pathlib.PureWindowsPath'],
    reason:
      'a path is pickled as `(cls, parts)`: the constructor joins strings and touches no file (a WindowsPath ' +
      'refuses to be built on POSIX); the classes have `__slots__` and no `__setstate__`',
    source: 'CPython Lib/pathlib.py, Lib/pathlib/_local.py (`PurePath.__reduce__`, `PurePath.__init__`)',
  },
  {
    names: [
      'pathlib._local.PosixPath',
      'pathlib._local.WindowsPath',
      'pathlib._local.PurePosixPath',
      'pathlib._local.PureWindowsPath',
    ],
    reason:
      'the same classes as recorded by Python 3.13, which defined them in `pathlib._local` (gone in 3.12, a stub ' +
      'in 3.14)',
    source: 'python/cpython issue #133789, pull request #133831',
    importFrom: 'pathlib',
  },
];

/** The {@link KNOWN_DATA} entry of `name`, if any. */
export function knownData(name: string): KnownData | undefined {
  return KNOWN_DATA.find((entry) =>
    entry.names instanceof RegExp ? entry.names.test(name) : entry.names.includes(name),
  );
}

/**
 * The newest torch whose default table allows `name` (`"2.10"`): torch reviewed it as data, so it is `known-data`
 * when a torch whose table lacks it is judged (`builtins.set` for torch 2.4).
 */
function tableAllowing(name: string): string | undefined {
  return [...ALLOWLISTS]
    .reverse()
    .find((t) => t.names.has(name))
    ?.version.join('.');
}

/**
 * The status of global `name` for torch's default table `allowed` (allowlists.ts, for the judged torch) and what the
 * project vouches for. Code-running names first: a project class or a `trustedGlobals` entry in a blocked or
 * dangerous module stays blocked or dangerous.
 */
export function classifyGlobal(name: string, allowed: ReadonlySet<string>, vouchers: GlobalVouchers = {}): NameStatus {
  if (isBlocked(name)) return 'blocked';
  if (dangerReason(name)) return 'dangerous';
  if (allowed.has(name)) return 'allowed';
  if (knownData(name) || tableAllowing(name)) return 'known-data';
  if (vouchers.projectClass?.(name)) return 'project-class';
  if (vouchers.trusted?.includes(name)) return 'trusted';
  return 'unknown';
}

/** Statuses that advice and fixes may allowlist. */
const ALLOWLISTABLE: ReadonlySet<string> = new Set(['allowed', 'project-class', 'trusted', 'known-data']);

/** Whether a global of this status may be put in an allowlist (advice or fix). */
export function mayAllowlist(status: string): boolean {
  return ALLOWLISTABLE.has(status);
}

/** Why a known-data name may be allowlisted (for docs and messages), or undefined. */
export function knownDataReason(name: string): string | undefined {
  const entry = knownData(name);
  if (entry) return entry.reason;
  const version = tableAllowing(name);
  return version === undefined ? undefined : `torch ${version}'s default weights_only allowlist has it`;
}

/**
 * The module to import a known-data name from when the recorded module may not exist where the file is loaded
 * (`pathlib._local.PosixPath` → `pathlib`), or undefined.
 */
export function importModuleFor(name: string): string | undefined {
  return knownData(name)?.importFrom;
}

/**
 * Builtin and standard-library classes whose names are lowercase (PEP 8 CapWords does not apply to them), accepted
 * in `trustedGlobals` by {@link looksLikeClass}.
 */
const LOWERCASE_CLASSES = new Set([
  'builtins.set',
  'builtins.frozenset',
  'builtins.complex',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.slice',
  'builtins.range',
  'collections.deque',
  'collections.defaultdict',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
]);

/**
 * Whether a name a user lists in `trustedGlobals` looks like a class (CapWords, PEP 8; a lowercase builtin class; or
 * a known-data name): a checkpoint can call an allowlisted function with any arguments, so config takes classes only.
 */
export function looksLikeClass(name: string): boolean {
  return (
    LOWERCASE_CLASSES.has(name) ||
    knownData(name) !== undefined ||
    /^_*[A-Z]/.test(name.slice(name.lastIndexOf('.') + 1))
  );
}

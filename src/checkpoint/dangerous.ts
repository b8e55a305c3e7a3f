/**
 * Callables that can run code when a pickle calls them, and modules torch's weights_only unpickler blocks outright.
 * Source: docs/torch-facts.md "Dangerous callables" and torch/_weights_only_unpickler.py 2.10 (`_blocklisted_modules`).
 */

/** Modules whose globals torch refuses even when allowlisted. */
export const BLOCKED_MODULES = ['sys', 'os', 'posix', 'nt'];

const DANGEROUS_NAMES = new Set([
  // docs/torch-facts.md
  'builtins.eval',
  'builtins.exec',
  'builtins.compile',
  'builtins.open',
  'builtins.getattr',
  'builtins.setattr',
  'builtins.__import__',
  'builtins.breakpoint',
  'operator.attrgetter',
  'operator.methodcaller',
  'functools.partial',
  'torch.storage._load_from_bytes',
  'torch.serialization.load',
  'torch.load',
  // callables that run code, load another pickle or open files when a REDUCE calls them (public pickle-gadget
  // reports: picklescan/modelscan/fickling denylists and their bypasses)
  'builtins.input',
  'builtins.delattr',
  'builtins.map',
  'builtins.filter',
  'builtins.apply',
  'builtins.execfile',
  'builtins.file',
  'builtins.reload',
  'operator.call',
  'functools.reduce',
  'types.FunctionType',
  'types.CodeType',
  'types.MethodType',
  'io.open',
  '_io.open',
  'io.FileIO',
  '_io.FileIO',
  'codecs.open',
  'platform.popen',
  'numpy.load',
  'numpy.testing._private.utils.runstring',
  'pandas.read_pickle',
  'pandas.io.pickle.read_pickle',
  'torch.jit.load',
  'torch.hub.load',
  'torch.hub.load_state_dict_from_url',
  'torch.utils.model_zoo.load_url',
  'torch.jit._serialization.load',
  'torch.hub._load_local',
  'torch.serialization._load',
  'torch.serialization._legacy_load',
  'numpy.lib.npyio.load',
  'numpy.load',
  'pydoc.pipepager',
  'pydoc.tempfilepager',
  'pydoc.locate',
  'pkgutil.resolve_name',
  'pkgutil.get_data',
  'logging.config.dictConfig',
  'logging.config.fileConfig',
  'logging.config.listen',
  'uuid._popen',
  'uuid._get_command_stdout',
  'sysconfig._parse_makefile',
]);
const DANGEROUS_MODULES = [
  // docs/torch-facts.md
  'os',
  'posix',
  'nt',
  'sys',
  'subprocess',
  'pty',
  'socket',
  'runpy',
  'importlib',
  'marshal',
  'pickle',
  'shutil',
  // process, interpreter, debugger and network access; other unpicklers (same sources as above)
  '_posixsubprocess',
  '_winapi',
  'multiprocessing',
  'asyncio',
  'concurrent',
  'signal',
  'ctypes',
  '_ctypes',
  'code',
  'codeop',
  'pdb',
  'bdb',
  'cProfile',
  'profile',
  'timeit',
  'trace',
  'webbrowser',
  'commands',
  'popen2',
  '_pickle',
  'cPickle',
  'dill',
  'cloudpickle',
  'joblib',
  'shelve',
  'urllib',
  'urllib2',
  'http',
  'httplib',
  'requests',
  'ftplib',
  'smtplib',
  'telnetlib',
  'xmlrpc',
  'torch.utils.cpp_extension',
  'torch.package',
  'torch._dynamo',
  'torch._inductor',
  'doctest',
  'imp',
  'zipimport',
  'distutils',
  'setuptools',
  'pip',
  'venv',
  'ensurepip',
  'tempfile',
  'glob',
];

/** Modules other modules commonly import under their own name, so that `pkg.mod.os.system` reaches `os.system`. */
const REACHABLE_MODULES = [
  'os',
  'sys',
  'posix',
  'nt',
  'subprocess',
  'shutil',
  'importlib',
  'builtins',
  'socket',
  'runpy',
];

const inModule = (name: string, module: string) => name === module || name.startsWith(`${module}.`);

/** True when `module.name` lies in a module torch blocks (sys, os, posix, nt). */
export function isBlocked(name: string): boolean {
  return BLOCKED_MODULES.some((m) => inModule(name, m));
}

/** Why `module.name` can run code, or undefined. */
export function dangerReason(name: string): string | undefined {
  if (DANGEROUS_NAMES.has(name))
    return name.startsWith('torch.') ? 'it unpickles again with full pickle' : 'it can call or import arbitrary code';
  const module = DANGEROUS_MODULES.find((m) => inModule(name, m));
  if (module) return `module \`${module}\` runs commands, reads files or imports code`;
  // protocol 4 names are attribute paths: `torch.serialization.os.system` reaches os through torch's own imports
  const segments = name.split('.');
  const reached = segments.slice(1, -1).find((segment) => REACHABLE_MODULES.includes(segment));
  return reached ? `it reaches module \`${reached}\` through attributes` : undefined;
}

/**
 * Callables whose names do not look like classes but that are classes or only rebuild plain data (numpy arrays and
 * scalars, builtin containers, dates): the entries an allowlist fix may write besides CapWords classes.
 */
const PLAIN_DATA_CALLABLES = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray._reconstruct',
  'numpy._core.multiarray.scalar',
  'numpy.ndarray',
  'numpy.dtype',
  'builtins.set',
  'builtins.frozenset',
  'builtins.complex',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.slice',
  'builtins.range',
  '_codecs.encode',
  'collections.deque',
  'collections.defaultdict',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
]);

/**
 * Whether a fix may put `module.name` in an allowlist: a class by its name (CapWords, PEP 8) or a known plain-data
 * callable. An allowlisted function is called by the checkpoint's REDUCE with any arguments, so none is.
 */
export function isAllowlistable(name: string): boolean {
  return PLAIN_DATA_CALLABLES.has(name) || /^_*[A-Z]/.test(name.slice(name.lastIndexOf('.') + 1));
}

/**
 * Callables that can run code when a pickle calls them, and modules torch's weights_only unpickler blocks outright.
 * Source: docs/torch-facts.md "Dangerous callables" and torch/_weights_only_unpickler.py 2.10 (`_blocklisted_modules`).
 *
 * A denylist can never be complete (docs/torch-facts.md "Why an allowlist beats a denylist"), so nothing here decides
 * whether a global may be allowlisted: that is src/checkpoint/classify.ts's positive list. This list only words the
 * finding (which names run code, error severity) and lets `torch-unsafe-safe-globals` report code-running names a
 * user allowlists by hand. A name missing from it is `unknown`, which is never advised either.
 */

/** Modules whose globals torch refuses even when allowlisted. */
export const BLOCKED_MODULES = ['sys', 'os', 'posix', 'nt'];

/** The torch functions of {@link DANGEROUS_NAMES} that load another file with full pickle (or run its code). */
const REPICKLERS = new Set([
  'torch.storage._load_from_bytes',
  'torch.serialization.load',
  'torch.load',
  'torch.jit.load',
  'torch.hub.load',
  'torch.hub.load_state_dict_from_url',
  'torch.utils.model_zoo.load_url',
  'torch.jit._serialization.load',
  'torch.hub._load_local',
  'torch.serialization._load',
  'torch.serialization._legacy_load',
]);

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
  // issue 13: code-running callables an earlier denylist missed (the C modules under their own names reach the same
  // functions: a pickle's GLOBAL imports `_operator`, `_functools` as readily as `operator`, `functools`)
  '_operator.attrgetter',
  '_operator.methodcaller',
  '_operator.call',
  '_functools.reduce',
  '_functools.partial',
  // TorchScript source compiled from a string the file holds
  'torch.jit.CompilationUnit',
  'torch._C.CompilationUnit',
  'numpy.lib._npyio_impl.load',
  // its constructor runs its argument through a shell (CPython Lib/imaplib.py `IMAP4_stream.open`: subprocess.Popen
  // with shell=True); issue 13's `--fix --unsafe-fixes` allowlisted it
  'imaplib.IMAP4_stream',
  // pandas evaluates expression strings; PyYAML's full loaders build arbitrary objects
  'pandas.eval',
  'yaml.load',
  'yaml.load_all',
  'yaml.unsafe_load',
  'yaml.unsafe_load_all',
  ...REPICKLERS,
]);
/**
 * Callables that create, truncate or fill the file (or URL) the pickle passes them: a checkpoint can overwrite any
 * file the loading process may write (issue 13: `logging.FileHandler`, `_pyio.FileIO`).
 */
const FILE_WRITERS = new Set([
  'torch.hub.download_url_to_file',
  'logging.FileHandler',
  'logging.basicConfig',
  'numpy.save',
  'numpy.savez',
  'numpy.savez_compressed',
  'numpy.savetxt',
  'numpy.memmap',
  'numpy.core.memmap',
  'numpy._core.memmap',
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
  // issue 13: modules whose callables exec code (`torch.fx.graph_module.reduce_graph_module` execs the file's
  // import block), run shells (`torch.utils.collect_env.run`), load native libraries (`torch.ops.load_library`,
  // `numpy.ctypeslib.load_library`), import files (`pydoc.importfile`, importlib's loaders under their real module
  // names, `site.addsitedir` runs .pth files), or open and truncate files (`_pyio.FileIO`, `logging.handlers`)
  'torch.fx.graph_module',
  'torch.utils.collect_env',
  'torch.ops',
  'torch._ops',
  'torch.classes',
  'torch._classes',
  'torch.hub',
  'torch.multiprocessing',
  'torch.distributed.rpc',
  'torch.testing._internal',
  'numpy.ctypeslib',
  'numpy.lib.npyio',
  'numpy.lib._npyio_impl',
  'numpy.testing',
  'numpy.f2py',
  'numpy.distutils',
  'pandas.core.computation',
  'pydoc',
  'pkgutil',
  'site',
  '_frozen_importlib',
  '_frozen_importlib_external',
  '_pyio',
  'logging.handlers',
  'logging.config',
  'idlelib',
  'antigravity',
  'cffi',
  'tarfile',
  'zipfile',
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
  if (FILE_WRITERS.has(name)) return 'it creates or overwrites the file it is given';
  if (DANGEROUS_NAMES.has(name))
    return REPICKLERS.has(name) ? 'it unpickles again with full pickle' : 'it can call or import arbitrary code';
  const module = DANGEROUS_MODULES.find((m) => inModule(name, m));
  if (module) return `module \`${module}\` runs commands, reads files or imports code`;
  // protocol 4 names are attribute paths: `torch.serialization.os.system` reaches os through torch's own imports
  const segments = name.split('.');
  const reached = segments.slice(1, -1).find((segment) => REACHABLE_MODULES.includes(segment));
  return reached ? `it reaches module \`${reached}\` through attributes` : undefined;
}

/**
 * Why an attribute path that a global resolves from its imported module (`PickleGlobal.path`, such as `pickle.loads`
 * of `torch.serialization`) can run code, or undefined. From protocol 4 the unpickler follows such a path attribute
 * by attribute, and each step may be a module the one before imported under its own name, so the rule is: the path
 * is dangerous when any of its suffixes of two segments or more, read as `module.name`, is a blocked or dangerous
 * name (`serialization.pickle.loads` → `pickle.loads`; `a.os.system` → `os.system`). A module imported under
 * another name is not seen (a denylist can never be complete; the allowlist decides what may be loaded).
 */
export function pathDangerReason(path: string): string | undefined {
  const segments = path.split('.');
  for (let i = 0; i + 1 < segments.length; i++) {
    const suffix = segments.slice(i).join('.');
    const why = isBlocked(suffix) ? 'its module is blocked by torch (sys, os, posix, nt)' : dangerReason(suffix);
    if (why) return `its attribute path reaches \`${suffix}\`: ${why}`;
  }
  return undefined;
}

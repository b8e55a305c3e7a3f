import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Python that pickles without running anything it names: `R(f, args, state)` pickles as `f args REDUCE state BUILD`
 * (the callable by reference, never called), and `fake("numpy.core.multiarray.scalar")` is a stand-in function or
 * class registered under that name, so that a pickle names numpy or any other module without importing it.
 */
const PRELUDE = [
  'import argparse, gzip, imaplib, pickle, sys, types, zipfile',
  'class R:',
  '    def __init__(self, f, args=(), state=None): self.f, self.args, self.state = f, args, state',
  '    def __reduce__(self): return (self.f, tuple(self.args)) if self.state is None else (self.f, tuple(self.args), self.state)',
  'def fake(qualified, kind="function"):',
  '    module, _, name = qualified.rpartition(".")',
  '    parts = module.split(".")',
  '    for i in range(1, len(parts) + 1):',
  '        m = ".".join(parts[:i])',
  '        if not getattr(sys.modules.get(m), "__fake__", False):',
  '            sys.modules[m] = types.ModuleType(m)',
  '            sys.modules[m].__fake__ = True',
  '    obj = type(name, (), {}) if kind == "class" else (lambda *a: None)',
  '    obj.__module__, obj.__qualname__, obj.__name__ = module, name, name',
  '    setattr(sys.modules[module], name, obj)',
  '    return obj',
].join('\n');

/**
 * A torch-zip checkpoint (`<stem>/data.pkl` at protocol 2, as torch.save writes, and `<stem>/version`) of the Python
 * expression `value`, evaluated after {@link PRELUDE}. Only pickles: nothing is ever unpickled or called.
 */
export function zipCheckpoint(value: string, stem = 'archive'): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-ckpt-'));
  const out = path.join(dir, `${stem}.pt`);
  try {
    execFileSync('python3', [
      '-c',
      [
        PRELUDE,
        `data = pickle.dumps(${value}, protocol=2)`,
        'z = zipfile.ZipFile(sys.argv[1], "w")',
        `z.writestr("${stem}/data.pkl", data)`,
        `z.writestr("${stem}/version", b"3\\n")`,
        'z.close()',
      ].join('\n'),
      out,
    ]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `imaplib.IMAP4_stream("true")`: its constructor runs its argument through a shell (CPython Lib/imaplib.py). Issue 13's
 * `--fix --unsafe-fixes` allowlisted it; now on the dangerous list.
 */
export const IMAP4_STREAM = '{"cfg": R(imaplib.IMAP4_stream, ["true"])}';

/**
 * `gzip.GzipFile("victim.txt", "wb")`: a CapWords class on no denylist whose constructor creates or truncates the
 * file it is given (CPython Lib/gzip.py): the proof that a code-running global nobody listed still gets no advice.
 */
export const UNLISTED_GZIP_FILE = '{"cfg": R(gzip.GzipFile, ["victim.txt", "wb"])}';

/** An argparse.Namespace and a numpy float64 scalar (numpy's own reduce: `scalar(dtype("f8", False, True), bytes)`). */
export const NAMESPACE_AND_NUMPY =
  '{"args": argparse.Namespace(steps=3), "lr": R(fake("numpy.core.multiarray.scalar"), ' +
  '[R(fake("numpy.dtype", "class"), ["f8", False, True], (3, "<", None, None, None, -1, -1, 0)), b"\\x9a\\x99\\x99\\x99\\x99\\x99\\xb9?"])}';

/**
 * The code-running callables issue 13 found a denylist missing (each got `needs-allowlist` and a pasteable list):
 * exec (`reduce_graph_module`), shells (`collect_env.run`), attribute and call gadgets under the C modules' names,
 * native libraries, file imports, downloads, file truncation, importlib's loaders under their real module names, and
 * numpy 2's `load`. Now on the dangerous list (for the message and for `torch-unsafe-safe-globals`); verdicts do not
 * depend on it.
 */
export const ISSUE_13_CODE_RUNNERS: readonly string[] = [
  'torch.fx.graph_module.reduce_graph_module',
  'torch.fx.graph_module.reduce_package_graph_module',
  'torch.utils.collect_env.run',
  'torch.utils.collect_env.run_and_read_all',
  '_operator.attrgetter',
  '_operator.methodcaller',
  '_functools.reduce',
  'torch.ops.load_library',
  'torch._ops.ops.load_library',
  'numpy.ctypeslib.load_library',
  'pydoc.importfile',
  'site.addsitedir',
  'torch.hub.download_url_to_file',
  'logging.FileHandler',
  '_pyio.FileIO',
  '_frozen_importlib_external.SourceFileLoader',
  '_frozen_importlib_external.SourcelessFileLoader',
  '_frozen_importlib_external.ExtensionFileLoader',
  'numpy.lib._npyio_impl.load',
];

/**
 * The tables of the untrusted-source analysis (taint.ts): calls whose result comes from outside, calls that download
 * to a path they are given, and the calls and methods a value stays untrusted through.
 */

/** What kind of outside an untrusted value comes from. */
export type SourceKind = 'command-line' | 'environment' | 'user-input' | 'download' | 'url' | 'http' | 'network';

export const URL_PREFIX = /^(https?|ftp|s3|gs|hf):\/\//i;

/** Calls whose result is downloaded or user-supplied data (or a path to it). */
export const SOURCE_CALLS: ReadonlyMap<string, readonly [string, SourceKind]> = new Map([
  ['os.getenv', ['an environment variable (os.getenv)', 'environment']],
  ['os.environ.get', ['an environment variable (os.environ.get)', 'environment']],
  ['builtins.input', ['user input (input())', 'user-input']],
  ['huggingface_hub.hf_hub_download', ['a download (hf_hub_download)', 'download']],
  ['huggingface_hub.snapshot_download', ['a download (snapshot_download)', 'download']],
  ['urllib.request.urlretrieve', ['a download (urlretrieve)', 'download']],
  ['urllib.request.urlopen', ['a download (urlopen)', 'download']],
  ['requests.get', ['a download (requests.get)', 'download']],
  ['requests.post', ['a download (requests.post)', 'download']],
  ['requests.request', ['a download (requests.request)', 'download']],
  ['httpx.get', ['a download (httpx.get)', 'download']],
  ['httpx.post', ['a download (httpx.post)', 'download']],
  ['gdown.download', ['a download (gdown.download)', 'download']],
  ['wget.download', ['a download (wget.download)', 'download']],
]);

/** HTTP client sessions: `session.get(url)` on one of these downloads like `requests.get(url)`. */
export const HTTP_SESSIONS = new Set(['requests.Session', 'requests.session', 'httpx.Client', 'httpx.AsyncClient']);
export const SESSION_METHODS = new Set(['get', 'post', 'request']);

/**
 * Calls that download to a path given as an argument: (position, keyword) of that path; position -1 for a
 * keyword-only parameter (`snapshot_download(repo_id, *, local_dir=...)`, huggingface_hub/_snapshot_download.py).
 */
export const DOWNLOAD_TO: ReadonlyMap<string, readonly [number, string]> = new Map([
  ['torch.hub.download_url_to_file', [1, 'dst']],
  ['urllib.request.urlretrieve', [1, 'filename']],
  ['gdown.download', [1, 'output']],
  ['wget.download', [1, 'out']],
  ['huggingface_hub.snapshot_download', [-1, 'local_dir']],
  ['huggingface_hub.hf_hub_download', [-1, 'local_dir']],
]);

/**
 * Calls that return data derived from their arguments (paths, file objects, buffers, listings of a folder, decoded
 * bytes): every argument is followed.
 */
export const PROPAGATING_CALLS = new Set([
  'os.path.join',
  'os.path.abspath',
  'os.path.expanduser',
  'os.path.realpath',
  'os.path.normpath',
  'os.path.dirname',
  'os.path.basename',
  'os.path.splitext',
  'os.path.split',
  'os.fspath',
  'os.listdir',
  'os.scandir',
  'os.walk',
  'glob.glob',
  'glob.iglob',
  'pathlib.Path',
  'pathlib.PurePath',
  'pathlib.PosixPath',
  'builtins.str',
  'builtins.bytes',
  'builtins.bytearray',
  'builtins.memoryview',
  'builtins.open',
  'builtins.vars',
  'builtins.sorted',
  'builtins.reversed',
  'builtins.list',
  'builtins.tuple',
  'builtins.iter',
  'builtins.next',
  'builtins.enumerate',
  'builtins.zip',
  'builtins.filter',
  'builtins.max',
  'builtins.min',
  'io.BytesIO',
  'io.open',
  'zipfile.ZipFile',
  'tarfile.open',
  'base64.b64decode',
  'base64.urlsafe_b64decode',
  'base64.decodebytes',
  'binascii.a2b_base64',
  'zlib.decompress',
  'gzip.decompress',
  'gzip.open',
  'bz2.decompress',
  'lzma.decompress',
  'codecs.decode',
]);

/** Methods whose result is derived from their object and arguments. */
export const PROPAGATING_METHODS = new Set([
  'format',
  'joinpath',
  'resolve',
  'expanduser',
  'absolute',
  'read',
  'read_bytes',
  'read_text',
  'strip',
  'replace',
  'join',
  'glob',
  'rglob',
  'iterdir',
  'as_posix',
  'with_suffix',
  'with_name',
  'with_stem',
  'relative_to',
  'open',
  'getvalue',
  'getbuffer',
  'tobytes',
  'json',
  'iter_content',
  'iter_bytes',
  'iter_lines',
  'extractfile',
]);

/** Methods whose result is derived from their object only (a key or separator argument does not make it data). */
export const OBJECT_METHODS = new Set([
  'get',
  'getlist',
  'pop',
  'values',
  'items',
  'copy',
  'decode',
  'encode',
  'lstrip',
  'rstrip',
  'lower',
  'split',
  'rsplit',
]);

/** Methods that put their arguments into their object (`chunks.append(data)`, `buf.write(data)`). */
export const MUTATING_METHODS = new Set(['append', 'extend', 'insert', 'appendleft', 'write', 'writelines']);
/** Methods that write their argument to the file their object names (`Path(p).write_bytes(data)`). */
export const WRITE_TO_PATH_METHODS = new Set(['write_bytes', 'write_text']);

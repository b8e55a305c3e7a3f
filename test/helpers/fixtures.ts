import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The checkpoint fixtures: written by test/fixtures/make_checkpoints.py (standard library only, opcode by opcode; no
 * torch) and committed. test/checkpoint/fixtures.test.ts checks that the generator still writes these very bytes.
 */
export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures', 'checkpoints');
export const FIXTURES_GENERATOR = path.join(__dirname, '..', 'fixtures', 'make_checkpoints.py');

/**
 * A copy of the test corpora (test/fixtures as `fixtures/`, the example project as `examples/`) in a fresh temporary
 * folder; returns it. In place they are governed by the repository's own .pylintrc-ts.json, which ignores
 * test/fixtures/: a run there lints nothing of them.
 */
export function copyCorpora(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-corpora-'));
  fs.cpSync(path.join(__dirname, '..', 'fixtures'), path.join(dir, 'fixtures'), { recursive: true });
  fs.cpSync(path.join(__dirname, '..', '..', 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

/** The path of one fixture. */
export const fixture = (name: string): string => path.join(FIXTURES_DIR, name);

/** Copies fixtures into `dir` (`{ 'to.pt': 'fixture.pt' }`, `to` may name a subfolder); returns `dir`. */
export function copyFixtures(dir: string, copies: Record<string, string>): string {
  for (const [to, from] of Object.entries(copies)) {
    fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    fs.copyFileSync(fixture(from), path.join(dir, to));
  }
  return dir;
}

const TENSOR = ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage'];
const TRAINING = [
  ...TENSOR,
  'argparse.Namespace',
  'numpy.core.multiarray._reconstruct',
  'numpy.ndarray',
  '_codecs.encode',
  'numpy.dtype',
  'numpy.core.multiarray.scalar',
  'myapp.models.Config',
];
const MODULE = [
  'collections.OrderedDict',
  'builtins.set',
  'torch.nn.modules.linear.Linear',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_tensor_v2',
  'torch.FloatStorage',
];

/**
 * Every global each fixture names (GLOBAL, or STACK_GLOBAL at protocol 4), Python 3 names, in the order they first
 * appear (the pickle torch reads first, then the archive's other pickles), read off the generator's values: a
 * state_dict is an OrderedDict of tensors (_rebuild_tensor_v2 of a FloatStorage persistent id); a whole module is
 * its class (NEWOBJ) with OrderedDicts of parameters (_rebuild_parameter), a set of non-persistent buffers and its
 * submodules; the training checkpoint adds an argparse.Namespace, a numpy array (_reconstruct of an ndarray whose
 * dtype is REDUCEd, its bytes by _codecs.encode), a numpy scalar and a myapp.models.Config; protocol 2 writes
 * `__builtin__` for builtins.
 */
export const FIXTURE_GLOBALS: Record<string, string[]> = {
  'state_dict.pt': TENSOR,
  'state_dict_proto4.pt': TENSOR,
  'full_model.pt': ['myapp.models.Net', ...MODULE, 'torch.nn.modules.activation.ReLU', '__main__.Head'],
  'full_model_main_only.pt': ['__main__.Head', ...MODULE],
  'training_ckpt.pt': TRAINING,
  'allowed_extras.pt': [
    'collections.OrderedDict',
    'torch._utils._rebuild_tensor_v2',
    'torch.BFloat16Storage',
    'torch.float16',
    'torch.device',
    'torch.Size',
    'builtins.set',
    '_codecs.encode',
    'builtins.bytearray',
    'builtins.complex',
    'collections.Counter',
    'torch._utils._rebuild_parameter',
    'torch.FloatStorage',
  ],
  'legacy_state_dict.pt': TENSOR,
  'legacy_training_ckpt.pt': TRAINING,
  'malicious_os_system.pt': ['posix.system'],
  'malicious_os_system_legacy.pt': ['posix.system'],
  'malicious_eval_in_dict.pt': [...TENSOR, 'builtins.eval'],
  'malicious_subprocess_proto4.pt': ['subprocess.check_output'],
  'malicious_renamed_prefix.bin': ['posix.system'],
  'malicious_deflated.pt': ['posix.system'],
  'malicious_bad_crc.pt': ['posix.system'],
  // only in the pickle after the first STOP (the first one is {"a": 1})
  'trailing_pickle_after_stop.pt': ['posix.system'],
  // data.pkl's classes (TorchScript's __torch__ names), then build_intlist in the code/*.debug_pkl pickles
  'scripted.pt': [
    '__torch__.myapp.models.Net',
    '__torch__.torch.nn.modules.linear.Linear',
    'torch._utils._rebuild_tensor_v2',
    'torch.FloatStorage',
    'collections.OrderedDict',
    '__torch__.torch.nn.modules.activation.ReLU',
    '__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear',
    'torch.jit._pickle.build_intlist',
  ],
  'plain_pickle.pkl': ['argparse.Namespace'],
};

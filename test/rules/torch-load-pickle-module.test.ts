import rule from '../../rules/torch-load-pickle-module';
import { includes, ruleTester } from '../helpers/rule-tester';

ruleTester.run('torch-load-pickle-module', rule, {
  valid: [
    'import torch\ntorch.load("a.pt", weights_only=True)\n',
    'import torch\ntorch.load("a.pt", "cpu")\n',
    'import pickle\npickle.load(f)\n',
    'import torch\ntorch.save(obj, "a.pt", pickle_module=dill)\n',
  ],
  invalid: [
    {
      name: 'keyword pickle_module',
      code: 'import pickle\nimport torch\nobj = torch.load("a.pt", pickle_module=pickle)\n',
      errors: [{ messageId: 'pickleModule', line: 3, column: 7, severity: 2, message: includes('pickle_module=pickle') }],
    },
    {
      name: 'positional pickle_module (third parameter)',
      code: 'import dill\nimport torch\nobj = torch.load("a.pt", "cpu", dill)\n',
      errors: [{ messageId: 'pickleModule', line: 3, column: 7, message: includes('pickle_module=dill') }],
    },
    {
      name: 'renamed module as in TTS',
      code: 'import pickle as pickle_tts\nfrom torch.serialization import load\nload(f, map_location="cpu", pickle_module=pickle_tts)\n',
      errors: [{ messageId: 'pickleModule', line: 3, column: 1, message: includes('`torch.serialization.load(..., pickle_module=pickle_tts)`') }],
    },
    {
      name: 'through a wrapper of this file that forwards **kwargs to torch.load (TTS load_fsspec)',
      code: [
        'import pickle as pickle_tts',
        'import torch',
        '',
        'def load_any(path, map_location=None, **kwargs):',
        '    with open(path, "rb") as f:',
        '        return torch.load(f, map_location=map_location, **kwargs)',
        '',
        'state = load_any("a.pt", map_location="cpu", pickle_module=pickle_tts)',
        '',
      ].join('\n'),
      files: {}, // the whole pipeline, which resolves the file's wrappers
      errors: [{ messageId: 'pickleModule', line: 8, column: 9, message: includes('`load_any(..., pickle_module=pickle_tts)`') }],
    },
  ],
});

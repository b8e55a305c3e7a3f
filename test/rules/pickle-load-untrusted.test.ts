import rule from '../../rules/pickle-load-untrusted';
import { includes, ruleTester } from '../helpers/rule-tester';

ruleTester.run('pickle-load-untrusted', rule, {
  valid: [
    'import pickle\nwith open("meta.pkl", "rb") as f:\n    meta = pickle.load(f)\n',
    'import pickle\n\ndef read(path):\n    with open(path, "rb") as f:\n        return pickle.load(f)\n',
    'import sys\nimport numpy as np\narr = np.load(sys.argv[1])\n',
    'import sys\nimport numpy as np\narr = np.load(sys.argv[1], allow_pickle=False)\n',
    'import sys\nimport json\ncfg = json.load(open(sys.argv[1]))\n',
    'import sys, pickle\npickle.dump(obj, open(sys.argv[1], "wb"))\n',
  ],
  invalid: [
    {
      name: 'pickle.load of a file named on the command line',
      code: 'import pickle, sys\nwith open(sys.argv[1], "rb") as f:\n    obj = pickle.load(f)\n',
      errors: [
        { messageId: 'untrusted', line: 3, column: 11, severity: 2, message: includes('`pickle.load()` on data from the command line (sys.argv) (line 2)') },
      ],
    },
    {
      name: 'pickle.loads of a download, through an alias',
      code: 'import pickle as pkl\nimport requests\nobj = pkl.loads(requests.get(url).content)\n',
      errors: [{ messageId: 'untrusted', line: 3, column: 7, message: includes('a download (requests.get)') }],
    },
    {
      name: 'joblib, pandas, dill and numpy allow_pickle on argparse paths',
      code: 'import joblib, dill\nimport pandas as pd\nimport numpy as np\nargs = parser.parse_args()\njoblib.load(args.km)\npd.read_pickle(args.frame)\ndill.load(open(args.obj, "rb"))\nnp.load(args.arr, allow_pickle=True)\nnp.load(args.arr2, None, 1)\n',
      errors: [
        { messageId: 'untrusted', line: 5, column: 1, message: includes('`joblib.load()`') },
        { messageId: 'untrusted', line: 6, column: 1, message: includes('`pandas.read_pickle()`') },
        { messageId: 'untrusted', line: 7, column: 1, message: includes('`dill.load()`') },
        { messageId: 'untrusted', line: 8, column: 1, message: includes('`numpy.load()`') },
        { messageId: 'untrusted', line: 9, column: 1, message: includes('`numpy.load()`') },
      ],
    },
    {
      name: 'torch.jit.load from a URL download and torch.package from the environment',
      code: 'import os, torch\nfrom huggingface_hub import hf_hub_download\nm = torch.jit.load(hf_hub_download("org/repo", "model.ts"))\nimp = torch.package.PackageImporter(os.environ["PKG"])\n',
      errors: [
        { messageId: 'untrusted', line: 3, column: 5, message: includes('`torch.jit.load()` on data from a download (hf_hub_download)') },
        { messageId: 'untrusted', line: 4, column: 7, message: includes('an environment variable (os.environ["PKG"])') },
      ],
    },
  ],
});

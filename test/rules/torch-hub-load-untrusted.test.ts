import rule from '../../rules/torch-hub-load-untrusted';
import { includes, ruleTester } from '../helpers/rule-tester';

ruleTester.run('torch-hub-load-untrusted', rule, {
  valid: [
    'import torch\nmodel = torch.hub.load("pytorch/vision:v0.21.0", "resnet18", weights=None)\n',
    'import torch\nmodel = torch.hub.load("snakers4/silero-vad", "silero_vad", trust_repo="check")\n',
    'import torch\nstate = torch.hub.load_state_dict_from_url(url, weights_only=True)\n',
  ],
  invalid: [
    {
      name: 'trust_repo=True is a warning at the keyword',
      code: 'import torch\nmodel = torch.hub.load("org/repo", "net", trust_repo=True)\n',
      errors: [{ messageId: 'trustRepo', line: 2, column: 43, severity: 1 }],
    },
    {
      name: 'repository from the command line is an error',
      code: 'import argparse, torch\nargs = argparse.ArgumentParser().parse_args()\nmodel = torch.hub.load(args.repo, args.model, source="github")\n',
      errors: [
        {
          messageId: 'untrustedRepo',
          line: 3,
          column: 9,
          severity: 2,
          message: includes('the command-line argument `args.repo` from argparse (line 2)'),
          related: [{ line: 2, column: 8, message: 'untrusted source: the command-line argument `args.repo` from argparse' }],
        },
      ],
    },
    {
      name: 'local directory from the environment, through an alias',
      code: 'import os\nfrom torch import hub\nnet = hub.load(repo_or_dir=os.getenv("HUB_DIR"), model="net", source="local")\n',
      errors: [{ messageId: 'untrustedRepo', line: 3, column: 7, severity: 2, message: includes('an environment variable (os.getenv)') }],
    },
  ],
});

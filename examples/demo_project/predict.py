"""Load a model and predict (demo for pylint-torch)."""
import argparse
import pickle

import torch as th

parser = argparse.ArgumentParser()
parser.add_argument("--weights", required=True)
args = parser.parse_args()

# The usual "fix" for the torch 2.6 error, on a path the user passes: an error.
model = th.load(args.weights, weights_only=False)
model.eval()

# A whole object used as a model: the weights_only=True fix is unsafe (shown, applied only with --unsafe-fixes).
backup = th.load("backup_model.pt")
backup.eval()

# pickle_module switches the safe default off and cannot be combined with weights_only=True.
legacy = th.load("legacy.pt", pickle_module=pickle)

# Weights fetched from the network default to weights_only=False on every torch version.
pretrained = th.hub.load_state_dict_from_url("https://example.com/weights/classifier.pth")
model.load_state_dict(pretrained)

# Strings and comments never match: th.load("not_a_call.pt")
print("th.load('also not a call')")

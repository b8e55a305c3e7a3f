"""Odds and ends that go wrong in real projects (demo for pylint-torch)."""
import pickle
import sys

import torch

# An allowlist that can run code: a checkpoint naming `eval` calls it even with weights_only=True.
torch.serialization.add_safe_globals([eval])

# pickle is not covered by weights_only at all; the path comes from the command line.
with open(sys.argv[1], "rb") as fh:
    stats = pickle.load(fh)

# torch.hub.load runs the repository's hubconf.py; trust_repo=True skips the prompt.
detector = torch.hub.load("someone/detector", "small", trust_repo=True)

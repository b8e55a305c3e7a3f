"""Train for a few steps and write checkpoints (demo for pylint-torch)."""
import argparse

import torch
from torch import nn

from app.models import Classifier


def train(steps: int, out: str) -> None:
    model = Classifier()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model(torch.randn(4, 8)).sum()
        loss.backward()
        optimizer.step()
    # Good: plain data only.
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "steps": steps}, f"{out}/ckpt.pt")
    export(model, f"{out}/model.pt")


def export(model: nn.Module, path: str) -> None:
    # Pickles the whole module: flagged by torch-save-full-model.
    torch.save(model, path)


def load_weights(path: str, model: Classifier) -> None:
    # The whole file goes to load_state_dict and requirements.txt says torch>=2.5: `--fix` adds weights_only=True.
    model.load_state_dict(torch.load(path, map_location="cpu"))


def resume(path: str, model: Classifier, optimizer) -> int:
    # Only entries of the file are used as state dicts; the rest is unpickled too and could hold any object, so
    # adding weights_only=True is an unsafe fix (applied only with --unsafe-fixes).
    ckpt = torch.load(path, map_location="cpu")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    return int(ckpt["steps"])


def show_run_args() -> None:
    # checkpoints/run_args.pt pickles an argparse.Namespace: with weights_only=True this load fails until that class
    # is allowlisted (checkpoint-unsafe-globals; `--fix --unsafe-fixes` wraps it in safe_globals([...])).
    run = torch.load("checkpoints/run_args.pt", weights_only=True)
    print(run["args"].steps)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--out", default=".")
    args = parser.parse_args()
    train(args.steps, args.out)

"""Torch parity for the checkpoint inspector: what the installed torch does with each file, against what
`pylint-torch inspect` says for that torch release. Prepared for a machine with a current torch (2.6+); runs on
Debian's 1.13 too (without get_unsafe_globals_in_checkpoint).

For every file under the folders given: `torch.load(f, weights_only=True)` in a subprocess, in an empty working
folder (accepted or refused, and the first line of the error), and on torch 2.6+ also
`torch.serialization.get_unsafe_globals_in_checkpoint(f)` for zip checkpoints. Never loads anything with
weights_only=False. On torch before 2.6 a TorchScript archive is not loaded at all (torch hands it to
torch.jit.load, which runs its code); the row says so. A file that leaves anything in the working folder (a payload
that ran) is reported as RAN CODE.

The inspector's verdicts come from `--inspect-json FILE` (the output of
`pylint-torch inspect --torch-version X.Y -f json DIR...`), or from running `node bin/pylint-torch.js inspect`
when node is on PATH. A row agrees when torch accepts exactly the files the inspector judges `safe`; `stricter` when torch
accepts a file the inspector does not call safe (it fails closed by design); `NO` when torch refuses a file judged
safe (a safe fix built on that verdict would break loading).

Usage: python3 scripts/torch-parity.py [--inspect-json FILE] DIR... > parity.tsv   (exit 1 on any disagreement
or RAN CODE; prints a summary line on stderr)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])

PROBE = r"""
import sys, torch
path = sys.argv[1]
try:
    torch.load(path, weights_only=True)
    print("accepted")
except Exception as error:
    text = " ".join(str(error).split()) or type(error).__name__
    # torch's message starts with general advice; what was refused follows "error:" (1.13) or "GLOBAL" (2.6+)
    for marker in ("WeightsUnpickler error:", "Unsupported global:", "error:"):
        if marker in text:
            text = text[text.index(marker):]
            break
    print("refused\t" + text[:200])
"""


def torch_result(path):
    with tempfile.TemporaryDirectory(prefix="parity-") as cwd:
        out = subprocess.run([sys.executable, "-c", PROBE, os.path.abspath(path)], cwd=cwd, capture_output=True, text=True, timeout=120)
        ran = os.listdir(cwd)
    if ran:
        return "RAN CODE", ", ".join(ran)
    line = (out.stdout.strip().splitlines() or ["refused\tno output: " + out.stderr.strip()[-200:]])[-1]
    verdict, _, detail = line.partition("\t")
    return verdict, detail


def unsafe_globals(path):
    if VERSION < (2, 6):
        return "n/a (torch < 2.6)"
    try:
        return ",".join(sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path)))
    except Exception as error:  # not a zip checkpoint, or unreadable
        return "error: " + str(error).strip().splitlines()[0][:120]


def inspections(folders, given):
    if given:
        with open(given) as f:
            return {os.path.realpath(i["filePath"]): i for i in json.load(f)}
    if not shutil.which("node"):
        sys.exit("no --inspect-json given and no node on PATH to run pylint-torch inspect")
    cli = [shutil.which("node"), os.path.join(ROOT, "bin", "pylint-torch.js"), "inspect", "--torch-version", "%d.%d" % VERSION, "-f", "json", *folders]
    out = subprocess.run(cli, capture_output=True, text=True)
    return {os.path.realpath(i["filePath"]): i for i in json.loads(out.stdout)}


def main(argv):
    given = None
    if argv[:1] == ["--inspect-json"]:
        given, argv = argv[1], argv[2:]
    judged = inspections(argv, given)
    print("\t".join(["file", "torch", "inspector", "format", "torch weights_only", "detail", "unsafe globals (2.6+)", "agrees"]))
    disagree = ran = 0
    for path, inspection in sorted(judged.items()):
        if inspection["format"] == "torchscript" and VERSION < (2, 6):
            verdict, detail = "not run", "TorchScript: torch < 2.6 would run it through torch.jit.load"
        else:
            verdict, detail = torch_result(path)
        globals_ = unsafe_globals(path) if inspection["format"] == "torch-zip" else ""
        # the inspector may be stricter than torch (it fails closed, e.g. on payloads after STOP), never more lenient
        if verdict == "not run" or (verdict == "accepted") == (inspection["verdict"] == "safe"):
            agrees = "yes"
        elif verdict == "accepted":
            agrees = "stricter"
        else:
            agrees = "NO"
        disagree += agrees == "NO"
        ran += verdict == "RAN CODE"
        print("\t".join([os.path.relpath(path), torch.__version__, inspection["verdict"], inspection["format"], verdict, detail, globals_, agrees]))
    print(f"torch {torch.__version__}: {len(judged)} files, {disagree} disagreements, {ran} ran code", file=sys.stderr)
    return 1 if disagree or ran else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Runtime proof of pylint-torch's fixes with a real torch (Debian's python3-torch 1.13: `apt-get install python3-torch`).

Writes a small project into a temporary folder, saves real checkpoints with torch, runs
`pylint-torch --fix --unsafe-fixes` over it, then runs the fixed loading scripts with torch and checks what they load.
torch 1.13 has `weights_only` but neither `safe_globals` (2.5) nor BUILD of arbitrary allowlisted classes, so the
safe_globals wrap itself cannot run here: that case is checked for the exact list only (the fixed script compiles and
names every class the checkpoint needs, and torch 1.13 refuses the first of them without it).

A second project declares torch>=1.13 and loads paths from the command line: `--fix` must leave every load (no
safe fix: the 1.13 unpickler has no BINFLOAT, one entry of a Lightning checkpoint is not the whole file, the hub
loader has no weights_only before 2.1), and the unsafe fixes show why: an optimizer's state dict and a checkpoint
holding argparse.Namespace are refused by torch 1.13 with weights_only=True, a module's state dict loads.

Usage: /usr/bin/python3 scripts/runtime-proof.py   (from the repository root, after `npm ci`; prints a table, exits 1
on any mismatch). Never loads a checkpoint with weights_only=False.
"""
import os
import pickle
import py_compile
import subprocess
import sys
import tempfile
import textwrap
import zipfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = [os.environ.get("NODE", "node"), os.path.join(ROOT, "bin", "pylint-torch.js")]

MODEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def reference():
    torch.manual_seed(0)
    return Net()
"""

SAVE = """
import argparse
import torch
from model import reference

net = reference()
torch.save(net.state_dict(), "sd.pt")
torch.save({"weights": net.state_dict(), "step": 7, "name": "demo"}, "plain.pt")
torch.save({"weights": net.state_dict(), "args": argparse.Namespace(epochs=3, name="demo")}, "ckpt.pt")
"""

# loading scripts as a user writes them: no weights_only anywhere
LOADERS = {
    # the result goes to load_state_dict: safe fix
    "load_sd.py": """
        import torch
        from model import Net, reference

        sd = torch.load("sd.pt")
        net = Net()
        net.load_state_dict(sd)
        ref = reference()
        print(all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), ref.state_dict().values())))
    """,
    # used as an object, but the checkpoint file in the repository loads with weights_only=True: safe fix by evidence
    "load_plain.py": """
        import torch
        from model import reference

        ckpt = torch.load("plain.pt")
        ref = reference().state_dict()
        print(ckpt["step"] == 7 and ckpt["name"] == "demo" and all(torch.equal(ckpt["weights"][k], ref[k]) for k in ref))
    """,
    # a checkpoint that pickles argparse.Namespace: the unsafe safe_globals wrap
    "load_ckpt.py": """
        import torch

        ckpt = torch.load("ckpt.pt")
        print(ckpt["args"].epochs)
    """,
    # a malicious file: the unsafe fix makes torch refuse it instead of running it
    "load_evil.py": """
        import os
        import torch

        try:
            torch.load("evil.pt")
            print("loaded")
        except Exception as error:
            print(type(error).__name__, os.path.exists("pwned"))
    """,
}


def evil_checkpoint(path):
    """A torch-zip file whose data.pkl calls posix.system("touch pwned") (written by hand; never loaded unsafely)."""
    payload = b"\x80\x02cposix\nsystem\nX\x0b\x00\x00\x00touch pwned\x85R."
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("evil/data.pkl", payload)
        zf.writestr("evil/version", b"3\n")


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


# Phase 2: a project that declares torch>=1.13, whose weights_only unpickler has no BINFLOAT. The paths come from
# the command line, so the code alone is the evidence. Each case: what `--fix` (safe only) must leave, and what
# torch 1.13 does with the file once weights_only=True is added (`--fix --unsafe-fixes`).
SAVE_113 = """
import argparse
import torch
from model import reference

net = reference()
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
torch.save(net.state_dict(), "sd.pt")
torch.save(opt.state_dict(), "optim.pt")
torch.save({"state_dict": net.state_dict(), "hyper_parameters": argparse.Namespace(lr=0.1), "global_step": 7}, "lightning.ckpt")
"""

LOADERS_113 = {
    # the whole file to a module's load_state_dict: unsafe on torch>=1.13 (the file might hold floats), loads here
    "whole_sd.py": ("sd.pt", """
        import sys
        import torch
        from model import Net

        net = Net()
        net.load_state_dict(torch.load(sys.argv[1]))
        print("loaded")
    """),
    # the whole file to an optimizer's load_state_dict: the floats it holds are why the fix is not safe on 1.13
    "whole_optim.py": ("optim.pt", """
        import sys
        import torch
        from model import Net

        opt = torch.optim.SGD(Net().parameters(), lr=0.5)
        opt.load_state_dict(torch.load(sys.argv[1]))
        print("loaded")
    """),
    # one entry used as a state dict (a Lightning checkpoint): the rest of the file is unpickled too
    "one_entry.py": ("lightning.ckpt", """
        import sys
        import torch
        from model import Net

        pl_sd = torch.load(sys.argv[1], map_location="cpu")
        step = pl_sd["global_step"]
        net = Net()
        net.load_state_dict(pl_sd["state_dict"])
        print("loaded")
    """),
}


def last_line(out):
    text = (out.stdout.strip() or out.stderr.strip() or "(no output)").splitlines()[-1]
    return text if out.returncode == 0 else text.split(":")[0].split(".")[-1]


def phase_113():
    """Returns (rows, failures): no safe fix in the torch>=1.13 project, and the reason each unsafe one is unsafe."""
    rows, failures = [], 0
    with tempfile.TemporaryDirectory(prefix="pylint-torch-proof-113-") as project:
        for name, text in {"model.py": MODEL, "save.py": SAVE_113, "requirements.txt": "torch>=1.13\n"}.items():
            with open(os.path.join(project, name), "w") as f:
                f.write(text)
        for name, (_, code) in LOADERS_113.items():
            with open(os.path.join(project, name), "w") as f:
                f.write(textwrap.dedent(code).lstrip())
        # a hub load: torch 1.13's load_state_dict_from_url has no weights_only, so no fix at all on torch>=1.13
        with open(os.path.join(project, "hub.py"), "w") as f:
            f.write('import torch\nsd = torch.hub.load_state_dict_from_url("https://example.com/w.pth")\nprint(len(sd))\n')
        subprocess.run([sys.executable, "save.py"], cwd=project, check=True)
        originals = {name: open(os.path.join(project, name)).read() for name in [*LOADERS_113, "hub.py"]}
        run(CLI + ["--fix", "."], project)
        kept = [name for name in originals if open(os.path.join(project, name)).read() == originals[name]]
        failures += len(kept) != len(originals)
        run(CLI + ["--fix", "--unsafe-fixes", "."], project)
        expected = {"whole_sd.py": "loaded", "whole_optim.py": "UnpicklingError", "one_entry.py": "UnpicklingError"}
        for name, (checkpoint, _) in LOADERS_113.items():
            fixed = open(os.path.join(project, name)).read()
            py_compile.compile(os.path.join(project, name), doraise=True)
            result = last_line(run([sys.executable, name, checkpoint], project))
            ok = name in kept and "weights_only=True" in fixed and result == expected[name]
            rows.append((name, name in kept, "unsafe: weights_only=True" if "weights_only=True" in fixed else fixed, result))
            failures += not ok
        hub_kept = open(os.path.join(project, "hub.py")).read() == originals["hub.py"]
        import inspect
        has_keyword = "weights_only" in inspect.signature(torch.hub.load_state_dict_from_url).parameters
        rows.append(("hub.py", hub_kept, "none (keyword from 2.1)", f"keyword on {torch.__version__}: {has_keyword}"))
        failures += not hub_kept or has_keyword
    return rows, failures


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pylint-torch-proof-") as project:
        with open(os.path.join(project, "model.py"), "w") as f:
            f.write(MODEL)
        with open(os.path.join(project, "save.py"), "w") as f:
            f.write(SAVE)
        for name, code in LOADERS.items():
            with open(os.path.join(project, name), "w") as f:
                f.write(textwrap.dedent(code).lstrip())
        # the project declares torch >= 2.5 so that the safe_globals fix may be written
        with open(os.path.join(project, "requirements.txt"), "w") as f:
            f.write("torch>=2.5\n")
        subprocess.run([sys.executable, "save.py"], cwd=project, check=True)
        evil_checkpoint(os.path.join(project, "evil.pt"))

        fix = run(CLI + ["--fix", "--unsafe-fixes", "--show-fixes", "-f", "json", "."], project)
        print(fix.stderr, end="")
        originals = {name: textwrap.dedent(code).lstrip() for name, code in LOADERS.items()}
        rows = []
        for name in LOADERS:
            path = os.path.join(project, name)
            fixed = open(path).read()
            py_compile.compile(path, doraise=True)
            changed = fixed != originals[name]
            if name == "load_ckpt.py":
                # torch 1.13 cannot run safe_globals; check the list and that 1.13 refuses the class it names
                ok = "with safe_globals([Namespace]):" in fixed and "weights_only=True" in fixed
                try:
                    torch.load(os.path.join(project, "ckpt.pt"), weights_only=True)
                    refused = "loaded"
                except pickle.UnpicklingError as error:
                    refused = "argparse.Namespace" in str(error) and "refuses argparse.Namespace"
                rows.append((name, changed, "wrap with [Namespace]" if ok else fixed, refused))
                failures += not (ok and refused)
                continue
            out = run([sys.executable, name], project)
            result = (out.stdout.strip() or out.stderr.strip().splitlines()[-1]) if out.returncode == 0 else out.stderr.strip().splitlines()[-1]
            expected = {"load_sd.py": "True", "load_plain.py": "True", "load_evil.py": "UnpicklingError False"}[name]
            ok = changed and "weights_only=True" in fixed and result == expected
            rows.append((name, changed, "weights_only=True", result))
            failures += not ok
        second = run(CLI + ["--fix-dry-run", "--unsafe-fixes", "-f", "json", "."], project)
        again = [r for r in __import__("json").loads(second.stdout) if "output" in r]
        print(f"torch {torch.__version__}; project {project}")
        print(f"{'script':<16} {'fixed':<6} {'fix':<24} result")
        for name, changed, what, result in rows:
            print(f"{name:<16} {str(changed):<6} {what:<24} {result}")
        print(f"second --fix run would change {len(again)} file(s)")
        failures += len(again) > 0
    rows, failed = phase_113()
    failures += failed
    print("project declaring torch>=1.13 (paths from sys.argv: the code is the only evidence)")
    print(f"{'script':<16} {'--fix kept':<11} {'fix':<26} result on torch {torch.__version__}")
    for name, kept, what, result in rows:
        print(f"{name:<16} {str(kept):<11} {what:<26} {result}")
    print("OK" if failures == 0 else f"{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

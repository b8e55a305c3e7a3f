#!/usr/bin/env python3
"""Oracle: compares `pylint-torch inspect` with what the installed torch does with each file (issue 13, item 8).

    python3 scripts/oracle.py [--timeout S] [--json FILE] PATH...

Every regular file under PATH is loaded with ``torch.load(f, weights_only=True, map_location="cpu")`` -- never
``weights_only=False``, never plain pickle -- in a child process (restarted after a hang, a crash, or a file that ran
code), with an audit hook (PEP 578) installed after torch is imported: an event that only code running from the
file would raise (a shell, a process, exec/compile, a native library, a socket, a file opened for writing or
removed) is recorded and refused with an exception, so a payload is seen but never takes effect. The same files are
inspected with the built CLI (``node bin/pylint-torch.js inspect -f json --torch-version <installed>``; run
``node scripts/build.js`` first).

A file fails when
  * torch accepts it, or raises, after code from it ran, and our verdict is not ``dangerous``;
  * torch accepts it although our verdict is ``dangerous`` because of a denylisted global in what we say torch
    reads (before the STOP of the pickle torch unpickles): a hole in torch that the hook missed, or a false alarm;
  * our verdict is ``safe`` and torch refuses it, and our messages state no reason.
Other differences (we call a file ``unloadable`` or ``needs-allowlist`` that torch loads) are stricter and listed.

Prints a table (file, our verdict, torch result, agreement) and a last line ``OK`` or ``FAIL: n file(s)``;
exit 0, 1 on a failure, 2 when torch or the CLI is missing.
"""
import argparse
import json
import os
import select
import shutil
import tempfile
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the child: imports torch, installs the hook, then loads one path per stdin line and answers one JSON line each
CHILD = r'''
import json, os, sys, tempfile
import torch
events = []
WATCHED = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill", "os.remove",
           "os.rename", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "shutil.", "subprocess.Popen", "exec",
           "compile", "ctypes.", "socket.", "webbrowser.open", "urllib.Request", "pty.spawn", "code.__new__",
           "builtins.input", "sys.settrace", "sys.setprofile", "import")
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
armed = False
TMP = os.path.realpath(tempfile.gettempdir()) + os.sep
CWD = os.path.realpath(os.getcwd()) + os.sep
def scratch(args):
    """A path in the temp folder, outside this child's own folder: torch's own scratch files (legacy tar extraction)."""
    if not args or not isinstance(args[0], (str, bytes)):
        return False
    path = os.path.realpath(os.fsdecode(args[0]))
    return path.startswith(TMP) and not (path + os.sep).startswith(CWD)
def hook(event, args):
    if not armed:
        return
    if event in ("open", "os.mkdir", "os.remove", "os.rmdir", "os.rename", "shutil.rmtree", "os.chmod") and scratch(args):
        return
    if event == "import":
        # a module torch has not imported yet, imported while loading: code from the file chose it
        if args and args[0] in sys.modules:
            return
    elif event == "open":
        mode, flags = (args + (None, None))[1:3]
        if not ((isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITE)):
            return
    elif not any(event == w or (w.endswith(".") and event.startswith(w)) for w in WATCHED):
        return
    events.append(f"{event} {str(args)[:120]}")
    raise RuntimeError(f"oracle: refused {event}")
sys.addaudithook(hook)
print(json.dumps({"ready": torch.__version__}), flush=True)
for line in sys.stdin:
    path = line.rstrip("\n")
    del events[:]
    armed = True
    try:
        torch.load(path, weights_only=True, map_location="cpu")
        ok, error = True, ""
    except BaseException as e:  # noqa: BLE001 - any refusal is a result
        lines = [l.strip() for l in str(e).splitlines() if l.strip()]
        detail = next((l for l in lines if "Unpickler error" in l), lines[-1] if lines else "")
        # torch's refusal says first that weights_only=False would load it; the reason follows
        detail = detail.split("Unpickler error: ", 1)[-1]
        ok, error = False, f"{type(e).__name__}: {detail}"[:300]
    armed = False
    print(json.dumps({"ok": ok, "error": error, "events": list(events)}), flush=True)
'''


class Loader:
    """A child python that loads files on request, restarted when it hangs, dies or ran code."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.proc = None
        self.version = None
        # a folder of its own: a payload that writes a relative path writes here, where the hook sees it
        self.cwd = tempfile.mkdtemp(prefix="pylint-torch-oracle-")

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=self.cwd,
        )
        ready = self.readline(120)
        if ready is None:
            raise RuntimeError("the torch child did not start (does this python import torch?)")
        self.version = json.loads(ready)["ready"]

    def readline(self, timeout):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                line = self.proc.stdout.readline()
                return line or None

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def load(self, path):
        if not self.proc:
            self.start()
        try:
            self.proc.stdin.write(path + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return {"ok": False, "error": "the torch child died", "events": []}
        line = self.readline(self.timeout)
        if line is None:
            code = self.proc.poll()
            self.stop()
            what = f"no answer within {self.timeout} s" if code is None else f"the torch child died (exit {code})"
            return {"ok": False, "error": what, "events": [], "hang": code is None}
        answer = json.loads(line)
        if answer["events"]:
            self.stop()  # its state may be changed: a fresh one for the next file
        return answer


def files_under(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in os.walk(p):
                out.extend(os.path.join(dirpath, n) for n in sorted(names))
        else:
            out.append(p)
    return sorted(os.path.abspath(f) for f in out if os.path.isfile(f) and not os.path.islink(f))


def inspect(files, version):
    cli = os.path.join(ROOT, "bin", "pylint-torch.js")
    found = {}
    for i in range(0, len(files), 200):
        run = subprocess.run(
            ["node", cli, "inspect", "-f", "json", "--torch-version", version, *files[i : i + 200]],
            capture_output=True,
            text=True,
        )
        if run.returncode not in (0, 1):
            raise RuntimeError(f"pylint-torch inspect exited {run.returncode}: {run.stderr.strip()[-500:]}")
        for item in json.loads(run.stdout):
            found[os.path.abspath(item["filePath"])] = item
    return found


READ_MEMBER = ("file",)


def in_what_torch_reads(g, messages):
    """A global before the first STOP of a pickle we say torch unpickles (data.pkl, the legacy pickles, the file)."""
    member = g["member"]
    # a member we say only imitates the one torch reads (`a/../a/data.pkl`) is not what torch reads
    if any(m.startswith(f"`{member}` looks like") and "not the member torch reads" in m for m in messages):
        return False
    return not g["afterStop"] and (member in READ_MEMBER or member.startswith("pickle #") or member.endswith("/data.pkl"))


def judge(ours, torch):
    """(agreement, failed) for one file."""
    verdict = ours["verdict"]
    if torch["events"]:
        if verdict == "dangerous":
            return "agree: torch ran code from it (a hole in torch), we say dangerous", False
        return f"FAIL: torch ran code ({torch['events'][0]}), we say {verdict}", True
    if torch.get("hang"):
        return f"torch hangs; we say {verdict}", verdict == "safe"
    if torch["ok"]:
        if verdict == "safe":
            return "agree", False
        if verdict == "dangerous":
            read = [g["name"] for g in ours["globals"] if g["status"] in ("blocked", "dangerous") and in_what_torch_reads(g, ours["messages"])]
            if read:
                return f"FAIL: torch loads it, we say dangerous for {', '.join(read[:3])} in what it reads", True
            return "stricter: dangerous for what torch does not read", False
        return f"stricter: torch loads it, we say {verdict}", False
    if verdict == "safe":
        # an allowed class refusing the file's arguments (torch.FloatStorage("x")): a walker that runs nothing cannot know
        if torch["error"].startswith(("TypeError", "ValueError")):
            return "agree: an allowed class refused the file's arguments (not known without running it)", False
        if ours["messages"]:
            return "stricter: torch refuses it, we say safe and why", False
        return "FAIL: torch refuses it, we say safe without a reason", True
    return "agree: torch refuses it", False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--timeout", type=float, default=30, help="seconds one torch.load may take (default 30)")
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    args = parser.parse_args()
    files = files_under(args.paths)
    loader = Loader(args.timeout)
    try:
        loader.start()
    except Exception as e:  # noqa: BLE001
        print(f"oracle: {e}", file=sys.stderr)
        return 2
    version = ".".join(loader.version.split("+")[0].split(".")[:2])
    try:
        ours = inspect(files, version)
    except Exception as e:  # noqa: BLE001
        print(f"oracle: {e}", file=sys.stderr)
        return 2
    rows = []
    try:
        for f in files:
            torch = loader.load(f)
            mine = ours.get(f, {"verdict": "missing", "globals": [], "messages": []})
            agreement, failed = judge(mine, torch)
            result = "accepts" if torch["ok"] else f"refuses ({torch['error'][:60]})"
            rows.append({"file": f, "ours": mine["verdict"], "torch": result, "agreement": agreement, "failed": failed})
    finally:
        loader.stop()
        shutil.rmtree(loader.cwd, ignore_errors=True)
    width = max([len(os.path.basename(r["file"])) for r in rows] + [4])
    print(f"torch {loader.version} (weights_only=True), judged by pylint-torch for torch {version}")
    print(f"{'file':<{width}}  {'ours':<15}  {'torch':<70}  agreement")
    for r in rows:
        print(f"{os.path.basename(r['file']):<{width}}  {r['ours']:<15}  {r['torch']:<70}  {r['agreement']}")
    failed = [r for r in rows if r["failed"]]
    counts = {}
    for r in rows:
        key = r["agreement"].split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    print(f"{len(rows)} file(s): " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"torch": loader.version, "rows": rows}, out, indent=2)
    print("OK" if not failed else f"FAIL: {len(failed)} file(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

/**
 * The pre-commit hooks (.pre-commit-hooks.yaml) with the real pre-commit: `pre-commit try-repo <this repository>`
 * installs the hook the way users get it (npm install, npm pack, install of the tarball) in a temporary git
 * repository. Skipped, with a warning, where `pre-commit` is not installed; .ci/run installs Debian's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const hasPreCommit = spawnSync('pre-commit', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPreCommit) console.warn('precommit.test.ts: skipped, pre-commit is not installed (apt-get install pre-commit)');

(hasPreCommit ? test : test.skip)(
  'try-repo: the check hook fails on an unsafe load and passes a clean file; the fix hook rewrites the file',
  () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-precommit-'));
    try {
      const repo = path.join(work, 'user');
      fs.mkdirSync(repo);
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
      git('init', '-q');
      fs.writeFileSync(path.join(repo, 'requirements.txt'), 'torch>=2.6\n');
      fs.writeFileSync(path.join(repo, 'load.py'), 'import torch\nmodel = torch.load("m.pt")\n');
      fs.writeFileSync(path.join(repo, 'unsafe.py'), 'import sys\nimport torch\nmodel = torch.load(sys.argv[1], weights_only=False)\n');
      fs.writeFileSync(path.join(repo, 'clean.py'), 'import torch\nsd = torch.load("m.pt", weights_only=True)\n');
      fs.copyFileSync(path.join(root, 'test', 'fixtures', 'checkpoints', 'malicious_os_system.pt'), path.join(repo, 'evil.pt'));
      // a notebook (pre-commit's `jupyter` type): fixed in its cell, the rest of the file kept
      const notebook = (load: string) =>
        `{\n "cells": [\n  {\n   "cell_type": "code",\n   "metadata": {},\n   "outputs": [],\n   "source": [\n    "import torch\\n",\n    "${load}"\n   ]\n  }\n ],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n`;
      fs.writeFileSync(path.join(repo, 'nb.ipynb'), notebook('model = torch.load(\\"m.pt\\")'));
      git('add', '.');
      git('commit', '-qm', 'init');
      const env = { ...process.env, PRE_COMMIT_HOME: path.join(work, 'cache') };
      const tryRepo = (hook: string, ...files: string[]) =>
        spawnSync('pre-commit', ['try-repo', root, ...(hook ? [hook] : []), '--files', ...files], { cwd: repo, env, encoding: 'utf8' });

      // one install for all four hooks: the check hook reports unsafe.py (an error) and load.py (a warning), says
      // nothing of clean.py; the fix hook rewrites load.py (a safe fix on torch >= 2.6) and nb.ipynb; the config hook
      // gets only requirements.txt (torch>=2.6 allows a vulnerable release: a warning, so it passes), the checkpoint
      // hook evil.pt
      const run = tryRepo('', 'unsafe.py', 'load.py', 'clean.py', 'nb.ipynb', 'requirements.txt', 'evil.pt');
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/pylint-torch\.+Failed/);
      expect(run.stdout).toContain('torch-load-weights-only-false');
      expect(run.stdout).not.toContain('clean.py');
      expect(run.stdout).toMatch(/pylint-torch \(requirements[^\n]*\.+Passed/);
      expect(run.stdout).toMatch(/pylint-torch \(checkpoint files\)\.+Failed/);
      expect(run.stdout).toContain('checkpoint-unsafe-globals');
      expect(run.stdout).not.toMatch(/(unsafe|load|clean)\.py[^\n]*\n[^\n]*Syntax error/);
      expect(fs.readFileSync(path.join(repo, 'load.py'), 'utf8')).toBe('import torch\nmodel = torch.load("m.pt", weights_only=True)\n');
      expect(fs.readFileSync(path.join(repo, 'unsafe.py'), 'utf8')).toContain('weights_only=False'); // no safe fix there
      expect(run.stdout).toContain('nb.ipynb');
      expect(fs.readFileSync(path.join(repo, 'nb.ipynb'), 'utf8')).toBe(notebook('model = torch.load(\\"m.pt\\", weights_only=True)'));
      // the hooks' cache (the repository's evidence, README "pre-commit") ignores itself: git sees only the fixes
      expect(fs.readFileSync(path.join(repo, '.pylint-torch-cache', '.gitignore'), 'utf8')).toBe('# made by pylint-torch --cache\n*\n');
      expect(git('status', '--porcelain', '--untracked-files=all').stdout.toString().split('\n').filter(Boolean).sort()).toEqual([' M load.py', ' M nb.ipynb']);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
  600_000,
);

import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Compiles each source with CPython (`compile(src, name, "exec")`, what `python3 -m py_compile` does) and returns
 * the names that fail with their errors. One python3 process for the whole batch.
 */
export function pythonCompileErrors(sources: ReadonlyMap<string, string>): string[] {
  const script = [
    'import json, sys',
    'bad = []',
    'for name, src in json.load(sys.stdin).items():',
    '    try:',
    '        compile(src, name, "exec")',
    '    except SyntaxError as e:',
    '        bad.append(f"{name}: {e}")',
    'print(json.dumps(bad))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(Object.fromEntries(sources)), encoding: 'utf8' });
  return JSON.parse(out);
}

/**
 * A python3 that can `import torch`: `python3`, then `/usr/bin/python3` (Debian's python3-torch lives in its packages,
 * which a python3 earlier on PATH may not see); undefined where neither can.
 */
export function torchPython(): string | undefined {
  return ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

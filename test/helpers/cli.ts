import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/cli/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process in `cwd`. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  return cliWithStdin(cwd, undefined, ...argv);
}

/** Runs the CLI in-process in `cwd` with `input` as its stdin (none: stdin is empty); bytes written are UTF-8. */
export async function cliWithStdin(cwd: string, input: string | Buffer | undefined, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd,
    color: false,
    stdout: (t) => (stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8')),
    stderr: (t) => (stderr += t),
    readStdin: input === undefined ? undefined : async () => Buffer.from(input),
  });
  return { code, stdout, stderr };
}

/** A fresh temporary folder holding `files` (path → content; Buffers are written as they are). */
// temporary folders are removed when the test file's worker is done with them
const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempRepo(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

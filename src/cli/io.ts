/** Where the CLI reads and writes: the process's streams and folder, or a test's own. */

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colour in stylish output (ESLint: only on a TTY). */
  color: boolean;
}

export const processIO: CliIO = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // FORCE_COLOR and NO_COLOR as in most Node CLIs (chalk, ESLint): FORCE_COLOR=0 turns colour off
  color:
    process.env.FORCE_COLOR !== undefined
      ? process.env.FORCE_COLOR !== '0' && process.env.FORCE_COLOR !== 'false'
      : Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

/** Where the CLI reads and writes: the process's streams and folder, or a test's own. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  /** Writes to stdout; bytes are written as they are (stdin's text echoed by `--stdin --fix`). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** Reads all of stdin (for `-` / `--stdin`); absent: stdin is empty. */
  readStdin?(): Promise<Buffer>;
  /** Colour in stylish output (ESLint: only on a TTY). */
  color: boolean;
}

export const processIO: CliIO = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  // FORCE_COLOR and NO_COLOR as in most Node CLIs (chalk, ESLint): FORCE_COLOR=0 turns colour off
  color:
    process.env.FORCE_COLOR !== undefined
      ? process.env.FORCE_COLOR !== '0' && process.env.FORCE_COLOR !== 'false'
      : Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

/**
 * Writes a report to `outputFile` (relative to `io.cwd`; its folder must exist, as in ESLint: no recursive mkdir,
 * which also hangs on some virtual file systems), or to stdout when there is none; a report ends with a newline.
 * Returns false, after saying why on stderr, when the file cannot be written (the CLI's exit 2).
 */
export function writeReport(io: CliIO, outputFile: string | undefined, report: string): boolean {
  const text = report.endsWith('\n') || report === '' ? report : `${report}\n`;
  if (!outputFile) {
    if (text) io.stdout(text);
    return true;
  }
  try {
    fs.writeFileSync(path.resolve(io.cwd, outputFile), text);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOTDIR'
        ? 'a folder on its path is a file'
        : code === 'ENOENT'
          ? 'its folder does not exist'
          : (error as Error).message;
    io.stderr(`pylint-torch: cannot write --output-file ${outputFile}: ${reason}\n`);
    return false;
  }
}

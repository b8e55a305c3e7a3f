/** Where the CLI reads and writes: the process's streams and folder, or a test's own. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolders } from '../io/folders';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  /** Writes to stdout; bytes are written as they are (stdin's text echoed by `--stdin --fix`). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** Reads all of stdin (for `-` / `--stdin`); absent: stdin is empty. */
  readStdin?(): Promise<Buffer>;
  /** Present when stderr is a terminal, where a progress counter may be drawn: its clock (ms) and colour. */
  progress?: { now(): number; color: boolean };
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
  color: useColor(process.env, process.stdout),
  progress: process.stderr.isTTY
    ? { now: () => performance.now(), color: useColor(process.env, process.stderr) }
    : undefined,
};

/**
 * Whether to colour what goes to `stream`, by Node's own rules (tty.WriteStream's getColorDepth): FORCE_COLOR decides
 * first ('', '1', '2', '3' or 'true': colour, even into a pipe; any other value: none); then NO_COLOR,
 * NODE_DISABLE_COLORS (set, whatever the value) or TERM=dumb turn it off; else colour on a terminal that has colours.
 */
export function useColor(
  env: Readonly<Record<string, string | undefined>>,
  stream: { isTTY?: boolean; hasColors?: () => boolean },
): boolean {
  if (env.FORCE_COLOR !== undefined) return ['', '1', '2', '3', 'true'].includes(env.FORCE_COLOR);
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY) && (stream.hasColors?.() ?? true);
}

/**
 * Writes a report to `outputFile` (relative to `io.cwd`), creating its missing parent folders as ESLint does, or to
 * stdout when there is none; a report ends with a newline. Returns false, after saying why on stderr, when the file
 * cannot be written (the CLI's exit 2).
 */
export function writeReport(io: CliIO, outputFile: string | undefined, report: string): boolean {
  const text = report.endsWith('\n') || report === '' ? report : `${report}\n`;
  if (!outputFile) {
    if (text) io.stdout(text);
    return true;
  }
  const file = path.resolve(io.cwd, outputFile);
  try {
    makeFolders(path.dirname(file));
    fs.writeFileSync(file, text);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // mkdir says EEXIST, and a write ENOTDIR, when a folder on the path is a file
    const reason =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a folder on its path is a file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : (error as Error).message;
    io.stderr(`pylint-torch: cannot write --output-file ${outputFile}: ${reason}\n`);
    return false;
  }
}

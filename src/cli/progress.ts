/**
 * A one-line file counter on stderr for long runs (`pylint-torch: 120/2089 files`), redrawn in place and erased
 * before the report. The CLI shows it only on a terminal, with the stylish format and without --quiet.
 */
import { styleText } from 'node:util';

/** Where the counter draws: stderr, its clock and whether it may colour. */
export interface ProgressTerminal {
  write(text: string): void;
  /** Milliseconds from any fixed origin (performance.now()). */
  now(): number;
  color: boolean;
}

export interface ProgressCounter {
  /** `done` of `total` files are finished; redraws when the run is long enough and the last draw old enough. */
  update(done: number, total: number): void;
  /** Erases the counter line if it was drawn. */
  finish(): void;
}

/**
 * A counter that stays hidden for the first `delayMs` (a short run shows nothing) and redraws at most every
 * `intervalMs`.
 */
export function progressCounter(
  terminal: ProgressTerminal,
  { delayMs = 1000, intervalMs = 100 }: { delayMs?: number; intervalMs?: number } = {},
): ProgressCounter {
  const start = terminal.now();
  let last: number | undefined;
  return {
    update(done, total) {
      const now = terminal.now();
      if (now - start < delayMs || (last !== undefined && now - last < intervalMs)) return;
      last = now;
      const text = `pylint-torch: ${done}/${total} files`;
      // styleText arrived in Node 20.12 (the package allows any Node 20); whether to colour is decided here, not by it
      const styled =
        terminal.color && typeof styleText === 'function' ? styleText('dim', text, { validateStream: false }) : text;
      terminal.write(`\r${styled}\u001b[K`);
    },
    finish() {
      if (last !== undefined) terminal.write('\r\u001b[K');
    },
  };
}

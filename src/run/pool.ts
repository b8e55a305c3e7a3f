/**
 * Linting Python files in worker threads (`--jobs`): each worker sets the run up as the main thread did (configs,
 * plugins, the project index, its own parser), from the main thread's discovery and pre-pass (the bytes read once,
 * shared; the checkpoints prefetched), then lints the files it is handed one at a time, as the main thread would.
 * Files are handed out in discovery order, in runs of neighbours (which ask about the same modules: each worker
 * summarizes a module once), to whichever worker is free; results are the same whichever lints what, because every
 * per-file question (a module summary, a checkpoint, a torch requirement) is answered from the same bytes and files
 * in every thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { internalErrorResult, type LintResult } from '../report/results';
import type { PrefetchedReferences } from '../torch/checkpoint-sites';
import type { TextFacts } from '../torch/prescan';

/**
 * The worker script: the built `lint-worker.js` beside this module (absent when this module runs from TypeScript
 * sources, as under ts-jest).
 */
export const WORKER_FILE = path.join(__dirname, 'lint-worker.js');

/**
 * By default a worker is started per this many Python files (and per {@link WORKER_BYTES} read), up to one per core:
 * one thread below twice that. Measured on a 2-core machine (README, "Worker threads"): a worker costs about 0.12 s
 * of CPU to start (the code, the grammar, the configs) and answers again the cross-file questions its files ask that
 * another worker answered too (two workers: +23–27% CPU on fairseq's 1,021 files and on the corpus, about +30% on 200
 * corpus files), so a worker pays for itself from about a hundred files; a pre-commit run over a few files stays in
 * one thread.
 */
export const WORKER_FILES = 100;
/** …and per this many bytes read (1 MB). */
export const WORKER_BYTES = 1_000_000;

/** One Python file's result, and what the run keeps of it. */
export interface FileOutcome {
  result: LintResult;
  /** Whether the prefilter skipped the rules (`LintFilesReport.skippedFiles`). */
  skipped: boolean;
  /** The file's text, when the report needs it (see `LintFilesReport.sources`). */
  source?: string;
  /** With the cache: the questions its lint asked of the rest of the run (src/analysis/dependencies.ts). */
  asked?: string[];
  /** The string-literal paths its torch loads name (CheckpointReferences.recordTorchLoads), when any. */
  loads?: string[];
  /** With the cache: its torch save and load sites, when its summary is known (for its text facts). */
  sites?: NonNullable<TextFacts['sites']>;
}

/**
 * The pre-pass of a run in the main thread, for a worker: the hash of each file's bytes as read (src/run/cache.ts
 * `digest`: a file is read again at its turn and linted only if they match), with `--fix` the bytes themselves (one
 * SharedArrayBuffer, each file's `[offset, length]` in bytes), the process-wide weakening and extra-state lines
 * found, and the prefetched checkpoint references. Plain data that `postMessage` copies (the buffer is shared, not
 * copied).
 */
export interface Prepassed {
  hashes: Map<string, string>;
  bytes?: SharedArrayBuffer;
  offsets?: Map<string, [number, number]>;
  weakened?: string;
  extraState?: string;
  references: PrefetchedReferences;
  /** The save and load sites the cache holds for files the run does not lint (src/run/evidence.ts). */
  sites?: [string, NonNullable<TextFacts['sites']>][];
}

/** Messages from a worker (src/run/lint-worker.ts). */
export type WorkerMessage =
  | { kind: 'ready' }
  | {
      kind: 'outcome';
      file: string;
      outcome: FileOutcome;
      /** Warnings its turn added. */
      warnings: string[];
    };

/** Messages to a worker: files to lint, in this order, one outcome each (the pool stops a worker when done). */
export type WorkerRequest = { files: string[] };

/**
 * How many workers a run gets (1: none, lint in this thread); see `LintFilesOptions.jobs`. Throws RangeError for a
 * `jobs` that is not a positive integer, and Error for `jobs` above 1 without the worker script.
 */
export function workerCount(
  options: { jobs?: number; stdin?: unknown; registry?: unknown },
  files: number,
  bytes: number,
  workerFile: string,
): number {
  const asked = options.jobs;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1))
    throw new RangeError(`jobs must be a positive integer (got ${String(asked)})`);
  if (options.stdin || options.registry || asked === 1) return 1;
  const count = Math.min(
    asked ?? Math.min(os.availableParallelism(), Math.floor(files / WORKER_FILES), Math.floor(bytes / WORKER_BYTES)),
    files,
  );
  if (count <= 1) return 1;
  if (!fs.existsSync(workerFile)) {
    if (asked !== undefined)
      throw new Error(`jobs: ${asked} needs the built worker script ${workerFile} (run \`npm run build\`)`);
    return 1;
  }
  return count;
}

/** What a pool run found beside the files' outcomes. */
export interface PoolReport {
  /** The warnings each file's turn added. */
  warnings: Map<string, string[]>;
  /** What ended each worker that crashed while it had no file to lint (those with one blame that file). */
  crashes: string[];
}

/**
 * Lints `files` in `jobs` workers of `workerFile` (src/run/lint-worker.ts), `start` (a WorkerStart) their
 * `workerData`, calling `onOutcome` (in the main thread) as each file's outcome arrives, in no particular order. A
 * file whose worker crashed, threw outside a file's lint or exited while linting it gets the internal-error result,
 * and the files handed to that worker after it go to the others; when no worker is left, the files not linted get
 * the internal-error result too. Resolves when every file has an outcome (and stops the workers); rejects only when
 * `onOutcome` throws. An error thrown asynchronously ends the worker when the thread is next idle: it is blamed on
 * the file the main thread has not had an outcome for yet, if any.
 */
export function lintInWorkers(
  workerFile: string,
  jobs: number,
  start: unknown,
  files: readonly string[],
  onOutcome: (file: string, outcome: FileOutcome) => void,
): Promise<PoolReport> {
  return new Promise((resolve, reject) => {
    const report: PoolReport = { warnings: new Map(), crashes: [] };
    const workers: Worker[] = [];
    // files not handed out yet, in discovery order (a crashed worker's untried files go back to the front)
    const queue = [...files];
    // workers waiting for files (the queue was empty when they asked); they end with the run
    const idle: (() => void)[] = [];
    let pending = files.length;
    let alive = 0;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      if (error === undefined) resolve(report);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const deliver = (file: string, outcome: FileOutcome) => {
      if (settled) return;
      try {
        onOutcome(file, outcome);
      } catch (error) {
        settle(error);
        return;
      }
      if (--pending === 0) settle();
    };
    const spawn = () => {
      const worker = new Worker(workerFile, { workerData: start });
      workers.push(worker);
      alive++;
      // the files handed to this worker without an outcome yet, the one it is linting first
      let handed: string[] = [];
      let ended = false;
      const feed = () => {
        // guided self-scheduling: long runs of neighbours first, shorter ones as the queue empties, so that the
        // workers finish together
        handed = queue.splice(0, Math.ceil(queue.length / (4 * jobs)));
        if (handed.length) worker.postMessage({ files: handed } satisfies WorkerRequest);
        else idle.push(feed);
      };
      const end = (error: Error) => {
        if (ended || settled) return;
        ended = true;
        alive--;
        const [lost, ...untried] = handed;
        handed = [];
        queue.unshift(...untried);
        if (lost !== undefined) deliver(lost, { result: internalErrorResult(lost, error), skipped: false });
        // between two files (an error a rule scheduled for later, say): no file to blame, but not to be kept quiet
        else report.crashes.push(error.message);
        if (alive === 0)
          for (const file of queue.splice(0))
            deliver(file, {
              result: internalErrorResult(file, new Error(`no worker left to lint it: ${error.message}`)),
              skipped: false,
            });
        else for (const wake of idle.splice(0)) wake();
      };
      worker.on('message', (message: WorkerMessage) => {
        if (settled || ended) return;
        if (message.kind === 'outcome') {
          handed.shift();
          if (message.warnings.length) report.warnings.set(message.file, message.warnings);
          deliver(message.file, message.outcome);
          if (settled || handed.length) return;
        }
        feed();
      });
      worker.on('error', (error) => end(error instanceof Error ? error : new Error(String(error))));
      worker.on('messageerror', (error) => end(error));
      worker.on('exit', (code) => end(new Error(`the worker thread exited (code ${code}) while linting this file`)));
    };
    if (files.length === 0) {
      settle();
      return;
    }
    for (let i = 0; i < jobs; i++) spawn();
  });
}

/**
 * The worker thread of `--jobs` (src/run/pool.ts), built to dist/src/run/lint-worker.js: sets the run up from the
 * main thread's `workerData` (a {@link WorkerStart}), says `ready`, then lints the files it is sent and posts each
 * one's outcome, until the pool stops it. What goes wrong outside a file's lint (setting the run up, a rule's
 * callback that throws later) is left uncaught: the thread ends, and the pool gives the file it was linting the
 * internal-error result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRun, type WorkerStart } from './lint-files';
import type { WorkerMessage, WorkerRequest } from './pool';

async function serve(): Promise<void> {
  const port = parentPort!;
  const { paths, options, files, prepassed } = workerData as WorkerStart;
  const run = await openRun(paths, options, { files, prepassed });
  if ('report' in run) throw new Error(`paths not found in a worker: ${run.report.missing.join(', ')}`);
  let warned = run.warnings.length;
  port.on('message', (request: WorkerRequest) => {
    for (const file of request.files) {
      const outcome = run.lintOne(file);
      const warnings = run.warnings.slice(warned);
      warned = run.warnings.length;
      port.postMessage({ kind: 'outcome', file, outcome, warnings } satisfies WorkerMessage);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
}

void serve().catch((error: unknown) => {
  // ends the thread with the error (the pool's 'error' event)
  setImmediate(() => {
    throw error;
  });
});

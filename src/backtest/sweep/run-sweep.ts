/**
 * Runs a sweep's combinations across worker threads (one per core by default): each worker takes
 * the next combination when it finishes one, so uneven runs still keep every worker busy. Each run
 * is the ordinary deterministic backtest; which worker ran it changes nothing in its report.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BacktestReport } from '../backtest-report.js';
import { SweepRunError } from '../errors.js';
import type { SweepRun } from './sweep-results.js';
import type { SweepPlan } from './sweep-plan.js';

export interface WorkerJob {
  readonly index: number;
}

export type WorkerAnswer =
  | { readonly type: 'progress'; readonly index: number; readonly done: number }
  | { readonly type: 'done'; readonly index: number; readonly report: BacktestReport }
  | { readonly type: 'failed'; readonly index: number; readonly message: string };

export interface SweepOptions {
  /** Worker threads (default: one per core, never more than the combinations). */
  readonly workers?: number | undefined;
  /** Ticks done over all runs, out of every run's ticks. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

// Beside this file: .js once built, .ts when run from source under tsx.
const WORKER_URL = new URL(`./sweep-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A worker thread does not get the loader hooks `--import tsx` gave this thread: from source, the
 * worker registers tsx itself before it imports its entry.
 */
function startWorker(plan: SweepPlan): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData: plan });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true, workerData: plan });
}

export async function runSweep(
  plan: SweepPlan,
  ticksPerRun: readonly number[],
  options: SweepOptions = {},
): Promise<SweepRun[]> {
  const jobs = plan.combinations.length;
  const threads = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs));
  const total = ticksPerRun.reduce((sum, ticks) => sum + ticks, 0);
  const progress = new Array<number>(jobs).fill(0);
  let ticksDone = 0;
  const runs: SweepRun[] = [];
  let next = 0;
  const workers = Array.from({ length: threads }, () => startWorker(plan));
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (worker: Worker) => {
        if (next < jobs) worker.postMessage({ index: next++ } satisfies WorkerJob);
        else if (runs.length === jobs) resolve();
      };
      for (const worker of workers) {
        worker.on('message', (answer: WorkerAnswer) => {
          if (answer.type === 'failed') {
            reject(new SweepRunError(`sweep run ${answer.index + 1} failed: ${answer.message}`));
            return;
          }
          const done = answer.type === 'done' ? ticksPerRun[answer.index]! : answer.done;
          ticksDone += done - progress[answer.index]!;
          progress[answer.index] = done;
          options.onProgress?.(ticksDone, total);
          if (answer.type === 'done') {
            runs.push({ index: answer.index, combination: plan.combinations[answer.index]!, report: answer.report });
            dispatch(worker);
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (runs.length < jobs) reject(new SweepRunError(`a sweep worker exited with code ${code}`));
        });
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return runs.sort((a, b) => a.index - b.index);
}

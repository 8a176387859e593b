/**
 * A sweep worker thread: runs the combinations the main thread sends, one at a time, and answers
 * with progress and each report. The plan comes once, as workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBacktest } from '../run-backtest.js';
import { type SweepPlan, setupOf } from './sweep-plan.js';
import type { WorkerAnswer, WorkerJob } from './run-sweep.js';

const plan = workerData as SweepPlan;
const port = parentPort!;

port.on('message', (job: WorkerJob) => {
  let answer: WorkerAnswer;
  try {
    const report = runBacktest(setupOf(plan, plan.combinations[job.index]!), {
      onProgress: (done) => port.postMessage({ type: 'progress', index: job.index, done } satisfies WorkerAnswer),
    });
    answer = { type: 'done', index: job.index, report };
  } catch (error) {
    answer = { type: 'failed', index: job.index, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer);
});

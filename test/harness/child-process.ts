/** Starting and stopping real processes for tests: servers the test owns, or TypeScript workers. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { scaled } from './time-scale.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first output line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL and wait for exit; idempotent. */
  kill(): Promise<void>;
  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): OwnedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let buffer = '';
  const lineWaiters = new Set<(text: string) => void>();
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (const waiter of lineWaiters) waiter(buffer);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    child,
    pid: child.pid,
    output: () => buffer,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      const limitMs = scaled(timeoutMs);
      return new Promise((resolve, reject) => {
        const check = (text: string) => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            cleanup();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`${command}: no line matching ${pattern} within ${limitMs} ms; output:\n${buffer.slice(-4000)}`),
          );
        }, limitMs);
        const onExit = (code: number | string) => {
          cleanup();
          reject(new Error(`${command} exited (${code}) before printing ${pattern}; output:\n${buffer.slice(-4000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          lineWaiters.delete(check);
        };
        lineWaiters.add(check);
        void exited.then(onExit);
        check(buffer);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    signal(signal) {
      child.kill(signal);
    },
  };
}

/** Runs a TypeScript file of the project in its own Node process (through tsx). */
export function startTsProcess(
  file: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv } = {},
): OwnedProcess {
  return startProcess(process.execPath, ['--import', 'tsx', file, ...args], options);
}

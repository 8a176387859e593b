/** Runs a command-line tool of the machine (promtool, nginx, docker-compose); a missing one fails with how to install it. */
import { execFile } from 'node:child_process';

export const systemTools = {
  promtool: 'install it with: apt-get install -y prometheus (or run `npm test`, which does it)',
  nginx: 'install it with: apt-get install -y nginx (or run `npm test`, which does it)',
  'docker-compose': 'install it with: apt-get install -y docker-compose (or run `npm test`, which does it)',
} as const;

export type SystemTool = keyof typeof systemTools;

export interface ToolResult {
  readonly code: number;
  /** stdout and stderr together. */
  readonly output: string;
}

/** Runs `tool args`; resolves with its exit code and output (a non-zero exit is a result, not an error). */
export function runTool(
  tool: SystemTool,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(new Error(`${tool} is not installed; ${systemTools[tool]}`));
          return;
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

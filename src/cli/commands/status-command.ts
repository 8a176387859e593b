/**
 * `quantmesh status [--url URL] [--api-key K] [--watch]`: the cluster view of any instance (or of
 * nginx in front of them) as terminal tables. The key comes from --api-key or QM_API_KEY; --watch
 * redraws every two seconds until Ctrl-C.
 */
import { once } from 'node:events';
import type { ClusterAnswer } from '../../server/routes/cluster-routes.js';
import type { CliCommand, CliContext } from '../cli-command.js';
import { renderCluster } from '../status-table.js';

interface StatusFlags {
  readonly url: string;
  readonly apiKey?: string;
  readonly watch?: boolean;
}

const WATCH_INTERVAL_MS = 2000;

export const statusCommand: CliCommand = {
  register(program, context) {
    program
      .command('status')
      .description(
        "print the cluster: instances, symbols, owner, state, price, position, open orders, PnL (from any instance's /api/cluster)",
      )
      .option('--url <url>', 'an instance, or the load balancer in front of the cluster', 'http://127.0.0.1:8080')
      .option('--api-key <key>', 'web.api_key of the cluster (default: $QM_API_KEY)')
      .option('--watch', 'redraw every 2 s until Ctrl-C')
      .action(async (flags: StatusFlags) => {
        const key = flags.apiKey ?? context.env.QM_API_KEY;
        if (flags.watch !== true) {
          await printOnce(context, flags.url, key);
          return;
        }
        const stop = new AbortController();
        void once(process, 'SIGINT', { signal: stop.signal }).then(
          () => stop.abort(),
          () => undefined,
        );
        while (!stop.signal.aborted) {
          context.out('\x1b[2J\x1b[H');
          await printOnce(context, flags.url, key);
          await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
        }
        context.exitCode = 0;
      });
  },
};

async function printOnce(context: CliContext, url: string, key: string | undefined): Promise<void> {
  try {
    const response = await fetch(new URL('/api/cluster', url), {
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 401) throw new Error('the API key is missing or wrong (--api-key or QM_API_KEY)');
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    context.out(renderCluster((await response.json()) as ClusterAnswer));
    context.exitCode = 0;
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? `${error.message} (${error.cause.message})`
          : error.message
        : String(error);
    context.err(`quantmesh status: ${new URL(url).origin}: ${reason}\n`);
    context.exitCode = 1;
  }
}

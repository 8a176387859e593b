/**
 * The root command: `quantmesh [--config=FILE] [--standby]` (or `quantmesh run ...`) runs one
 * instance until SIGINT, SIGTERM or SIGHUP (a closed terminal or SSH session), which all stop it
 * cleanly; a second signal exits at once.
 * Without --config it runs the embedded default (SQLite, simulated venue, demo symbols); a file whose
 * `config_centre` is enabled runs the configuration stored in etcd under its instance.id (R7).
 */
import { once } from 'node:events';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigCentreUnavailableError } from '../../coordination/config-centre/errors.js';
import { embeddedDefaultConfig } from '../../config/embedded-default.js';
import { ConfigError } from '../../config/errors.js';
import { configSecrets } from '../../config/redact-config.js';
import type { CliCommand, CliContext } from '../cli-command.js';

/** Each stops the instance cleanly (SIGHUP: the terminal or SSH session closed). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface RunFlags {
  readonly config?: string;
  readonly standby?: boolean;
  readonly webPort?: number;
}

export const runCommand: CliCommand = {
  register(program, context) {
    // `quantmesh --config FILE` (R5) and `quantmesh run --config FILE` are the same command.
    runOptions(program, context);
    runOptions(
      program
        .command('run')
        .description('run one instance until SIGINT, SIGTERM or SIGHUP (the same as quantmesh without a command)'),
      context,
    );
  },
};

function runOptions(command: Command, context: CliContext): void {
  command
    .option('--config <file>', 'configuration file (YAML); without it, the embedded single-instance demo')
    .option('--standby', 'start as a hot standby: trade only once the active instance is gone')
    .option(
      '--web-port <port>',
      'HTTP port, overriding web.port (e.g. several instances or test runs on one host)',
      webPort,
    )
    .action(async (flags: RunFlags) => {
      // The instance (venues, drivers, locks, server) is loaded when a run starts, not for `--help`.
      const [{ loadInstanceConfig }, { runInstance }, { createLogger }] = await Promise.all([
        import('../../app/instance-config.js'),
        import('../../app/run-instance.js'),
        import('../../observability/logger.js'),
      ]);
      let config;
      try {
        const standby = flags.standby === true;
        config =
          flags.config === undefined
            ? embeddedDefaultConfig({ standby })
            : await loadInstanceConfig(flags.config, { env: context.env, standby });
        if (flags.webPort !== undefined) config = { ...config, web: { ...config.web, port: flags.webPort } };
      } catch (error) {
        if (!(error instanceof ConfigError || error instanceof ConfigCentreUnavailableError)) throw error;
        context.err(`${error.message}\n`);
        context.exitCode = 1;
        return;
      }
      const logger = createLogger({
        level: config.system.logLevel,
        secrets: configSecrets(config),
        bindings: { instance: config.instance.id },
      });
      logger.info({ config: flags.config ?? '<embedded default>' }, 'starting');
      // Listen before announcing: a signal sent right after "running" must find the handler installed.
      const stop = listenForStop();
      try {
        const instance = await runInstance(config, { logger, standby: config.coordination.standby });
        logger.info('running; send SIGINT or SIGTERM to stop');
        const signal = await stop.received;
        logger.info(
          { signal },
          'stopping: loops first, then working orders, then storage (a second signal exits at once)',
        );
        const forceExit = () => {
          logger.warn('second signal: exiting at once without cleanup');
          process.exit(130);
        };
        for (const name of STOP_SIGNALS) process.once(name, forceExit);
        await instance.stop();
        context.exitCode = 0;
      } finally {
        stop.cancel();
      }
    });
}

function webPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535)
    throw new InvalidArgumentError('must be a port number from 1 to 65535');
  return port;
}

interface StopListener {
  /** The first stop signal received (rejects with AbortError once cancelled). */
  readonly received: Promise<NodeJS.Signals>;
  /** Removes the listeners and lets the process exit; idempotent. */
  cancel(): void;
}

function listenForStop(): StopListener {
  const controller = new AbortController();
  // Signal listeners do not keep Node's event loop alive; until the instance owns sockets, this timer does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const cancel = () => {
    controller.abort();
    clearInterval(keepAlive);
  };
  const received = Promise.race(
    STOP_SIGNALS.map(async (name) => {
      await once(process, name, { signal: controller.signal });
      return name;
    }),
  );
  // A cancelled wait is not an error anyone awaits.
  received.catch(() => undefined);
  return { received, cancel };
}

/**
 * `quantmesh config check FILE`: validates a configuration and prints it, effective and redacted.
 * `quantmesh config push|pull --config FILE`: stores a file in the configuration centre (R7) under
 * its `instance.id`, or prints what is stored there.
 */
import type { Command } from 'commander';
import { ConfigCentreUnavailableError, ConfigRevisionConflictError } from '../../coordination/config-centre/errors.js';
import type { ConfigCentre } from '../../coordination/config-centre/config-centre.js';
import { ConfigError } from '../../config/errors.js';
import {
  type BootstrapConfig,
  loadConfig,
  parseBootstrap,
  parseConfig,
  readConfigFile,
} from '../../config/load-config.js';
import { renderConfig } from '../../config/redact-config.js';
import type { CliCommand, CliContext } from '../cli-command.js';

export const configCommand: CliCommand = {
  register(program, context) {
    const config = program.command('config').description('work with configuration files and the configuration centre');
    config
      .command('check')
      .description(
        'validate FILE and print the effective configuration (defaults applied, secrets masked); exit 1 listing every problem',
      )
      .argument('<file>', 'configuration file (YAML)')
      .action(async (file: string) => {
        await reportingErrors(context, async () => {
          const loaded = await loadConfig(file, { env: context.env });
          context.out(`# ${file}: valid. Effective configuration, secrets masked:\n${renderConfig(loaded)}`);
        });
      });
    centreCommand(
      config,
      'push',
      'validate FILE, then store it in the configuration centre (config_centre) under its instance.id, if nobody changed it since it was read; exit 1 listing every problem',
    ).action(async ({ config: file }: { config: string }) => {
      await reportingErrors(context, async () => {
        const text = await readConfigFile(file);
        const bootstrap = centreOf(text, file, context);
        // Checked as the instance will check it: the same rules, the same messages, this file's lines.
        parseConfig(text, { file, env: context.env, instanceId: bootstrap.instance.id });
        await withCentre(bootstrap, async (centre, name) => {
          const current = await centre.get(name);
          const revision = await centre.put(name, text, { expectRevision: current?.revision ?? 0n });
          context.out(
            `${file}: valid; stored as ${centre.keyOf(name)} at revision ${revision} (previous: ${current?.revision ?? 'none'})\n`,
          );
        });
      });
    });
    centreCommand(
      config,
      'pull',
      'print the configuration stored in the configuration centre (config_centre) under the instance.id of FILE',
    ).action(async ({ config: file }: { config: string }) => {
      await reportingErrors(context, async () => {
        const bootstrap = centreOf(await readConfigFile(file), file, context);
        await withCentre(bootstrap, async (centre, name) => {
          const stored = await centre.get(name);
          if (stored === undefined)
            throw new ConfigError(centre.keyOf(name), [
              { file: centre.keyOf(name), path: '', line: 1, message: 'no configuration stored in etcd' },
            ]);
          context.err(`# ${centre.keyOf(name)} at revision ${stored.revision}\n`);
          context.out(stored.text);
        });
      });
    });
  },
};

function centreCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .requiredOption('--config <file>', 'configuration file naming instance.id and config_centre.endpoints');
}

/** The file's instance.id and config_centre, which push and pull need even when the instance does not use the centre. */
function centreOf(text: string, file: string, context: CliContext): BootstrapConfig {
  const bootstrap = parseBootstrap(text, { file, env: context.env });
  const missing = [
    bootstrap.instance.id === undefined ? 'instance.id' : undefined,
    bootstrap.configCentre.endpoints.length === 0 ? 'config_centre.endpoints' : undefined,
  ].filter((path) => path !== undefined);
  if (missing.length > 0)
    throw new ConfigError(
      file,
      missing.map((path) => ({ file, path, line: 1, message: 'is required to reach the configuration centre' })),
    );
  return bootstrap;
}

async function withCentre(
  bootstrap: BootstrapConfig,
  run: (centre: ConfigCentre, name: string) => Promise<void>,
): Promise<void> {
  // The etcd client (gRPC) is loaded only by the commands that reach the centre: `config check` starts fast.
  const { openConfigCentre } = await import('../../app/instance-config.js');
  const centre = openConfigCentre(bootstrap);
  try {
    await run(centre, bootstrap.instance.id!);
  } finally {
    await centre.close();
  }
}

/** Exit 0, or 1 with the message of an error the user can act on. */
async function reportingErrors(context: CliContext, run: () => Promise<void>): Promise<void> {
  try {
    await run();
    context.exitCode = 0;
  } catch (error) {
    if (!(
      error instanceof ConfigError ||
      error instanceof ConfigRevisionConflictError ||
      error instanceof ConfigCentreUnavailableError
    ))
      throw error;
    context.err(`${error.message}\n`);
    context.exitCode = 1;
  }
}

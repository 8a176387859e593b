/** `quantmesh config check FILE`: validates a configuration and prints it, effective and redacted. */
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load-config.js';
import { renderConfig } from '../../config/redact-config.js';
import type { CliCommand } from '../cli-command.js';

export const configCommand: CliCommand = {
  register(program, context) {
    const config = program.command('config').description('work with configuration files');
    config
      .command('check')
      .description('validate FILE and print the effective configuration (defaults applied, secrets masked); exit 1 listing every problem')
      .argument('<file>', 'configuration file (YAML)')
      .action(async (file: string) => {
        try {
          const loaded = await loadConfig(file, { env: context.env });
          context.out(`# ${file}: valid. Effective configuration, secrets masked:\n${renderConfig(loaded)}`);
          context.exitCode = 0;
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          context.err(`${error.message}\n`);
          context.exitCode = 1;
        }
      });
  },
};

/** The `quantmesh` CLI: builds the program from the registered commands and returns an exit code instead of exiting. */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../app/package-version.js';
import type { CliContext } from './cli-command.js';
import { REGISTERED_COMMANDS } from './registered-commands.js';

export async function main(argv: readonly string[]): Promise<number> {
  const context: CliContext = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    exitCode: 0,
  };
  const program = new Command('quantmesh')
    .description(
      'Grid market maker for crypto futures and spot: one instance on SQLite, or a cluster on PostgreSQL/MySQL with Redis, etcd or database locks.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    // Options of the root command (`--config` of a run) are read before a subcommand only, so a subcommand may take its own `--config`.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: context.out, writeErr: context.err });
  for (const command of REGISTERED_COMMANDS) command.register(program, context);
  // Commands built on their own (addCommand) do not inherit these: every one returns instead of exiting.
  const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
  for (const command of everyCommand(program))
    command.exitOverride().configureOutput({ writeOut: context.out, writeErr: context.err });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // Commands built on their own (db, sim-venue) report failure through process.exitCode.
    return context.exitCode !== 0 ? context.exitCode : typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}

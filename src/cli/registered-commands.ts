import type { CliCommand } from './cli-command.js';
import { backtestCommand } from './commands/backtest-command.js';
import { configCommand } from './commands/config-command.js';
import { dbCommand } from './commands/db-command.js';
import { runCommand } from './commands/run-command.js';
import { simVenueCommand } from './commands/sim-venue-command.js';
import { statusCommand } from './commands/status-command.js';

/** Every command of the CLI, in help order. A new command is one file in commands/ and one line here. */
export const REGISTERED_COMMANDS: readonly CliCommand[] = [
  runCommand,
  statusCommand,
  configCommand,
  dbCommand,
  backtestCommand,
  simVenueCommand,
];

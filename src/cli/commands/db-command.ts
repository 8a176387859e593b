/**
 * `quantmesh db copy --from DSN --to DSN [--force] [--batch-size N]` (R11) and
 * `quantmesh db migrate [--config FILE | --dsn DSN [--type TYPE]]` (R4). The logic lives in
 * `storage/copy/`; this file only parses arguments. Errors show DSNs redacted (the storage errors
 * never carry passwords) and set a non-zero exit code.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import type { CliCommand } from '../cli-command.js';
import type { SqlDialect } from '../../storage/database.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return parsed;
}

/** The `database` section of an instance's configuration, loaded and validated like `quantmesh --config`. */
async function databaseFromConfig(file: string): Promise<{ type: SqlDialect; dsn: string }> {
  const config = await loadConfig(file);
  return { type: config.database.type, dsn: config.database.dsn };
}

function report(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}

export function createDbCommand(): Command {
  const db = new Command('db').description('database tools: copy between databases, apply migrations');

  db.command('copy')
    .description(
      'copy every table from one database to another (sqlite, postgres, mysql), then verify counts and checksums',
    )
    .requiredOption('--from <dsn>', 'source DSN (a SQLite path, postgres://…, mysql://… or user:pass@tcp(host)/db)')
    .requiredOption('--to <dsn>', 'target DSN')
    .option('--force', 'copy into a target that already holds rows (rows with the same key are overwritten)', false)
    .option('--batch-size <n>', 'rows per read and per multi-row write', positiveInteger, 1000)
    .action(async (options: { from: string; to: string; force: boolean; batchSize: number }) => {
      try {
        // Kysely and the database drivers are loaded by the db commands only.
        const { runCopy } = await import('../../storage/copy/run-copy.js');
        const equal = await runCopy({ ...options, out: process.stdout, progress: process.stderr });
        if (!equal) process.exitCode = 2;
      } catch (error) {
        report(error);
      }
    });

  db.command('migrate')
    .description('apply pending schema migrations')
    .option('--config <file>', 'instance YAML file whose database section is used')
    .option('--dsn <dsn>', 'database DSN (instead of --config)')
    .addOption(
      new Option('--type <type>', 'database type when --dsn is ambiguous').choices(['sqlite', 'postgres', 'mysql']),
    )
    .action(async (_flags: unknown, command: Command) => {
      // The root command has --config too: read the flags with the globals so either position works.
      const options = command.optsWithGlobals<{ config?: string; dsn?: string; type?: SqlDialect }>();
      try {
        if ((options.config === undefined) === (options.dsn === undefined))
          throw new InvalidArgumentError('give exactly one of --config or --dsn');
        const target =
          options.config !== undefined
            ? await databaseFromConfig(options.config)
            : { type: options.type, dsn: options.dsn! };
        const { runMigrate } = await import('../../storage/copy/run-copy.js');
        await runMigrate(target.type, target.dsn, process.stdout);
      } catch (error) {
        report(error);
      }
    });

  return db;
}

/** `quantmesh db …` in the CLI. */
export const dbCommand: CliCommand = {
  register(program) {
    program.addCommand(createDbCommand());
  },
};

/**
 * `quantmesh backtest`: runs the grid of one configured symbol over a seeded random walk or a CSV
 * replay on the sim matching engine, as fast as it can, and prints the report; the equity curve
 * (CSV and HTML chart) and report.json go to --out. With `--sweep`, runs every combination of the
 * swept settings across worker threads instead and prints them ranked; sweep.csv and sweep.html
 * (heatmap) go to --out. Exit 1 on bad input, with the reason.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { BacktestSetupError } from '../../backtest/errors.js';
import { backtestSetup } from '../../backtest/backtest-setup.js';
import { formatReport } from '../../backtest/backtest-report.js';
import { ProgressBar } from '../../observability/progress-bar.js';
import { parseReplayCsv } from '../../backtest/replay-csv.js';
import { embeddedDefaultConfig } from '../../config/embedded-default.js';
import { ConfigError } from '../../config/errors.js';
import { type QuantMeshConfig, loadConfig, readConfigFile } from '../../config/load-config.js';
import { EMBEDDED_DEFAULT_FILE, EMBEDDED_DEFAULT_YAML } from '../../config/embedded-default.js';
import type { Decimal } from '../../domain/decimal.js';
import { parseSweepAxis } from '../../backtest/sweep/sweep-spec.js';
import { sweepPlan } from '../../backtest/sweep/sweep-plan.js';
import { InvalidSimConfigError } from '../../exchange/sim/errors.js';
import { GridConfigurationError } from '../../strategy/grid/errors.js';
import type { CliCommand, CliContext } from '../cli-command.js';

interface BacktestFlags {
  readonly config?: string;
  readonly symbol?: string;
  readonly ticks?: number;
  readonly seed?: number;
  readonly csv?: string;
  readonly out: string;
  readonly progress: boolean;
  readonly sweep: readonly string[];
  readonly workers?: number;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed))
    throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = nonNegativeInteger(value);
  if (parsed === 0) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function collect(spec: string, previous: readonly string[]): string[] {
  return [...previous, spec];
}

/** Errors that mean "your input cannot be backtested": reported in one line, exit 1. */
const INPUT_ERRORS = [ConfigError, BacktestSetupError, InvalidSimConfigError, GridConfigurationError];

export const backtestCommand: CliCommand = {
  register(program, context) {
    program
      .command('backtest')
      .description(
        'run the grid of one symbol over a seeded or CSV-replayed sim market and report PnL, fees, drawdown and time in market',
      )
      .option('--config <file>', 'configuration file (YAML); without it, the embedded default')
      .option('--symbol <symbol>', 'symbol of trading.symbols to test (default: the first)')
      .option(
        '--ticks <n>',
        'price steps of the random walk (default 10000; a CSV replays all its rows)',
        nonNegativeInteger,
      )
      .option('--seed <n>', "seed of the random walk (default: the sim venue's seed)", nonNegativeInteger)
      .option('--csv <file>', 'replay prices from CSV: a "price" column (trades) or open,high,low,close (candles)')
      .option('--out <dir>', 'directory for equity.csv, equity.html and report.json', './data/backtest')
      .option(
        '--sweep <key=values>',
        'sweep a setting of the symbol: key=from:to:step or key=v1,v2,… (repeat for more axes; every combination runs)',
        collect,
        [],
      )
      .option('--workers <n>', 'worker threads for --sweep (default: one per core)', positiveInteger)
      .option('--no-progress', 'no progress bar on stderr')
      .action(async (_flags: BacktestFlags, command: Command) => {
        // The root command also has --config: take ours wherever commander put it.
        const flags = command.optsWithGlobals<BacktestFlags>();
        try {
          const config =
            flags.config === undefined ? embeddedDefaultConfig() : await loadConfig(flags.config, { env: context.env });
          const replayPrices = flags.csv === undefined ? undefined : parseReplayCsv(readCsv(flags.csv));
          const progress = flags.progress
            ? new ProgressBar({ write: context.err, isTTY: process.stderr.isTTY }, { unit: 'ticks', rate: true })
            : undefined;
          const onProgress =
            progress === undefined ? undefined : (done: number, total: number) => progress.update(done, total);
          if (flags.sweep.length > 0) {
            await sweep(flags, config, replayPrices, onProgress, context);
            return;
          }
          const setup = backtestSetup(config, {
            symbol: flags.symbol,
            seed: flags.seed,
            ticks: flags.ticks,
            replayPrices,
          });
          const { runBacktestToDirectory } = await import('../../backtest/run-backtest-to-directory.js');
          const { report, files } = runBacktestToDirectory(setup, { outDir: flags.out, onProgress });
          context.out(formatReport(report));
          context.out(`equity curve: ${files.csv}\nchart:        ${files.html}\nreport:       ${files.json}\n`);
          context.exitCode = 0;
        } catch (error) {
          if (!INPUT_ERRORS.some((type) => error instanceof type)) throw error;
          context.err(`backtest: ${(error as Error).message}\n`);
          context.exitCode = 1;
        }
      });
  },
};

async function sweep(
  flags: BacktestFlags,
  config: QuantMeshConfig,
  replayPrices: readonly Decimal[] | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
  context: CliContext,
): Promise<void> {
  const symbols = config.trading.symbols;
  const symbolIndex = flags.symbol === undefined ? 0 : symbols.findIndex((entry) => entry.symbol === flags.symbol);
  const base =
    flags.config === undefined
      ? { text: EMBEDDED_DEFAULT_YAML, file: EMBEDDED_DEFAULT_FILE, env: {} }
      : { text: await readConfigFile(flags.config), file: flags.config, env: context.env };
  // An unknown --symbol is reported by backtestSetup, for the first combination.
  const { plan, setups } = sweepPlan({
    base: { ...base, symbolIndex: Math.max(0, symbolIndex) },
    axes: flags.sweep.map(parseSweepAxis),
    symbol: flags.symbol,
    seed: flags.seed,
    ticks: flags.ticks,
    replayPrices: replayPrices?.map((price) => price.toFixed()),
  });
  const { runSweepToDirectory } = await import('../../backtest/sweep/run-sweep-to-directory.js');
  const { table, files, ranked } = await runSweepToDirectory(plan, setups, {
    outDir: flags.out,
    workers: flags.workers,
    onProgress,
  });
  const { exchange, symbol } = setups[0]!.identity;
  context.out(
    `${ranked.length} runs of ${exchange}:${symbol} (seed ${setups[0]!.engine.seed}), ranked by net PnL\n${table}`,
  );
  context.out(`sweep table: ${files.csv}\nheatmap:     ${files.html}\n`);
  context.exitCode = 0;
}

function readCsv(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new BacktestSetupError(
      `cannot read the replay CSV ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

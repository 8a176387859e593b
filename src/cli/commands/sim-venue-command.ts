/**
 * `quantmesh sim-venue`: serves the simulated venue over the Binance USDⓈ-M futures API subset so a
 * QuantMesh instance (through ccxt) or any Binance client can trade against it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { dec } from '../../domain/decimal.js';
import { simSymbolsNamed } from '../../exchange/sim/sim-settings.js';
import { BINANCE_LIMITS } from '../../exchange/sim-venue/binance-rate-limits.js';
import { type SimVenueCredentials, demoCredentials } from '../../exchange/sim-venue/sim-venue-accounts.js';
import type { SimVenueServer } from '../../exchange/sim-venue/sim-venue-server.js';
import type { CliCommand } from '../cli-command.js';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = integer(value);
  if (parsed === 0) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function names(list: string): string[] {
  return list
    .split(',')
    .map((symbol) => symbol.trim())
    .filter((symbol) => symbol !== '');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface SimVenueFlags {
  port: number;
  host: string;
  seed: number;
  symbols: string;
  spotSymbols: string;
  apiKey: string[];
  apiSecret: string[];
  stepIntervalMs: number;
  liquidityPerTick?: string;
  admin: boolean;
  weightLimit: number;
  orderLimit10s: number;
  orderLimit1m: number;
}

/** Builds the `sim-venue` command; `onStarted` receives the running server (tests, the main file). */
export function buildSimVenueCommand(onStarted?: (server: SimVenueServer) => void): Command {
  return new Command('sim-venue')
    .description('serve the simulated venue over a Binance USDⓈ-M futures and spot compatible REST + WebSocket API')
    .option('--port <port>', 'TCP port (0 picks a free one)', integer, 8090)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of the simulated market', integer, 1)
    .option('--symbols <list>', 'comma-separated USDⓈ-M futures symbols', 'BTCUSDT,ETHUSDT')
    .option(
      '--spot-symbols <list>',
      'comma-separated spot symbols, served over the Binance spot API (a name is futures or spot, not both)',
      '',
    )
    .option('--api-key <key>', 'API key of an account (repeatable, paired with --api-secret)', collect, [])
    .option('--api-secret <secret>', 'API secret of the account of the matching --api-key', collect, [])
    .option(
      '--step-interval-ms <ms>',
      'wall ms between market steps; 0 = only /_sim/step moves the clock',
      integer,
      1000,
    )
    .option('--liquidity-per-tick <quantity>', 'most quantity one resting order fills per step (partial fills)')
    .option(
      '--weight-limit <weight>',
      'request weight per IP per minute (Binance: 2400)',
      positiveInteger,
      BINANCE_LIMITS.weightPerMinute,
    )
    .option(
      '--order-limit-10s <orders>',
      'orders per account per 10 seconds (Binance: 300)',
      positiveInteger,
      BINANCE_LIMITS.ordersPer10Seconds,
    )
    .option(
      '--order-limit-1m <orders>',
      'orders per account per minute (Binance: 1200)',
      positiveInteger,
      BINANCE_LIMITS.ordersPerMinute,
    )
    .option('--admin', 'serve the /_sim/* test hooks and faults (docs/venues.md)', false)
    .action(async (flags: SimVenueFlags) => {
      if (flags.apiKey.length !== flags.apiSecret.length)
        throw new InvalidArgumentError('give one --api-secret per --api-key');
      let accounts: SimVenueCredentials[] = flags.apiKey.map((apiKey, index) => ({
        apiKey,
        apiSecret: flags.apiSecret[index] as string,
      }));
      if (accounts.length === 0) {
        const demo = demoCredentials();
        accounts = [demo];
        // A generated demo pair is printed on purpose: it is the only way to learn it.
        console.log(`sim-venue demo account: api key ${demo.apiKey} api secret ${demo.apiSecret}`);
      }
      // The HTTP and WebSocket server is loaded when the venue starts, not for `--help`.
      const { startSimVenueServer } = await import('../../exchange/sim-venue/sim-venue-server.js');
      const server = await startSimVenueServer({
        port: flags.port,
        host: flags.host,
        seed: flags.seed,
        symbols: [...simSymbolsNamed(names(flags.symbols)), ...simSymbolsNamed(names(flags.spotSymbols), 'spot')],
        accounts,
        stepIntervalMs: flags.stepIntervalMs,
        liquidityPerTick: flags.liquidityPerTick === undefined ? undefined : dec(flags.liquidityPerTick),
        admin: flags.admin,
        limits: {
          weightPerMinute: flags.weightLimit,
          ordersPer10Seconds: flags.orderLimit10s,
          ordersPerMinute: flags.orderLimit1m,
        },
      });
      console.log(`sim-venue listening on ${server.url} (WebSocket ${server.wsUrl})`);
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      onStarted?.(server);
    });
}

/** `quantmesh sim-venue` in the CLI. */
export const simVenueCommand: CliCommand = {
  register(program) {
    program.addCommand(buildSimVenueCommand());
  },
};

/**
 * Child process of the spool outage test: writes trades `start`..`end-1` through SpooledDatabase on
 * PostgreSQL (through the test's FaultProxy), 100 at a time, printing `durable <n>` once the first n
 * are fsynced in the spool; with `--drain` it then waits until the spool is empty and prints `drained`.
 */
import { dec } from '../../src/domain/decimal.js';
import { openDatabase } from '../../src/storage/open-database.js';
import type { SpooledDatabase } from '../../src/storage/spool/spooled-database.js';

const [dsn, spoolPath, startText, endText, mode] = process.argv.slice(2);
const start = Number(startText);
const end = Number(endText);
const GROUP = 100;

const database = (await openDatabase({
  type: 'postgres',
  dsn: dsn!,
  spool: { path: spoolPath!, batchSize: 500, flushIntervalMs: 50 },
})) as SpooledDatabase;
console.log(`opened pending=${database.depth.records}`);
for (let next = start; next < end; next += GROUP) {
  const ids = Array.from({ length: Math.min(GROUP, end - next) }, (_, i) => next + i);
  await Promise.all(
    ids.map((i) =>
      database.saveTrade({
        id: `spool-${i}`,
        exchange: 'sim',
        symbol: 'BTCUSDT',
        level: i % 50,
        cycle: i,
        quantity: dec('0.001'),
        buyPrice: dec('100'),
        sellPrice: dec('100.5'),
        fees: dec('0.0001'),
        realizedPnl: dec(`0.0004${i}`),
        openedAt: 1_700_000_000_000 + i,
        closedAt: 1_700_000_000_001 + i,
      }),
    ),
  );
  console.log(`durable ${next + ids.length}`);
}
if (mode === '--drain') {
  await database.drain();
  console.log('drained');
  await database.close();
}

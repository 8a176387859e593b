/** `quantmesh backtest` as a real child process: a short run prints the report and writes its files; bad input exits 1. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsProcess } from '../harness/child-process.js';

const BIN = 'src/cli/bin.ts';

async function run(args: readonly string[]) {
  const child = startTsProcess(BIN, args);
  const code = await child.exited;
  return { code, output: child.output() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-backtest-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('quantmesh backtest', () => {
  it('runs the embedded default for a few ticks, prints the report and writes the curve, chart and report.json', async () => {
    const out = join(dir, 'seeded');
    const { code, output } = await run(['backtest', '--ticks', '1500', '--seed', '9', '--out', out]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/symbol\s+sim:BTCUSDT \(seed 9\)/);
    expect(output).toMatch(/ticks\s+1501\n/);
    expect(output).toMatch(/\nrealized PnL \(gross − fees = net\)\s+-?[\d.]+ − -?[\d.]+ = -?\d/);
    for (const label of [
      'unrealized PnL',
      'fees \\(all fills\\)',
      'max drawdown',
      'trades \\(round trips\\)',
      'fills',
      'time in market',
      'final position',
    ]) {
      expect(output).toMatch(new RegExp(`\\n${label}\\s+-?\\d`));
    }
    expect(output).toMatch(/1500\/1500 ticks 100\.0% \d+ ticks\/s/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { ticks: number; seed: number };
    expect(report).toMatchObject({ ticks: 1501, seed: 9 });
    expect((await readFile(join(out, 'equity.csv'), 'utf8')).trim().split('\n')).toHaveLength(1502);
    expect(await readFile(join(out, 'equity.html'), 'utf8')).toContain('<svg');
  });

  it('replays a candle CSV for the symbol of a configuration file', async () => {
    const config = join(dir, 'tiny.yaml');
    await writeFile(
      config,
      [
        'exchanges:',
        '  sim:',
        '    type: sim',
        '    fee_rate: "0.001"',
        '    symbols:',
        '      - { symbol: TESTUSDT, initial_price: "100", tick_size: "0.01", step_size: "0.1" }',
        'trading:',
        '  symbols:',
        '    - { exchange: sim, symbol: TESTUSDT, price_interval: "1", order_quantity: "10", buy_window_size: 2 }',
        '',
      ].join('\n'),
    );
    const csv = join(dir, 'candles.csv');
    await writeFile(csv, 'open_time,open,high,low,close\n0,100,100,98,99\n60000,99,100,99,100\n');
    const { code, output } = await run([
      'backtest',
      '--config',
      config,
      '--csv',
      csv,
      '--out',
      join(dir, 'replay'),
      '--no-progress',
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/ticks\s+8\n/);
    expect(output).toMatch(/trades \(round trips\)\s+2\n/);
    expect(output).not.toMatch(/ticks\/s/);
  });

  it('exits 1 with the reason for an unknown symbol or an unreadable CSV, and shows no stack', async () => {
    const symbol = await run(['backtest', '--symbol', 'NOPEUSDT', '--out', join(dir, 'x')]);
    expect(symbol.code).toBe(1);
    expect(symbol.output).toMatch(
      /^backtest: symbol NOPEUSDT is not in trading.symbols \(configured: BTCUSDT, ETHUSDT, SOLUSDT\)\n$/,
    );
    const badCsv = join(dir, 'bad.csv');
    await writeFile(badCsv, 'price\n100\nabc\n');
    const csv = await run(['backtest', '--csv', badCsv, '--out', join(dir, 'y')]);
    expect(csv.code).toBe(1);
    expect(csv.output).toMatch(/^backtest: replay CSV line 3: not a price: "abc"\n$/);
  });
});

/**
 * `quantmesh backtest` as a real child process: a short run prints the report and writes its files;
 * a small sweep prints the ranked table and writes its CSV and heatmap; bad input exits 1.
 */
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

describe('quantmesh backtest --sweep', () => {
  it('runs every combination on two workers, prints them ranked by net PnL and writes sweep.csv and sweep.html', async () => {
    const out = join(dir, 'sweep');
    const { code, output } = await run([
      'backtest',
      '--ticks',
      '400',
      '--seed',
      '3',
      '--sweep',
      'price_interval=40:60:10',
      '--sweep',
      'sell_window_size=2,6',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    expect(code, output).toBe(0);
    expect(output).toContain('6 runs of sim:BTCUSDT (seed 3), ranked by net PnL\n');
    expect(output).toMatch(
      /\nrank\s+price_interval\s+sell_window_size\s+net_pnl\s+return_pct\s+max_drawdown\s+trades\s+time_in_market\n/,
    );
    expect(output).toMatch(/2400\/2400 ticks 100\.0%/);
    const csv = (await readFile(join(out, 'sweep.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(
      'rank,price_interval,sell_window_size,net_pnl,return_pct,max_drawdown,trades,time_in_market,realized_pnl,fees,fills,paused',
    );
    const rows = csv.slice(1).map((line) => line.split(','));
    expect(rows.map((row) => row[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(new Set(rows.map((row) => `${row[1]} ${row[2]}`))).toEqual(
      new Set(['40 2', '40 6', '50 2', '50 6', '60 2', '60 6']),
    );
    const net = rows.map((row) => Number(row[3]));
    expect(net).toEqual([...net].sort((a, b) => b - a));
    // The terminal table shows the same ranking as the CSV.
    const tableRows = output
      .split('\n')
      .filter((line) => /^\d+\s+\d+\s+\d+\s+-?\d/.test(line))
      .map((line) => line.split(/\s+/).slice(0, 4));
    expect(tableRows).toEqual(rows.map((row) => [row[0], row[1], row[2], Number(row[3]).toFixed(2)]));
    const html = await readFile(join(out, 'sweep.html'), 'utf8');
    expect(html).toContain('<th>sell_window_size \\ price_interval</th><th>40</th><th>50</th><th>60</th>');
    expect(html.match(/<td style="background:rgb\(/g)).toHaveLength(6);
  });

  it('exits 1 naming the spec for a malformed range, an unknown key or a value the configuration refuses', async () => {
    const cases: [string, RegExp][] = [
      [
        'price_interval=60:40:5',
        /^backtest: --sweep price_interval=60:40:5: range ends \(40\) below where it starts \(60\)\n$/,
      ],
      ['price_interval', /^backtest: --sweep price_interval: expected <key>=<from>:<to>:<step>/],
      [
        'price_intervl=40',
        /^backtest: --sweep price_intervl=40: trading\.symbols\[0\]\.price_intervl: unknown key; did you mean "price_interval"\?/,
      ],
      [
        'buy_window_size=0,3',
        /^backtest: --sweep buy_window_size=0: trading\.symbols\[0\]\.buy_window_size: is out of range \(got 0; allowed: an integer from 1 to 500\)\n$/,
      ],
    ];
    for (const [spec, message] of cases) {
      const { code, output } = await run([
        'backtest',
        '--ticks',
        '10',
        '--sweep',
        spec,
        '--out',
        join(dir, 'bad'),
        '--no-progress',
      ]);
      expect(code, output).toBe(1);
      expect(output).toMatch(message);
    }
  });
});

/** What a backtest leaves on disk: the equity curve as CSV, a self-contained HTML chart, report.json. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { backtestSetup } from '../../src/backtest/backtest-setup.js';
import { EquityChart } from '../../src/backtest/equity-chart-html.js';
import { ProgressBar } from '../../src/observability/progress-bar.js';
import { parseReplayCsv } from '../../src/backtest/replay-csv.js';
import { runBacktestToDirectory } from '../../src/backtest/run-backtest-to-directory.js';
import { priceCsv, tinyConfig } from './backtest-fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-backtest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('backtest outputs', () => {
  it('writes the equity curve CSV row per tick, an offline HTML chart and the report as JSON', async () => {
    const setup = backtestSetup(tinyConfig(), {
      replayPrices: parseReplayCsv(priceCsv(['100', '99', '98', '99', '100'])),
    });
    const { report, files } = runBacktestToDirectory(setup, { outDir: join(dir, 'run') });
    expect(await readFile(files.csv, 'utf8')).toBe(
      [
        'time,price,position,realized,unrealized,equity',
        '2024-01-01T00:00:00.000Z,100,0,0,0,0',
        '2024-01-01T00:00:01.000Z,99,0.1,0,0,-0.0099',
        '2024-01-01T00:00:02.000Z,98,0.2,0,-0.1,-0.1197',
        '2024-01-01T00:00:03.000Z,99,0.1,0.0803,0,0.0704',
        '2024-01-01T00:00:04.000Z,100,0,0.1604,0,0.1604',
        '',
      ].join('\n'),
    );
    const html = await readFile(files.html, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<td>0.1604</td>');
    // Self-contained: nothing fetched, nothing run.
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(report);
  });

  it('the chart of a long run keeps a bounded, evenly thinned sample that ends at the last tick', () => {
    const chart = new EquityChart(100);
    for (let tick = 0; tick < 10_000; tick += 1) {
      chart.record({
        time: tick * 1000,
        price: dec(100 + (tick % 7)),
        position: dec(0),
        realized: dec(0),
        unrealized: dec(0),
        equity: dec(tick),
      });
    }
    const samples = chart.samples();
    expect(samples.length).toBeLessThanOrEqual(101);
    expect(samples.length).toBeGreaterThan(40);
    expect(samples[0]?.time).toBe(0);
    expect(samples.at(-1)?.time).toBe(9_999_000);
    const gaps = new Set(
      samples
        .slice(0, -1)
        .map((sample, index) => (samples[index + 1] as { time: number }).time - sample.time)
        .slice(0, -1),
    );
    expect(gaps.size).toBe(1);
  });

  it('the progress bar redraws in place on a terminal with ticks/s, and writes sparse lines to a pipe', () => {
    let now = 0;
    const terminal: string[] = [];
    const bar = new ProgressBar(
      { write: (text) => terminal.push(text), isTTY: true },
      { unit: 'ticks', rate: true, clock: () => now },
    );
    for (let done = 1000; done <= 4000; done += 1000) {
      now += 500;
      bar.update(done, 4000);
    }
    expect(terminal).toHaveLength(4);
    expect(terminal[0]).toMatch(/^\r\[#{8}\.{22}\] 1000\/4000 ticks  25\.0% 2000 ticks\/s$/);
    expect(terminal.at(-1)).toMatch(/4000\/4000 ticks 100\.0% 2000 ticks\/s\n$/);
    const piped: string[] = [];
    now = 0;
    const quiet = new ProgressBar(
      { write: (text) => piped.push(text), isTTY: false },
      { unit: 'ticks', rate: true, clock: () => now },
    );
    for (let done = 1; done <= 100; done += 1) {
      now += 100;
      quiet.update(done, 100);
    }
    // The first update, one after 5 s, and the final one.
    expect(piped).toHaveLength(3);
    expect(piped.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });
});

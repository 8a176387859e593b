import { runBacktest } from '../src/backtest/run-backtest.js';
import { benchSetup } from './backtest-throughput.js';
const T = Number(process.env.T ?? 10_000_000);
let fills = 0; let last = 0; const t0 = process.cpuUsage();
let price = '';
const report = runBacktest(benchSetup(T), {
  onFill: () => { fills++; },
  onTick: (p) => { price = p.price.toFixed(); },
  onProgress: (done) => {
    if (done - last >= 500_000 || done === T) {
      const u = process.cpuUsage(t0);
      console.log(done, 'fills', fills, 'price', price, 'cpu s', ((u.user + u.system) / 1e6).toFixed(1));
      last = done;
    }
  },
});
console.log(JSON.stringify({ pausedBecause: report.pausedBecause, trades: report.trades, fills: report.fills, lastPrice: report.lastPrice?.toString?.() }));

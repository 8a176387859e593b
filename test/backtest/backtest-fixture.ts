/** A tiny market with round numbers, so every figure of a backtest can be computed by hand. */
import { parseConfig, type QuantMeshConfig } from '../../src/config/load-config.js';

/**
 * TEST: tick 0.01, step 0.1, fee 0.1 % on both legs; grid interval 1, 10 USDT per buy (0.1 TEST at
 * 98–100), two buy levels. Extra YAML lines go under the symbol's entry (e.g. grid_risk_control).
 */
export function tinyConfig(symbolExtra = '', orderQuantity = '10'): QuantMeshConfig {
  return parseConfig(
    `
exchanges:
  sim:
    type: sim
    seed: 5
    fee_rate: "0.001"
    symbols:
      - { symbol: TESTUSDT, initial_price: "100", tick_size: "0.01", step_size: "0.1", min_notional: "5" }
trading:
  symbols:
    - exchange: sim
      symbol: TESTUSDT
      price_interval: "1"
      order_quantity: "${orderQuantity}"
      buy_window_size: 2
${symbolExtra}
`,
    { file: 'tiny.yaml', env: {} },
  );
}

export function priceCsv(prices: readonly string[]): string {
  return `time,price\n${prices.map((price, index) => `${index},${price}`).join('\n')}\n`;
}

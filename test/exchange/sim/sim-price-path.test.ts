import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { InvalidSimConfigError } from '../../../src/exchange/sim/errors.js';
import { SimMatchingEngine } from '../../../src/exchange/sim/sim-matching-engine.js';
import { parsePriceCsv } from '../../../src/exchange/sim/sim-price-path.js';
import { defaultSimSymbols } from '../../../src/exchange/sim/sim-settings.js';

describe('replayed price paths', () => {
  it('replays a CSV of trades one price per step, then holds the last', () => {
    const prices = parsePriceCsv('time,price,qty\n1,60000.1,1\n2,59990.0,2\n3,60010.5,1\n');
    const engine = new SimMatchingEngine({
      seed: 1,
      symbols: [{ ...defaultSimSymbols()[0]!, replayPrices: prices }],
      accounts: [{ id: 'a', balances: {} }],
    });
    const seen: string[] = [];
    for (let step = 0; step < 4; step += 1) {
      engine.step();
      seen.push(engine.price('BTCUSDT').toFixed());
    }
    expect(seen).toEqual(['60000.1', '59990', '60010.5', '60010.5']);
  });

  it('takes the close column of candles', () => {
    expect(parsePriceCsv('open_time,open,high,low,close\n0,1,2,0.5,1.5\n').map((price) => price.toFixed())).toEqual([
      '1.5',
    ]);
  });

  it('refuses a CSV without a price column or with a bad row, naming the line', () => {
    expect(() => parsePriceCsv('a,b\n1,2\n')).toThrow(InvalidSimConfigError);
    expect(() => parsePriceCsv('price\n1\nabc\n')).toThrow(/line 3/);
    expect(dec(1).toFixed()).toBe('1');
  });
});

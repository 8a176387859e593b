import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import {
  BINANCE_CLIENT_ORDER_ID_FORMAT,
  closeClientOrderId,
  cyrb53,
  gridClientOrderId,
  gridTag,
  parseClientOrderId,
} from '../../../src/strategy/grid/client-order-id.js';
import { ClientOrderIdFormatError } from '../../../src/strategy/grid/errors.js';

const TAG = gridTag('binance', 'BTC/USDT:USDT', dec('1000'), dec('10'));

describe('client order ids', () => {
  it('the grid tag is the same for the same identity and differs when anchor, interval, symbol or exchange differ', () => {
    expect(gridTag('binance', 'BTC/USDT:USDT', dec('1000.0'), dec('10'))).toBe(TAG);
    const others = [
      gridTag('binance', 'BTC/USDT:USDT', dec('1000.1'), dec('10')),
      gridTag('binance', 'BTC/USDT:USDT', dec('1000'), dec('5')),
      gridTag('binance', 'ETH/USDT:USDT', dec('1000'), dec('10')),
      gridTag('okx', 'BTC/USDT:USDT', dec('1000'), dec('10')),
    ];
    for (const other of others) expect(other).not.toBe(TAG);
    expect(TAG).toMatch(/^[0-9a-z]{8}$/);
  });

  it('cyrb53 is a pure function with known output', () => {
    expect(cyrb53('a')).toBe(cyrb53('a'));
    expect(cyrb53('a')).not.toBe(cyrb53('b'));
    expect(cyrb53('')).toBe(3338908027751811);
  });

  it('encodes level, side and cycle within Binance limits, and the next cycle gets a new id', () => {
    const first = gridClientOrderId(TAG, -12, 'BUY', 0);
    const next = gridClientOrderId(TAG, -12, 'BUY', 1);
    expect(first).not.toBe(next);
    expect(gridClientOrderId(TAG, -12, 'BUY', 0)).toBe(first);
    expect(gridClientOrderId(TAG, -12, 'SELL', 0)).not.toBe(first);
    const longest = gridClientOrderId(TAG, -999_999_999, 'SELL', 99_999_999);
    expect(longest.length).toBeLessThanOrEqual(36);
    expect(longest).toMatch(BINANCE_CLIENT_ORDER_ID_FORMAT.pattern);
  });

  it('round trips every (level, side, cycle) through parse', () => {
    for (const level of [-1_000_000, -1, 0, 1, 7, 123_456]) {
      for (const side of ['BUY', 'SELL'] as const) {
        for (const cycle of [0, 1, 42, 9_999_999]) {
          expect(parseClientOrderId(gridClientOrderId(TAG, level, side, cycle))).toEqual({
            tag: TAG,
            purpose: 'grid',
            level,
            side,
            cycle,
          });
        }
      }
    }
  });

  it('close ids parse as closes of the grid: decision time and close sequence', () => {
    const id = closeClientOrderId(TAG, 1_700_000_000_000, 7);
    expect(parseClientOrderId(id)).toEqual({
      tag: TAG,
      purpose: 'close',
      side: 'SELL',
      decidedAt: 1_700_000_000_000,
      sequence: 7,
    });
  });

  it('two closes decided in the same millisecond get different ids', () => {
    expect(closeClientOrderId(TAG, 1_700_000_000_000, 0)).not.toBe(closeClientOrderId(TAG, 1_700_000_000_000, 1));
  });

  it('foreign or malformed ids parse as undefined', () => {
    for (const id of [
      '',
      'web_abc123',
      'x-1234',
      `qm.${TAG}.B.1`,
      `qm.${TAG}.B.1.2.3`,
      `qm.${TAG}.Z.1.0`,
      `qm.${TAG}.B.01.0`,
      `qm.${TAG}.B.1.-1`,
      `qm.SHORT.B.1.0`,
      `zz.${TAG}.B.1.0`,
      `qm.${TAG}.B.1e3.0`,
      `qm.${TAG}.S.99999999999999999999.0`,
      `qm.${TAG}.X.loyw3v28.-1`,
      `qm.${TAG}.X.loyw3v28.01`,
    ]) {
      expect(parseClientOrderId(id), id).toBeUndefined();
    }
  });

  it('a venue with a shorter limit or another separator gets ids that fit, or a typed error', () => {
    const format = { maxLength: 20, pattern: /^[A-Za-z0-9_]{1,20}$/, separator: '_' };
    const id = gridClientOrderId(TAG, 5, 'BUY', 3, format);
    expect(id).toMatch(format.pattern);
    expect(parseClientOrderId(id, format)).toEqual({ tag: TAG, purpose: 'grid', level: 5, side: 'BUY', cycle: 3 });
    expect(() => gridClientOrderId(TAG, -5, 'BUY', 3, format)).toThrow(ClientOrderIdFormatError);
    expect(() => gridClientOrderId(TAG, 123456, 'BUY', 123456, format)).toThrow(ClientOrderIdFormatError);
  });
});

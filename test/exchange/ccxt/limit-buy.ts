/** A plain BTCUSDT limit buy for the ccxt adapter's tests against the sim venue (50000 × 0.002 unless told). */
import { dec } from '../../../src/domain/decimal.js';

export const limitBuy = (clientOrderId: string, price = '50000') => ({
  symbol: 'BTCUSDT',
  side: 'BUY' as const,
  type: 'LIMIT' as const,
  price: dec(price),
  quantity: dec('0.002'),
  postOnly: false,
  reduceOnly: false,
  clientOrderId,
});

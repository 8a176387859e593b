/**
 * The market stream events a price move makes (Binance USDⓈ-M names and shapes): 24 h ticker and
 * mini ticker, aggTrade and trade (the move's synthetic trade), mark price; and the bookTicker of a
 * book change. Only the streams someone watches are built.
 */
import { ZERO, decimalToString as text } from '../../domain/decimal.js';
import type { PriceTick } from '../../domain/market.js';
import type { MarketHistory } from './market-history.js';
import type { SimVenueBook } from './sim-venue-book.js';

export type Watched = (stream: string) => boolean;

/** [stream, payload] pairs for a price move of `tick.symbol`. */
export function priceMoveEvents(tick: PriceTick, history: MarketHistory, watched: Watched): [string, object][] {
  const lower = tick.symbol.toLowerCase();
  const events: [string, object][] = [];
  const E = tick.time;
  const price = text(tick.price);
  if (watched(`${lower}@ticker`) || watched(`${lower}@miniticker`)) {
    const day = history.dayStatistics(tick.symbol);
    const change = day.last.minus(day.open);
    const mini = {
      e: '24hrMiniTicker',
      E,
      s: tick.symbol,
      c: price,
      o: text(day.open),
      h: text(day.high),
      l: text(day.low),
      v: text(day.volume),
      q: text(day.quoteVolume),
    };
    events.push([`${lower}@miniticker`, mini]);
    events.push([
      `${lower}@ticker`,
      {
        ...mini,
        e: '24hrTicker',
        p: text(change),
        P: text(day.open.isZero() ? ZERO : change.div(day.open).mul(100).toDecimalPlaces(3)),
        w: text(day.volume.isZero() ? day.last : day.quoteVolume.div(day.volume).toDecimalPlaces(8)),
        Q: text(history.last(tick.symbol).quantity),
        O: day.openTime,
        C: E,
        F: day.firstId,
        L: day.lastId,
        n: day.count,
      },
    ]);
  }
  const trade = history.last(tick.symbol);
  const quantity = text(trade.quantity);
  events.push([
    `${lower}@aggtrade`,
    {
      e: 'aggTrade',
      E,
      s: tick.symbol,
      a: trade.id,
      p: price,
      q: quantity,
      f: trade.id,
      l: trade.id,
      T: trade.time,
      m: trade.buyerIsMaker,
    },
  ]);
  events.push([
    `${lower}@trade`,
    {
      e: 'trade',
      E,
      T: trade.time,
      s: tick.symbol,
      t: trade.id,
      p: price,
      q: quantity,
      X: 'MARKET',
      m: trade.buyerIsMaker,
    },
  ]);
  // No funding in the sim: rate 0, next funding at the next 8-hour boundary.
  const mark = {
    e: 'markPriceUpdate',
    E,
    s: tick.symbol,
    p: price,
    ap: price,
    P: price,
    i: price,
    r: '0',
    T: E - (E % 28_800_000) + 28_800_000,
  };
  events.push([`${lower}@markprice`, mark], [`${lower}@markprice@1s`, mark]);
  return events;
}

export function bookTickerEvent(symbol: string, book: SimVenueBook, eventTime: number): [string, object] {
  const top = book.snapshot(symbol, 1);
  const [bid, ask] = [top.bids[0], top.asks[0]];
  return [
    `${symbol.toLowerCase()}@bookticker`,
    {
      e: 'bookTicker',
      u: top.updateId,
      E: eventTime,
      T: eventTime,
      s: symbol,
      b: text(bid?.[0] ?? ZERO),
      B: text(bid?.[1] ?? ZERO),
      a: text(ask?.[0] ?? ZERO),
      A: text(ask?.[1] ?? ZERO),
    },
  ];
}

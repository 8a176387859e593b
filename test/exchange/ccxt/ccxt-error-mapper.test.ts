import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { mapCcxtError, retryAfterMsOf, venueErrorCode } from '../../../src/exchange/ccxt/ccxt-error-mapper.js';
import { rebaseUrls } from '../../../src/exchange/ccxt/ccxt-client-factory.js';
import { CCXT_VENUE_PROFILES } from '../../../src/exchange/ccxt/ccxt-venue-profiles.js';
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  NetworkUnknownOutcomeError,
  PostOnlyWouldCrossError,
  ReduceOnlyRejectedError,
  UnknownOrderError,
} from '../../../src/exchange/errors.js';

const binance = {
  venue: 'binance',
  profile: CCXT_VENUE_PROFILES['binanceusdm']!,
  changesState: true,
  clientOrderId: 'cid-1',
};

describe('ccxt error mapping', () => {
  it('reads the venue code from the JSON body in a ccxt message', () => {
    expect(venueErrorCode('binanceusdm {"code":-2022,"msg":"ReduceOnly Order is rejected."}')).toBe('-2022');
    expect(venueErrorCode('bybit {"retCode":110072,"retMsg":"OrderLinkedID is duplicate"}')).toBe('110072');
    expect(venueErrorCode('no body here')).toBeUndefined();
    // OKX: the per-order code decides over the envelope's "all operations failed"; 0 is success.
    expect(venueErrorCode('okx {"code":"1","msg":"All operations failed","data":[{"sCode":"51016"}]}')).toBe('51016');
    expect(venueErrorCode('{"clOrdId":"a1","ordId":"2","sCode":"0","sMsg":"Order placed"}')).toBeUndefined();
    expect(venueErrorCode('{"retCode":0,"retMsg":"OK"}')).toBeUndefined();
  });

  it('refines ccxt generic classes with Binance codes', () => {
    const cases: [Error, new (...args: never[]) => Error][] = [
      [
        new ccxt.InvalidOrder('binanceusdm {"code":-4116,"msg":"ClientOrderId is duplicated."}'),
        DuplicateClientOrderIdError,
      ],
      [
        new ccxt.InvalidOrder('binanceusdm {"code":-2022,"msg":"ReduceOnly Order is rejected."}'),
        ReduceOnlyRejectedError,
      ],
      [
        new ccxt.InsufficientFunds('binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'),
        InsufficientMarginError,
      ],
      [new ccxt.OrderNotFillable('binanceusdm {"code":-5022,"msg":"..."}'), PostOnlyWouldCrossError],
      [new ccxt.BadRequest('binanceusdm {"code":-1013,"msg":"Filter failure: PRICE_FILTER"}'), InvalidOrderError],
      [new ccxt.OrderNotFound('binanceusdm {"code":-2011,"msg":"Unknown order sent."}'), UnknownOrderError],
      [
        new ccxt.AuthenticationError('binanceusdm {"code":-1022,"msg":"Signature for this request is not valid."}'),
        AuthenticationError,
      ],
      [new ccxt.RequestTimeout('binanceusdm POST https://x timed out'), NetworkUnknownOutcomeError],
    ];
    for (const [error, expected] of cases) expect(mapCcxtError(error, binance)).toBeInstanceOf(expected);
    const duplicate = mapCcxtError(cases[0]![0], binance) as DuplicateClientOrderIdError;
    expect(duplicate.clientOrderId).toBe('cid-1');
  });

  it('tells Binance spot refusals under -2010 apart by their exact message', () => {
    expect(
      mapCcxtError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'), binance),
    ).toBeInstanceOf(DuplicateClientOrderIdError);
    // ccxt itself classifies these two by message; the profile leaves them to it.
    expect(
      mapCcxtError(new ccxt.OrderImmediatelyFillable('binance Order would immediately match and take.'), binance),
    ).toBeInstanceOf(PostOnlyWouldCrossError);
    expect(
      mapCcxtError(
        new ccxt.InsufficientFunds('binance Account has insufficient balance for requested action.'),
        binance,
      ),
    ).toBeInstanceOf(InsufficientMarginError);
  });

  it('keeps the request out of the mapped message', () => {
    const mapped = mapCcxtError(
      new ccxt.AuthenticationError(
        'binanceusdm GET https://h/fapi/v3/account?timestamp=1&signature=deadbeef {"code":-2015}',
      ),
      binance,
    );
    expect(mapped.message).not.toContain('deadbeef');
  });

  it('rebases every REST and WebSocket URL onto one base URL', () => {
    const rebased = rebaseUrls(
      {
        fapiPublic: 'https://fapi.binance.com/fapi/v1',
        ws: { future: 'wss://fstream.binance.com/ws', nested: { spot: 'wss://x:9443/ws' } },
        doc: 'not a url',
      },
      'http://127.0.0.1:8090',
    );
    expect(rebased).toEqual({
      fapiPublic: 'http://127.0.0.1:8090/fapi/v1',
      ws: { future: 'ws://127.0.0.1:8090/ws', nested: { spot: 'ws://127.0.0.1:8090/ws' } },
      doc: 'not a url',
    });
  });
});

describe("a 429/418's wait", () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it('reads Retry-After in seconds or as an HTTP date, a header in ms or as an epoch time, and a ban end', () => {
    expect(retryAfterMsOf({ 'Retry-After': '7' }, undefined, now)).toBe(7_000);
    expect(retryAfterMsOf({ 'retry-after': 'Wed, 02 Dec 2026 12:00:30 GMT' }, undefined, now)).toBe(30_000);
    expect(retryAfterMsOf({ 'X-Wait': '1500' }, undefined, now, { name: 'x-wait', unit: 'milliseconds' })).toBe(1_500);
    expect(
      retryAfterMsOf(
        { 'X-Bapi-Limit-Reset-Timestamp': String(now + 2_500) },
        undefined,
        now,
        CCXT_VENUE_PROFILES['bybit']!.retryAfter,
      ),
    ).toBe(2_500);
    // Binance's 418: the later of Retry-After and the ban's end in the message.
    const banned = `{"code":-1003,"msg":"Way too many requests; IP banned until ${now + 300_000}."}`;
    expect(retryAfterMsOf({ 'Retry-After': '120' }, banned, now)).toBe(300_000);
  });

  it('is unknown when nothing readable says it (the budget then pauses a minute)', () => {
    expect(retryAfterMsOf({}, '{"code":-1003}', now)).toBeUndefined();
    expect(retryAfterMsOf({ 'Retry-After': 'soon' }, undefined, now)).toBeUndefined();
    expect(retryAfterMsOf({ 'Retry-After': '-3' }, undefined, now)).toBeUndefined();
  });
});

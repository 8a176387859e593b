/**
 * The `/_sim/*` test hooks (served only with `--admin`): moving the market and the clock, refusing
 * orders, and the faults of docs/venues.md (lost and late answers, forced 429/418, maintenance,
 * dropped, duplicated and reordered stream events, listen-key expiry).
 */
import { dec } from '../../domain/decimal.js';
import type { OrderSide, OrderType } from '../../domain/order.js';
import { SimVenueRequestError } from './errors.js';
import type { Route } from './route.js';
import { booleanParam, decimalParam, oneOf, optionalInteger, required } from './route-params.js';
import type { HttpFaultKind } from './sim-venue-faults.js';

function boundedInteger(params: URLSearchParams, name: string, fallback: number, max: number, min = 1): number {
  const value = optionalInteger(params, name) ?? fallback;
  if (value < min || value > max)
    throw new SimVenueRequestError(400, -1100, `${name} must be an integer in ${min}..${max}`);
  return value;
}

/** `POST /_sim/<kind>?path=&method=&count=n…`: the next n requests (to `path`, by `method`) suffer `kind`. */
function httpFault(kind: HttpFaultKind): Route {
  return {
    security: 'admin',
    handle: ({ faults, params }) => {
      const path = params.get('path') ?? undefined;
      if (path !== undefined && !path.startsWith('/'))
        throw new SimVenueRequestError(400, -1100, 'path must start with /');
      const fault = {
        kind,
        path,
        method: params.get('method')?.toUpperCase() ?? undefined,
        delayMs: kind === 'delay-answer' ? boundedInteger(params, 'ms', 1000, 600_000) : 0,
        retryAfterSeconds: boundedInteger(params, 'retryAfter', kind === 'ban' ? 120 : 1, 86_400),
      };
      const count = boundedInteger(params, 'count', 1, 1_000);
      faults.add(fault, count);
      return { ...fault, count };
    },
  };
}

export const SIM_ADMIN_ROUTES: Readonly<Record<string, Route>> = {
  'POST /_sim/price': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      engine.setPrice(symbol, decimalParam(params, 'price'));
      return { symbol, price: engine.price(symbol).toFixed(), time: engine.now() };
    },
  },
  'POST /_sim/step': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const ticks = boundedInteger(params, 'ticks', 1, 1_000_000);
      for (let index = 0; index < ticks; index += 1) engine.step();
      return { time: engine.now() };
    },
  },
  'POST /_sim/refuse-next': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      const type = params.get('type') === null ? undefined : oneOf<OrderType>(params, 'type', ['LIMIT', 'MARKET']);
      const count = boundedInteger(params, 'count', 1, 1_000);
      engine.refuseNextOrders(symbol, type, count);
      return { symbol, type: type ?? 'ANY', count };
    },
  },
  'POST /_sim/unreported-fill': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const account = required(params, 'account');
      const symbol = required(params, 'symbol');
      engine.bookUnreportedFill(
        account,
        symbol,
        oneOf<OrderSide>(params, 'side', ['BUY', 'SELL']),
        decimalParam(params, 'quantity'),
      );
      return {
        account,
        symbol,
        position: engine
          .positions(account, [symbol])
          .reduce((sum, position) => sum.add(position.quantity), dec(0))
          .toFixed(),
      };
    },
  },
  'POST /_sim/lose-answer': httpFault('lose-answer'),
  'POST /_sim/delay-answer': httpFault('delay-answer'),
  'POST /_sim/rate-limit': httpFault('rate-limit'),
  'POST /_sim/ban': httpFault('ban'),
  'POST /_sim/maintenance': {
    security: 'admin',
    handle: ({ faults, params }) => {
      faults.setMaintenance(booleanParam(params, 'on'));
      return { maintenance: faults.inMaintenance() };
    },
  },
  'POST /_sim/clear-faults': {
    security: 'admin',
    handle: ({ faults, streams }) => {
      faults.clear();
      streams.clearFaults();
      return {};
    },
  },
  'POST /_sim/drop-streams': { security: 'admin', handle: ({ streams }) => ({ dropped: streams.dropAll() }) },
  'POST /_sim/inject-malformed': {
    security: 'admin',
    handle: ({ streams, params }) => ({ sent: streams.injectMalformed(oneOf(params, 'target', ['market', 'user'])) }),
  },
  'POST /_sim/stream-fault': {
    security: 'admin',
    handle: ({ streams, params }) => {
      const kind = oneOf(params, 'kind', ['duplicate', 'reorder']);
      const target = oneOf(params, 'target', ['market', 'user']);
      const count = boundedInteger(params, 'count', 1, 1_000);
      return { kind, target, count, connections: streams.addFault(kind, target, count) };
    },
  },
  'POST /_sim/expire-listen-keys': {
    security: 'admin',
    handle: ({ listenKeys, streams }) => ({
      expired: listenKeys.expireAll().map(({ key, accountId }) => streams.expireListenKey(key, accountId)).length,
    }),
  },
};

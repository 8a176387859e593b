/** The stored records, paginated and filtered by exchange, symbol and time: orders, fills, trades, events, statistics. */
import type { FastifyInstance } from 'fastify';
import type { DatabaseOperations } from '../../storage/database.js';
import type { EventType, Page, TimeRange } from '../../storage/records.js';
import {
  EVENT,
  EVENTS_QUERY,
  FILL,
  LIST_QUERY,
  ORDER,
  STATISTICS,
  STATISTICS_QUERY,
  TRADE,
  pageOf,
} from '../api-schemas.js';
import { plainJson } from '../plain-json.js';
import { parseTime } from '../parse-time.js';

interface ListQuery {
  readonly exchange?: string;
  readonly symbol?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly offset: number;
  readonly type?: string;
}

type Filter = Page & TimeRange & { readonly exchange?: string | undefined; readonly symbol?: string | undefined };

function filterOf(query: ListQuery): Filter {
  return {
    exchange: query.exchange,
    symbol: query.symbol,
    from: parseTime(query.from),
    to: parseTime(query.to),
    limit: query.limit,
    offset: query.offset,
  };
}

function page<T extends object>(items: readonly T[], query: ListQuery) {
  return {
    items: items.map(plainJson),
    limit: query.limit,
    offset: query.offset,
    nextOffset: items.length === query.limit ? query.offset + query.limit : undefined,
  };
}

export function recordRoutes(server: FastifyInstance, database: DatabaseOperations): void {
  const list = (
    path: string,
    summary: string,
    item: object,
    read: (filter: Filter, query: ListQuery) => Promise<readonly object[]>,
    querystring: object = LIST_QUERY,
  ) => {
    server.get<{ Querystring: ListQuery }>(
      path,
      {
        schema: { summary, tags: ['records'], querystring, response: { 200: pageOf(item) } },
      },
      async (request) => page(await read(filterOf(request.query), request.query), request.query),
    );
  };
  list('/api/orders', 'Orders (last state), by last update time', ORDER, (filter) => database.getOrders(filter));
  list('/api/fills', 'Fills, by fill time', FILL, (filter) => database.getFills(filter));
  list(
    '/api/trades',
    'Completed round trips (buy then sell), by close time; realized PnL net of fees',
    TRADE,
    (filter) => database.getTrades(filter),
  );
  list(
    '/api/events',
    'Events an operator looks back on (ownership, pauses, risk, reconciliations, operator actions)',
    EVENT,
    (filter, query) => database.getEvents({ ...filter, type: query.type as EventType | undefined }),
    EVENTS_QUERY,
  );

  server.get<{ Querystring: Omit<ListQuery, 'limit' | 'offset'> }>(
    '/api/statistics',
    {
      schema: {
        summary: 'Per symbol and UTC day, and in total: trades, volume, realized PnL net of fees, fees, win rate',
        tags: ['records'],
        querystring: STATISTICS_QUERY,
        response: { 200: STATISTICS },
      },
    },
    async (request) => {
      const { exchange, symbol, from, to } = request.query;
      const statistics = await database.getStatistics({ exchange, symbol, from: parseTime(from), to: parseTime(to) });
      return { ...plainJson(statistics), days: statistics.days.map(plainJson) };
    },
  );
}

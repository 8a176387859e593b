/**
 * JSON schemas of the HTTP API: fastify validates requests and serialises answers with them, and
 * @fastify/swagger turns them into the OpenAPI document at `/api/openapi.json`. Response schemas
 * list every property an answer may carry, so nothing else (no secret) can be serialised.
 * Decimals are strings (exact), times epoch milliseconds UTC.
 */
const decimal = { type: 'string', description: 'exact decimal' } as const;
const optionalDecimal = { type: ['string', 'null'], description: 'exact decimal' } as const;
const epochMs = { type: 'integer', description: 'epoch milliseconds UTC' } as const;

/** `from`/`to` accept epoch ms or an ISO 8601 time; see parseTime. */
const timeBound = {
  type: 'string',
  pattern: '^(\\d{1,15}|\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?)$',
} as const;

export const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exchange: { type: 'string', maxLength: 64 },
    symbol: { type: 'string', maxLength: 64 },
    from: { ...timeBound, description: 'inclusive lower bound: epoch ms or ISO 8601' },
    to: { ...timeBound, description: 'exclusive upper bound: epoch ms or ISO 8601' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'rows to skip; a page answers `nextOffset` while more may follow',
    },
  },
} as const;

export const EVENTS_QUERY = {
  ...LIST_QUERY,
  properties: {
    ...LIST_QUERY.properties,
    type: { type: 'string', maxLength: 64, description: 'event type, e.g. ownership.acquired' },
  },
} as const;

export const STATISTICS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exchange: LIST_QUERY.properties.exchange,
    symbol: LIST_QUERY.properties.symbol,
    from: LIST_QUERY.properties.from,
    to: LIST_QUERY.properties.to,
  },
} as const;

export const SYMBOL_PARAMS = {
  type: 'object',
  required: ['exchange', 'symbol'],
  properties: { exchange: { type: 'string', maxLength: 64 }, symbol: { type: 'string', maxLength: 64 } },
} as const;

/** A page of rows: `nextOffset` is present when the page is full (more may follow). */
export function pageOf(item: object): object {
  return {
    type: 'object',
    required: ['items', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: item },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      nextOffset: { type: 'integer' },
    },
  };
}

export const ERROR = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, owner: { type: 'string' } },
} as const;

export const ORDER = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    symbol: { type: 'string' },
    clientOrderId: { type: 'string' },
    exchangeOrderId: { type: ['string', 'null'] },
    side: { type: 'string', enum: ['BUY', 'SELL'] },
    type: { type: 'string' },
    price: optionalDecimal,
    quantity: decimal,
    filledQuantity: decimal,
    averagePrice: optionalDecimal,
    status: { type: 'string' },
    postOnly: { type: 'boolean' },
    reduceOnly: { type: 'boolean' },
    level: { type: ['integer', 'null'] },
    cycle: { type: ['integer', 'null'] },
    createdAt: epochMs,
    updatedAt: epochMs,
  },
} as const;

export const FILL = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    account: { type: 'string' },
    tradeId: { type: 'string' },
    symbol: { type: 'string' },
    clientOrderId: { type: 'string' },
    exchangeOrderId: { type: 'string' },
    side: { type: 'string', enum: ['BUY', 'SELL'] },
    price: decimal,
    quantity: decimal,
    fee: decimal,
    feeAsset: { type: 'string' },
    isMaker: { type: 'boolean' },
    time: epochMs,
  },
} as const;

export const TRADE = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    exchange: { type: 'string' },
    symbol: { type: 'string' },
    level: { type: 'integer' },
    cycle: { type: 'integer' },
    quantity: decimal,
    buyPrice: decimal,
    sellPrice: decimal,
    fees: decimal,
    realizedPnl: { ...decimal, description: 'net of fees' },
    openedAt: epochMs,
    closedAt: epochMs,
  },
} as const;

export const EVENT = {
  type: 'object',
  properties: {
    time: epochMs,
    type: { type: 'string' },
    instanceId: { type: 'string' },
    exchange: { type: ['string', 'null'] },
    symbol: { type: ['string', 'null'] },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const STATISTICS_FIGURES = {
  realizedPnl: { ...decimal, description: 'net of fees' },
  fees: decimal,
  volume: { ...decimal, description: 'quote volume of the sells' },
  tradeCount: { type: 'integer' },
  winRate: { ...decimal, description: 'winning trades / trades, 0 to 1' },
} as const;

export const STATISTICS = {
  type: 'object',
  properties: {
    ...STATISTICS_FIGURES,
    days: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          exchange: { type: 'string' },
          symbol: { type: 'string' },
          day: { type: 'string', format: 'date' },
          ...STATISTICS_FIGURES,
        },
      },
    },
  },
} as const;

const HEALTH_COMPONENT = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    healthy: { type: 'boolean' },
    cause: { type: 'string' },
    latencyMs: { type: 'number' },
  },
} as const;

export const HEALTH = {
  type: 'object',
  properties: { healthy: { type: 'boolean' }, components: { type: 'array', items: HEALTH_COMPONENT } },
} as const;

export const SYMBOL_STATUS = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    symbol: { type: 'string' },
    state: { type: 'string' },
    pausedReason: { type: 'string' },
    ownership: { type: 'string', enum: ['waiting', 'owned', 'lost', 'unassigned'] },
    ownedSince: epochMs,
    price: decimal,
    position: decimal,
    averageEntryPrice: decimal,
    workingOrders: { type: 'integer' },
    realizedPnl: decimal,
    unrealizedPnl: decimal,
    fees: decimal,
    tradeCount: { type: 'integer' },
  },
} as const;

export const INSTANCE_STATUS = {
  type: 'object',
  properties: {
    instanceId: { type: 'string' },
    version: { type: 'string' },
    mode: { type: 'string', enum: ['active', 'standby', 'activated', 'degraded-standby', 'degraded-leader'] },
    startedAt: { type: 'string', format: 'date-time' },
    allocation: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['static', 'dynamic'] },
        members: { type: 'array', items: { type: 'string' } },
      },
    },
    symbols: { type: 'array', items: SYMBOL_STATUS },
    venues: { type: 'object', additionalProperties: { type: 'string', enum: ['simulated', 'paper', 'live'] } },
  },
} as const;

export const CLUSTER = {
  type: 'object',
  properties: {
    generatedAt: epochMs,
    lockBackend: { type: 'string' },
    databaseDialect: { type: 'string' },
    health: HEALTH,
    degraded: {
      type: 'object',
      nullable: true,
      description:
        'degraded single-instance mode (lock backend lost): the survivor trading every symbol and the instances acting on nothing; null when no running instance is degraded',
      properties: {
        survivor: { type: 'string', nullable: true },
        standbys: { type: 'array', items: { type: 'string' } },
      },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          instanceId: { type: 'string' },
          url: { type: 'string' },
          version: { type: 'string' },
          mode: { type: 'string' },
          state: {
            type: 'string',
            enum: ['running', 'stopped', 'missing'],
            description: 'missing: no heartbeat for one lease TTL',
          },
          startedAt: { type: 'string' },
          heartbeatAt: epochMs,
          allocation: { type: 'string' },
          health: HEALTH,
          owned: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    symbols: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...SYMBOL_STATUS.properties,
          owner: {
            type: ['string', 'null'],
            description: 'the instance holding the ownership lease, as it last reported',
          },
          leaseExpiresBy: {
            ...epochMs,
            description: "the owner's lease runs out by then unless renewed (heartbeat + lease TTL)",
          },
        },
      },
    },
  },
} as const;

export const ACTION_RESULT = {
  type: 'object',
  required: ['action', 'instanceId'],
  properties: {
    action: { type: 'string' },
    instanceId: { type: 'string' },
    exchange: { type: 'string' },
    symbol: { type: 'string' },
    ordersCancelled: { type: 'integer' },
    handedOver: { type: 'array', items: { type: 'string' } },
  },
} as const;

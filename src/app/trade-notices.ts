/**
 * Opt-in trade notifications (`notifications.<channel>.trades`): every round trip booked for a
 * symbol this instance owns is sent once. Read from the shared database (the Database port) rather
 * than from the trading path, so a slow chat API can never delay an order; a trade reaches the
 * channels within one poll of being stored. Only trades closed after the instance started are sent,
 * and a trade stored more than LOOKBACK_MS after it closed (a long database outage) is not.
 */
import type { Logger } from 'pino';
import type { NotificationDispatcher } from '../observability/notifications/notification-dispatcher.js';
import type { Database } from '../storage/database.js';

export interface TradeNoticeOptions {
  readonly database: Pick<Database, 'getTrades'>;
  readonly dispatcher: NotificationDispatcher;
  readonly instanceId: string;
  /** Whether this instance owns (trades) the symbol now: the owner sends, so each trade goes out once. */
  readonly owns: (exchange: string, symbol: string) => boolean;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly pollIntervalMs: number;
}

const PAGE = 500;
/**
 * Each poll re-reads this far back, so a trade stored late (the spool flushes in batches; after a
 * database outage, later) is still sent; ids already sent are remembered for as long.
 */
const LOOKBACK_MS = 10 * 60_000;

export class TradeNotices {
  readonly #options: TradeNoticeOptions;
  readonly #startedAt: number;
  #newest: number;
  /** Trades already handled (sent, or owned elsewhere), by id, with their close time. */
  readonly #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(options: TradeNoticeOptions) {
    this.#options = options;
    this.#startedAt = options.clock();
    this.#newest = this.#startedAt;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#polling ??= this.poll().finally(() => {
        this.#polling = undefined;
      });
    }, this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  /** Sends the trades stored since the last poll. A database failure is logged and retried next poll. */
  async poll(): Promise<void> {
    const { database, dispatcher, instanceId, owns, logger } = this.#options;
    const from = Math.max(this.#startedAt, this.#newest - LOOKBACK_MS);
    try {
      for (let offset = 0; ; offset += PAGE) {
        const trades = await database.getTrades({ from, limit: PAGE, offset });
        for (const trade of trades) {
          if (this.#seen.has(trade.id)) continue;
          this.#seen.set(trade.id, trade.closedAt);
          this.#newest = Math.max(this.#newest, trade.closedAt);
          if (owns(trade.exchange, trade.symbol)) dispatcher.dispatch({ type: 'trade', instanceId, trade });
        }
        if (trades.length < PAGE) break;
      }
    } catch (error) {
      logger.warn({ err: error }, 'trade notifications: reading trades failed (retried at the next poll)');
    }
    for (const [id, closedAt] of this.#seen) if (closedAt < this.#newest - LOOKBACK_MS) this.#seen.delete(id);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }
}

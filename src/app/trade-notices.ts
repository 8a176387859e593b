/**
 * Opt-in trade notifications (`notifications.<channel>.trades`): every round trip booked for a
 * symbol this instance owns is sent once. Read from the shared database (the Database port) rather
 * than from the trading path, so a slow chat API can never delay an order; a trade reaches the
 * channels within one poll of being stored. Only trades closed after the instance started are sent.
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

export class TradeNotices {
  readonly #options: TradeNoticeOptions;
  #cursor: number;
  /** Ids already sent at the cursor's millisecond (the next read starts there again). */
  #sentAtCursor = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(options: TradeNoticeOptions) {
    this.#options = options;
    this.#cursor = options.clock();
  }

  start(): void {
    this.#timer = setInterval(() => { this.#polling ??= this.poll().finally(() => { this.#polling = undefined; }); }, this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  /** Sends the trades stored since the last poll. A database failure is logged and retried next poll. */
  async poll(): Promise<void> {
    const { database, dispatcher, instanceId, owns, logger } = this.#options;
    try {
      for (;;) {
        const trades = await database.getTrades({ from: this.#cursor, limit: PAGE });
        const fresh = trades.filter((trade) => !(trade.closedAt === this.#cursor && this.#sentAtCursor.has(trade.id)));
        for (const trade of fresh) {
          if (trade.closedAt > this.#cursor) {
            this.#cursor = trade.closedAt;
            this.#sentAtCursor = new Set();
          }
          this.#sentAtCursor.add(trade.id);
          if (owns(trade.exchange, trade.symbol)) dispatcher.dispatch({ type: 'trade', instanceId, trade });
        }
        if (trades.length < PAGE || fresh.length === 0) return;
      }
    } catch (error) {
      logger.warn({ err: error }, 'trade notifications: reading trades failed (retried at the next poll)');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }
}

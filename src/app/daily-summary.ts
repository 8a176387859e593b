/**
 * Opt-in daily PnL summary (`notifications.<channel>.daily_summary`): at
 * `notifications.daily_summary_time` (UTC) each instance sends, for the symbols it owns then, the
 * previous UTC day's statistics from the shared database (GetStatistics: trades, volume, realized
 * PnL net of fees, fees, win rate). A standby that owns nothing sends nothing.
 */
import type { Logger } from 'pino';
import type { NotificationDispatcher } from '../observability/notifications/notification-dispatcher.js';
import type { Database } from '../storage/database.js';

const DAY_MS = 86_400_000;

export interface DailySummaryOptions {
  readonly database: Pick<Database, 'getStatistics'>;
  readonly dispatcher: NotificationDispatcher;
  readonly instanceId: string;
  /** The symbols this instance owns now. */
  readonly owned: () => readonly { exchange: string; symbol: string }[];
  readonly logger: Logger;
  readonly clock: () => number;
  /** `HH:MM`, UTC. */
  readonly time: string;
}

export class DailySummary {
  readonly #options: DailySummaryOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DailySummaryOptions) {
    this.#options = options;
  }

  /** Schedules the next summary, and after each one the next. */
  start(): void {
    const now = this.#options.clock();
    this.#timer = setTimeout(
      () => {
        void this.send(Math.floor(this.#options.clock() / DAY_MS) * DAY_MS - DAY_MS).finally(() => this.start());
      },
      nextRun(now, this.#options.time) - now,
    );
    this.#timer.unref();
  }

  /** Sends the summary of the UTC day starting at `dayStart` (epoch ms). */
  async send(dayStart: number): Promise<void> {
    const { database, dispatcher, instanceId, owned, logger } = this.#options;
    try {
      const symbols = await Promise.all(
        owned().map(async ({ exchange, symbol }) => {
          const statistics = await database.getStatistics({ exchange, symbol, from: dayStart, to: dayStart + DAY_MS });
          return {
            exchange,
            symbol,
            tradeCount: statistics.tradeCount,
            volume: statistics.volume,
            realizedPnl: statistics.realizedPnl,
            fees: statistics.fees,
            winRate: statistics.winRate,
          };
        }),
      );
      if (symbols.length === 0) return;
      dispatcher.dispatch({
        type: 'daily-summary',
        instanceId,
        day: new Date(dayStart).toISOString().slice(0, 10),
        symbols,
      });
    } catch (error) {
      logger.warn({ err: error }, 'daily summary: reading statistics failed');
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** The next time of day `time` (HH:MM UTC) strictly after `now`. */
export function nextRun(now: number, time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const today = Math.floor(now / DAY_MS) * DAY_MS + (hours * 60 + minutes) * 60_000;
  return today > now ? today : today + DAY_MS;
}

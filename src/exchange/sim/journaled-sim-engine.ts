/**
 * `JournaledSimEngine`: the matching engine of the embedded sim venue, made durable. Every call that
 * changes the venue is written to a SimJournal before it returns; opening replays the journal, so a
 * restart (after a clean stop or a kill -9) finds the same world. Backtests and tests keep the plain
 * in-memory SimMatchingEngine: the journal costs a write per step.
 */
import { createHash } from 'node:crypto';
import { type Decimal, dec } from '../../domain/decimal.js';
import type { OrderReport, PlaceOrderRequest } from '../exchange.js';
import { InvalidSimConfigError } from './errors.js';
import { SimJournal, type SimJournalEntry } from './sim-journal.js';
import { SimMatchingEngine } from './sim-matching-engine.js';
import type { SimAccountSettings, SimEngineSettings } from './sim-settings.js';
import type { SimTrigger } from './sim-trigger-book.js';

type OrderId = { clientOrderId?: string | undefined; exchangeOrderId?: string | undefined };

export interface JournaledSimOptions {
  /** The venue's settings without its account, start time and opening positions (they come from the journal once started). */
  readonly settings: Omit<SimEngineSettings, 'accounts' | 'startTime'>;
  /** The one account's balances (part of the settings) and the positions it opens with on a fresh journal. */
  readonly balances: SimAccountSettings['balances'];
  readonly openingPositions: SimAccountSettings['positions'];
  /** The account id and simulated start time of a fresh journal. */
  readonly freshAccount: string;
  /** Simulated time now: a reopened venue's clock moves on to it without a price step. */
  readonly now: number;
  readonly journalPath: string;
}

export class JournaledSimEngine extends SimMatchingEngine {
  readonly account: string;
  readonly #journal: SimJournal;
  #replaying = true;
  /** Set by the engine's own listener when a call changed an order: that entry is fsync'ed. */
  #orderChanged = false;

  private constructor(settings: SimEngineSettings, journal: SimJournal) {
    super(settings);
    this.#journal = journal;
    this.account = journal.header.account;
    this.subscribe({
      onExecution: () => {
        this.#orderChanged = true;
      },
    });
  }

  /** Opens the journal at `options.journalPath` (creating it when absent) and replays it. */
  static open(options: JournaledSimOptions): JournaledSimEngine {
    const digest = settingsDigest(options);
    const journal = SimJournal.open(options.journalPath, digest, () => ({
      format: 1,
      account: options.freshAccount,
      startTime: options.now,
      settingsDigest: digest,
      opening: { positions: options.openingPositions ?? {} },
    }));
    try {
      const { header } = journal;
      const positions = (header.opening as { positions: Record<string, { quantity: string; entryPrice: string }> })
        .positions;
      const engine = new JournaledSimEngine(
        {
          ...options.settings,
          startTime: header.startTime,
          accounts: [
            {
              id: header.account,
              balances: options.balances,
              positions: Object.fromEntries(
                Object.entries(positions).map(([symbol, position]) => [
                  symbol,
                  { quantity: dec(position.quantity), entryPrice: dec(position.entryPrice) },
                ]),
              ),
            },
          ],
        },
        journal,
      );
      journal.entries.forEach((entry, index) => engine.#replay(entry, index + 2));
      engine.#replaying = false;
      engine.resumeAt(options.now);
      return engine;
    } catch (error) {
      journal.close();
      throw error;
    }
  }

  override placeOrder(accountId: string, request: PlaceOrderRequest, trigger?: SimTrigger): OrderReport {
    const entry: SimJournalEntry =
      trigger === undefined ? ['place', accountId, request] : ['place', accountId, request, trigger];
    return this.#journaled(entry, () => super.placeOrder(accountId, request, trigger));
  }

  override amendOrder(accountId: string, symbol: string, id: OrderId, price: Decimal, quantity: Decimal): OrderReport {
    return this.#journaled(['amend', accountId, symbol, id, price, quantity], () =>
      super.amendOrder(accountId, symbol, id, price, quantity),
    );
  }

  override cancelOrder(accountId: string, symbol: string, id: OrderId): OrderReport {
    return this.#journaled(['cancel', accountId, symbol, id], () => super.cancelOrder(accountId, symbol, id));
  }

  override cancelAllOrders(
    accountId: string,
    symbol: string,
    which: 'resting' | 'conditional' = 'resting',
  ): OrderReport[] {
    return this.#journaled(['cancelAll', accountId, symbol, which], () =>
      super.cancelAllOrders(accountId, symbol, which),
    );
  }

  override setLeverage(accountId: string, symbol: string, leverage: number): void {
    this.#journaled(['leverage', accountId, symbol, leverage], () => super.setLeverage(accountId, symbol, leverage));
  }

  override step(): void {
    this.#journaled(['step'], () => super.step());
  }

  override setPrice(symbol: string, price: Decimal): void {
    this.#journaled(['price', symbol, price], () => super.setPrice(symbol, price));
  }

  override resumeAt(time: number): void {
    this.#journaled(['clock', time], () => super.resumeAt(time));
  }

  /** Closes the journal; the engine must not be called after. */
  override close(): void {
    this.#journal.close();
  }

  /** Runs `call`; once it succeeded, journals it (a refused call changed nothing, so it is not kept). */
  #journaled<T>(entry: SimJournalEntry, call: () => T): T {
    this.#orderChanged = false;
    const result = call();
    if (!this.#replaying) this.#journal.append(entry, this.#orderChanged || entry[0] !== 'step');
    return result;
  }

  #replay(entry: SimJournalEntry, line: number): void {
    const [name, ...args] = entry as [string, ...any[]];
    try {
      switch (name) {
        case 'place':
          this.placeOrder(
            args[0],
            requestOf(args[1]),
            args[2] === undefined ? undefined : { ...args[2], stopPrice: dec(args[2].stopPrice) },
          );
          break;
        case 'amend':
          this.amendOrder(args[0], args[1], args[2], dec(args[3]), dec(args[4]));
          break;
        case 'cancel':
          this.cancelOrder(args[0], args[1], args[2]);
          break;
        case 'cancelAll':
          this.cancelAllOrders(args[0], args[1], args[2] ?? 'resting');
          break;
        case 'leverage':
          this.setLeverage(args[0], args[1], args[2]);
          break;
        case 'step':
          this.step();
          break;
        case 'price':
          this.setPrice(args[0], dec(args[1]));
          break;
        case 'clock':
          this.resumeAt(args[0]);
          break;
        default:
          throw new Error(`unknown entry ${JSON.stringify(name)}`);
      }
    } catch (error) {
      // Only calls that succeeded are journaled: one that fails on replay means the file does not belong to these settings.
      throw new InvalidSimConfigError(
        `${this.#journal.path} line ${line}: the sim journal does not replay (${(error as Error).message}); the file is damaged`,
        { cause: error },
      );
    }
  }
}

function requestOf(json: Record<string, unknown>): PlaceOrderRequest {
  const request = json as unknown as PlaceOrderRequest & { price?: string; quantity: string };
  return {
    ...request,
    price: request.price === undefined ? undefined : dec(request.price),
    quantity: dec(request.quantity),
  };
}

/** What a journal replays on: markets, seed, fees, liquidity, tick and balances (not the account or its opening). */
function settingsDigest(options: JournaledSimOptions): string {
  const { settings, balances } = options;
  const digestOf = { ...settings, balances };
  return createHash('sha256').update(JSON.stringify(digestOf)).digest('hex');
}

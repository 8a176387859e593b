/**
 * The spool's answer to "is this fill new?" (Invariant 2: the engine applies a fill only when its
 * save says so). The database's unique key (exchange, account, symbol, trade id) is the authority, but a
 * spooled fill reaches it later, and the database may be down. So the answer is, in order:
 *
 * 1. held: a fill in a spool record not yet written to the database (the set is rebuilt from the
 *    spool file at open and bounded by `maxSpoolBytes`), or claimed by a save still in progress
 *    (a second save of the same key waits for the first: duplicate if it became durable) → not new;
 * 2. the database answers whether the key is stored (within `answerTimeoutMs`: a stalled
 *    connection counts as down, so a partition cannot stall the trading loop);
 * 3. the database is down: a fill later (by venue time) than every fill of its (exchange, account,
 *    symbol) that this spool saw stored or stored itself is new; at that latest time, new unless
 *    its key is among those seen; earlier than it, nobody here can tell (it may have been stored
 *    before this process saw anything), so the save rejects with DatabaseUnavailableError and
 *    nothing is written: the venue still has the fill and fill recovery offers it again.
 *
 * Memory: the held keys (bounded by the spool), the claims in progress, and per symbol one venue
 * time with the keys seen at that millisecond. docs/storage.md, "Fills through the spool".
 */
import type { Fill } from '../../domain/fill.js';
import type { DatabaseOperations } from '../database.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { SpoolWrite } from './spool-codec.js';

/** The new fills of a save in progress: `settle(true)` once they are durable in the spool, `settle(false)` if not. */
export interface FillClaims {
  readonly fresh: readonly Fill[];
  settle(durable: boolean): void;
}

interface Horizon {
  readonly time: number;
  readonly keys: Set<string>;
}

/** The identity of a fill (Invariant 2), as one string. */
export const keyOf = (fill: Fill): string => JSON.stringify([fill.exchange, fill.account, fill.symbol, fill.tradeId]);
const streamOf = (fill: Fill): string => JSON.stringify([fill.exchange, fill.account, fill.symbol]);

export class FillNovelty {
  readonly #database: DatabaseOperations;
  readonly #dialect: string;
  readonly #answerTimeoutMs: number;
  /** Key → number of unwritten spool records holding it. */
  readonly #held = new Map<string, number>();
  /** Key → resolves whether the claiming save became durable. */
  readonly #claims = new Map<string, Promise<boolean>>();
  readonly #horizons = new Map<string, Horizon>();

  constructor(database: DatabaseOperations, dialect: string, answerTimeoutMs: number) {
    this.#database = database;
    this.#dialect = dialect;
    this.#answerTimeoutMs = answerTimeoutMs;
  }

  /** Counts the fills of spool writes now durable and not yet in the database. */
  hold(writes: readonly SpoolWrite[]): void {
    for (const fill of fillsOf(writes)) {
      const key = keyOf(fill);
      this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
      this.#raise(fill);
    }
  }

  /** Forgets the fills of spool writes now in the database (or in the dead-letter file). */
  release(writes: readonly SpoolWrite[]): void {
    for (const fill of fillsOf(writes)) {
      const key = keyOf(fill);
      const count = (this.#held.get(key) ?? 1) - 1;
      if (count <= 0) this.#held.delete(key);
      else this.#held.set(key, count);
    }
  }

  /**
   * Claims the new ones among `fills` (a key listed twice counts once) for a save. Rejects with
   * DatabaseUnavailableError when the database is down and the spool cannot tell; nothing is
   * claimed then.
   */
  async claim(fills: readonly Fill[]): Promise<FillClaims> {
    const settles: Array<(durable: boolean) => void> = [];
    const settle = (durable: boolean) => {
      for (const one of settles.splice(0)) one(durable);
    };
    const unique = new Map<string, Fill>();
    for (const fill of fills) if (!unique.has(keyOf(fill))) unique.set(keyOf(fill), fill);
    const fresh = new Set<string>();
    try {
      // Claimed in key order, so two saves sharing keys cannot each wait for the other.
      for (const key of [...unique.keys()].sort()) {
        const claimed = await this.#claimOne(unique.get(key)!, key);
        if (claimed === undefined) continue;
        settles.push(claimed);
        fresh.add(key);
      }
    } catch (error) {
      settle(false);
      throw error;
    }
    return { fresh: [...unique].filter(([key]) => fresh.has(key)).map(([, fill]) => fill), settle };
  }

  /** Claims one key: undefined when it is a duplicate, else the function that settles the claim. */
  async #claimOne(fill: Fill, key: string): Promise<((durable: boolean) => void) | undefined> {
    for (let other = this.#claims.get(key); other !== undefined; other = this.#claims.get(key)) {
      if (await other) return undefined;
    }
    if (this.#held.has(key)) return undefined;
    let resolve!: (durable: boolean) => void;
    this.#claims.set(
      key,
      new Promise<boolean>((done) => {
        resolve = done;
      }),
    );
    const settle = (durable: boolean) => {
      this.#claims.delete(key);
      resolve(durable);
    };
    try {
      if (await this.#isNew(fill, key)) return settle;
    } catch (error) {
      settle(false);
      throw error;
    }
    settle(false);
    return undefined;
  }

  async #isNew(fill: Fill, key: string): Promise<boolean> {
    let stored: readonly Fill[];
    try {
      stored = await this.#answerInTime(
        this.#database.getFills({
          exchange: fill.exchange,
          account: fill.account,
          symbol: fill.symbol,
          tradeId: fill.tradeId,
          limit: 1,
        }),
      );
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      return this.#isNewByHorizon(fill, key, error);
    }
    if (stored[0] !== undefined) this.#raise(stored[0]);
    return stored.length === 0;
  }

  #answerInTime<T>(answer: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DatabaseUnavailableError(this.#dialect, `no answer within ${this.#answerTimeoutMs} ms`)),
        this.#answerTimeoutMs,
      );
    });
    answer.catch(() => undefined); // a late failure after the deadline is nobody's to handle
    return Promise.race([answer, late]).finally(() => clearTimeout(timer));
  }

  #isNewByHorizon(fill: Fill, key: string, cause: DatabaseUnavailableError): boolean {
    const horizon = this.#horizons.get(streamOf(fill));
    if (horizon === undefined || fill.time > horizon.time) return true;
    if (fill.time === horizon.time) return !horizon.keys.has(key);
    throw new DatabaseUnavailableError(
      this.#dialect,
      `cannot tell whether fill ${fill.tradeId} of ${fill.symbol} (older than the latest fill seen) is new while the database is down; nothing was written`,
      { cause },
    );
  }

  #raise(fill: Fill): void {
    const stream = streamOf(fill);
    const horizon = this.#horizons.get(stream);
    if (horizon === undefined || fill.time > horizon.time)
      this.#horizons.set(stream, { time: fill.time, keys: new Set([keyOf(fill)]) });
    else if (fill.time === horizon.time) horizon.keys.add(keyOf(fill));
  }
}

function fillsOf(writes: readonly SpoolWrite[]): Fill[] {
  return writes.flatMap((write) =>
    write.op === 'fills' ? write.fills : write.op === 'group' ? fillsOf(write.writes) : [],
  );
}

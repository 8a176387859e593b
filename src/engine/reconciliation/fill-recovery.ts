/**
 * Fills the venue made that the engine has not applied (missed stream events, time down, a
 * takeover): paged from the venue after the stored fill cursor, each handed to `applyFill`, which
 * applies it once on the store's answer (Invariant 2). The shared cursor moves only past pages the
 * runner saw to the end while it still owned the symbol and decided every fill of (a fill the
 * database could not judge, during an outage, is offered again by the next recovery).
 */
import type { Fill } from '../../domain/fill.js';
import type { Exchange } from '../../exchange/exchange.js';
import type { Database, WriteFence } from '../../storage/database.js';
import { fencedWrite } from '../persistence/decision-store.js';
import type { FillOutcome } from '../grid-decisions.js';

export interface FillRecovery {
  readonly exchange: Exchange;
  readonly database: Database;
  readonly symbol: string;
  readonly clock: () => number;
  /** Applies one fill; resolves what became of it. */
  readonly applyFill: (fill: Fill) => Promise<FillOutcome>;
  /** The runner was stopped or released: stop before moving the cursor. */
  readonly ended: () => boolean;
  /**
   * The owner's fence: the cursor moves under it, so a cursor still spooled after a takeover is
   * dropped with the fills it went past (the new owner recovers them).
   */
  readonly fence: () => WriteFence | undefined;
}

/** Resolves how many recovered fills were new. */
export async function recoverFills({
  exchange,
  database,
  symbol,
  clock,
  applyFill,
  ended,
  fence,
}: FillRecovery): Promise<number> {
  let cursor = (await database.getFillCursor(exchange.name, exchange.account, symbol))?.cursor;
  let applied = 0;
  for (;;) {
    const page = await exchange.fillsSince(symbol, cursor, 500);
    let undecided = false;
    for (const fill of page.fills) {
      const outcome = await applyFill(fill);
      if (outcome === 'applied') applied += 1;
      else if (outcome === 'undecided') undecided = true;
    }
    // A released runner skipped fills, and an undecided fill is still to be stored: moving the shared
    // cursor past them would hide them from the next recovery (and the new owner).
    if (ended() || undecided) return applied;
    if (page.cursor !== undefined && page.cursor !== cursor) {
      cursor = page.cursor;
      const record = { exchange: exchange.name, account: exchange.account, symbol, cursor, updatedAt: clock() };
      await fencedWrite(database, fence(), (operations) => operations.saveFillCursor(record));
    }
    if (!page.hasMore) return applied;
  }
}

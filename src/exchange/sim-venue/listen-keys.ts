/**
 * User-data stream listen keys (Binance semantics): one key per account, created or returned by
 * POST, kept alive by PUT, valid 60 minutes after the last keep-alive, removed by DELETE.
 */
import { randomBytes } from 'node:crypto';

const VALIDITY_MS = 60 * 60 * 1000;

export class ListenKeys {
  readonly #byKey = new Map<string, { accountId: string; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The account's live key (extended), or a new one. */
  open(accountId: string): string {
    for (const [key, entry] of this.#byKey) {
      if (entry.accountId === accountId && entry.expiresAt > this.#now()) {
        entry.expiresAt = this.#now() + VALIDITY_MS;
        return key;
      }
    }
    const key = randomBytes(32).toString('base64url');
    this.#byKey.set(key, { accountId, expiresAt: this.#now() + VALIDITY_MS });
    return key;
  }

  /** Extends the account's key; false when it has none. */
  keepAlive(accountId: string): boolean {
    const entry = [...this.#byKey.values()].find(
      (candidate) => candidate.accountId === accountId && candidate.expiresAt > this.#now(),
    );
    if (entry === undefined) return false;
    entry.expiresAt = this.#now() + VALIDITY_MS;
    return true;
  }

  close(accountId: string): void {
    for (const [key, entry] of this.#byKey) if (entry.accountId === accountId) this.#byKey.delete(key);
  }

  /** Test hook: every live key expires now; returns them. */
  expireAll(): { key: string; accountId: string }[] {
    const expired = [...this.#byKey]
      .filter(([, entry]) => entry.expiresAt > this.#now())
      .map(([key, entry]) => ({ key, accountId: entry.accountId }));
    for (const { key } of expired) this.#byKey.delete(key);
    return expired;
  }

  /** The account a live key belongs to. */
  accountOf(key: string): string | undefined {
    const entry = this.#byKey.get(key);
    return entry !== undefined && entry.expiresAt > this.#now() ? entry.accountId : undefined;
  }
}

/** API credentials of the sim venue's accounts. Secrets stay in this map: never logged or echoed. */
import { randomBytes } from 'node:crypto';
import type { Decimal } from '../../domain/decimal.js';

export interface SimVenueCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Account id in the engine (default: derived from the key, never the secret). */
  readonly accountId?: string | undefined;
  readonly balances?: Readonly<Record<string, Decimal>> | undefined;
}

export class SimVenueAccounts {
  readonly #byKey = new Map<string, { accountId: string; secret: string }>();

  constructor(credentials: readonly SimVenueCredentials[]) {
    for (const entry of credentials)
      this.#byKey.set(entry.apiKey, { accountId: accountIdOf(entry), secret: entry.apiSecret });
  }

  lookup(apiKey: string): { accountId: string; secret: string } | undefined {
    return this.#byKey.get(apiKey);
  }
}

export function accountIdOf(credentials: SimVenueCredentials): string {
  return credentials.accountId ?? `acct-${credentials.apiKey.slice(0, 8)}`;
}

/** A random key pair for a demo account when none is configured. */
export function demoCredentials(): SimVenueCredentials {
  return { apiKey: randomBytes(24).toString('hex'), apiSecret: randomBytes(32).toString('hex'), accountId: 'demo' };
}

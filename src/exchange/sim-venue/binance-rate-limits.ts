/**
 * Binance USDⓈ-M request limits, on the wall clock as at Binance: request weight per IP per minute,
 * orders per account per 10 seconds and per minute. A request over a limit is refused with 429 and
 * `Retry-After` (until the window ends) before it executes; a client that keeps sending within that
 * back-off is banned: its `banAfterRefusals`-th refusal in one back-off answers 418 and the IP is
 * refused with 418 for `banSeconds`.
 */
import { SimVenueRequestError } from './errors.js';

export interface BinanceLimits {
  readonly weightPerMinute: number;
  readonly ordersPer10Seconds: number;
  readonly ordersPerMinute: number;
  readonly banAfterRefusals: number;
  readonly banSeconds: number;
}

/** Binance's published USDⓈ-M defaults (the ban length grows at Binance; the sim keeps the first step). */
export const BINANCE_LIMITS: BinanceLimits = {
  weightPerMinute: 2400,
  ordersPer10Seconds: 300,
  ordersPerMinute: 1200,
  banAfterRefusals: 3,
  banSeconds: 120,
};

/** A refusal by the limits: HTTP 429 or 418 with `Retry-After`. */
export class RateLimitRefusal extends SimVenueRequestError {
  constructor(
    status: 429 | 418,
    binanceCode: number,
    message: string,
    readonly retryAfterSeconds: number,
    readonly headers: Record<string, string>,
  ) {
    super(status, binanceCode, message);
  }
}

interface Window {
  start: number;
  used: number;
}

interface IpState {
  readonly weight: Window;
  backOffUntil: number;
  refusalsInBackOff: number;
  bannedUntil: number;
}

export class BinanceRateLimits {
  readonly #limits: BinanceLimits;
  readonly #now: () => number;
  readonly #ips = new Map<string, IpState>();
  readonly #orders = new Map<string, { tenSeconds: Window; minute: Window }>();

  constructor(limits: Partial<BinanceLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...BINANCE_LIMITS, ...limits };
    this.#now = now;
  }

  /** Admits a request of `weight` (and `orders` for `accountId`) or throws RateLimitRefusal; returns the usage headers. */
  admit(ip: string, accountId: string, weight: number, orders: number): Record<string, string> {
    const now = this.#now();
    const state = this.#ip(ip, now);
    if (state.bannedUntil > now)
      throw this.#ban(state, now, `Way too many requests; IP banned until ${state.bannedUntil}.`);
    const weightLeft = this.#limits.weightPerMinute - state.weight.used;
    const counts = accountId === '' || orders === 0 ? undefined : this.#orderWindows(accountId, now);
    const headers = (): Record<string, string> => ({
      'X-MBX-USED-WEIGHT-1M': String(state.weight.used),
      ...(counts === undefined
        ? {}
        : {
            'X-MBX-ORDER-COUNT-10S': String(counts.tenSeconds.used),
            'X-MBX-ORDER-COUNT-1M': String(counts.minute.used),
          }),
    });
    let refusal: { code: number; message: string; until: number } | undefined;
    if (weight > weightLeft) {
      refusal = {
        code: -1003,
        message: `Too many requests; current limit is ${this.#limits.weightPerMinute} request weight per 1 MINUTE.`,
        until: state.weight.start + 60_000,
      };
    } else if (counts !== undefined && counts.tenSeconds.used + orders > this.#limits.ordersPer10Seconds) {
      refusal = {
        code: -1015,
        message: `Too many new orders; current limit is ${this.#limits.ordersPer10Seconds} orders per TEN_SECONDS.`,
        until: counts.tenSeconds.start + 10_000,
      };
    } else if (counts !== undefined && counts.minute.used + orders > this.#limits.ordersPerMinute) {
      refusal = {
        code: -1015,
        message: `Too many new orders; current limit is ${this.#limits.ordersPerMinute} orders per MINUTE.`,
        until: counts.minute.start + 60_000,
      };
    }
    if (refusal !== undefined) {
      if (state.backOffUntil > now) state.refusalsInBackOff += 1;
      else state.refusalsInBackOff = 1;
      state.backOffUntil = Math.max(state.backOffUntil, refusal.until);
      if (state.refusalsInBackOff >= this.#limits.banAfterRefusals) {
        state.bannedUntil = now + this.#limits.banSeconds * 1000;
        throw this.#ban(state, now, `Way too many requests; IP banned until ${state.bannedUntil}.`);
      }
      throw new RateLimitRefusal(
        429,
        refusal.code,
        refusal.message,
        Math.max(1, Math.ceil((refusal.until - now) / 1000)),
        headers(),
      );
    }
    state.weight.used += weight;
    if (counts !== undefined) {
      counts.tenSeconds.used += orders;
      counts.minute.used += orders;
    }
    return headers();
  }

  #ban(state: IpState, now: number, message: string): RateLimitRefusal {
    return new RateLimitRefusal(418, -1003, message, Math.max(1, Math.ceil((state.bannedUntil - now) / 1000)), {
      'X-MBX-USED-WEIGHT-1M': String(state.weight.used),
    });
  }

  #ip(ip: string, now: number): IpState {
    const state = this.#ips.get(ip) ?? {
      weight: { start: 0, used: 0 },
      backOffUntil: 0,
      refusalsInBackOff: 0,
      bannedUntil: 0,
    };
    this.#ips.set(ip, state);
    roll(state.weight, now, 60_000);
    return state;
  }

  #orderWindows(accountId: string, now: number): { tenSeconds: Window; minute: Window } {
    const windows = this.#orders.get(accountId) ?? { tenSeconds: { start: 0, used: 0 }, minute: { start: 0, used: 0 } };
    this.#orders.set(accountId, windows);
    roll(windows.tenSeconds, now, 10_000);
    roll(windows.minute, now, 60_000);
    return windows;
  }
}

/** Fixed windows aligned on the clock, as Binance counts them. */
function roll(window: Window, now: number, lengthMs: number): void {
  const start = now - (now % lengthMs);
  if (window.start !== start) {
    window.start = start;
    window.used = 0;
  }
}

/**
 * Faults a client can order over `/_sim` (test hooks): what the next requests to a path suffer,
 * and maintenance. Each fault is used once per request it hits; they are checked in the order they
 * were added.
 */
export type HttpFaultKind =
  /** The request executes, then the connection is closed without an answer. */
  | 'lose-answer'
  /** The request executes; the answer leaves `delayMs` later. */
  | 'delay-answer'
  /** The request is refused as rate-limited (429) or IP-banned (418) before it executes. */
  | 'rate-limit'
  | 'ban';

export interface HttpFault {
  readonly kind: HttpFaultKind;
  /** Exact path (`/fapi/v1/order`); undefined hits every venue path. */
  readonly path: string | undefined;
  readonly method: string | undefined;
  readonly delayMs: number;
  readonly retryAfterSeconds: number;
  remaining: number;
}

export class SimVenueFaults {
  readonly #http: HttpFault[] = [];
  #maintenance = false;

  add(fault: Omit<HttpFault, 'remaining'>, count: number): void {
    this.#http.push({ ...fault, remaining: count });
  }

  /** The fault the next request to `method path` suffers (used up by this call), if any. */
  take(method: string, path: string): HttpFault | undefined {
    const fault = this.#http.find(
      (entry) =>
        entry.remaining > 0 &&
        (entry.path === undefined || entry.path === path) &&
        (entry.method === undefined || entry.method === method),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#http.splice(this.#http.indexOf(fault), 1);
    return fault;
  }

  setMaintenance(on: boolean): void {
    this.#maintenance = on;
  }

  inMaintenance(): boolean {
    return this.#maintenance;
  }

  /** Removes every pending fault and ends maintenance. */
  clear(): void {
    this.#http.length = 0;
    this.#maintenance = false;
  }
}

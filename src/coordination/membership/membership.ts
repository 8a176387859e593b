/**
 * Cluster membership (R6 dynamic allocation): each running instance registers itself under a lease
 * that it keeps alive with heartbeats; the live set is whoever's registration still stands. An
 * instance that dies stops heartbeating and drops out of the set once its lease runs out.
 */

/** One registration of this instance, from `join` until it is lost or left. */
export interface MembershipTerm {
  /** Aborts when the registration is gone (lease expired or refused, heartbeats failing past the TTL) or left. */
  readonly lost: AbortSignal;
  /** Removes the registration at once (best effort) and ends the heartbeats. Idempotent. */
  leave(): Promise<void>;
}

export interface Membership {
  /**
   * Registers `instanceId` under a fresh lease and heartbeats it until lost or left. Resolves once
   * registered; throws MembershipUnavailableError when the store cannot be reached.
   */
  join(instanceId: string, signal?: AbortSignal): Promise<MembershipTerm>;

  /** The ids of the live members, sorted. Throws MembershipUnavailableError when the store cannot answer. */
  members(signal?: AbortSignal): Promise<readonly string[]>;

  /**
   * Calls `onChange` with the live set (sorted) after every change, until `signal` aborts. No
   * polling: a store-side watch on the members; on every reconnect the set is read again, so a
   * change made while disconnected is never missed. The set is delivered once at the start.
   * Resolves once the watch is established; rejects when `signal` aborts first.
   */
  watch(
    onChange: (members: readonly string[]) => void,
    signal: AbortSignal,
    onTrouble?: (error: unknown) => void,
  ): Promise<void>;

  /** Ends every heartbeat and watch, and the connection. Idempotent. */
  close(): Promise<void>;
}

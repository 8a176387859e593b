/**
 * Dynamic symbol allocation (R6): this instance joins the membership, watches the live set, and
 * gives InstanceOwnership the symbols rendezvous hashing assigns to it; when a member dies its
 * symbols are assigned to the others, whose campaigns win once the dead member's leases ran out.
 *
 * Invariants:
 * - Every instance configures the full symbol list; all compute the same assignment from the same set.
 * - This instance counts itself a member only while its own term holds: with the term lost it is
 *   assigned nothing and hands everything over (the others stopped counting it), then joins again.
 * - Rebalances run one after the other, in the order the changes arrived.
 * - The membership decides what is campaigned for; the ownership leases decide what trades.
 */
import type { Logger } from 'pino';
import { assign } from '../coordination/allocation/rendezvous.js';
import { sleep } from '../coordination/lock/backoff.js';
import type { Membership, MembershipTerm } from '../coordination/membership/membership.js';
import { type OwnedSymbol, keyOf } from '../coordination/ownership/symbol-ownership.js';
import type { InstanceOwnership } from './instance-ownership.js';

export interface DynamicAllocationOptions {
  readonly membership: Membership;
  readonly instanceId: string;
  /** Every symbol of the cluster (each instance configures all of them). */
  readonly symbols: readonly OwnedSymbol[];
  readonly ownership: InstanceOwnership;
  readonly logger: Logger;
  /** Pause before joining or watching again after a failure (default 1,000 ms). */
  readonly retryMs?: number | undefined;
}

export class DynamicAllocation {
  readonly #options: DynamicAllocationOptions;
  readonly #stopped = new AbortController();
  #members: readonly string[] = [];
  #term: MembershipTerm | undefined;
  #rebalancing: Promise<void> = Promise.resolve();
  #loops: Promise<void>[] = [];

  constructor(options: DynamicAllocationOptions) {
    this.#options = options;
  }

  /** The live members as last seen (sorted). */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Joins and watches in the background, retrying while the membership store is unreachable. */
  start(): void {
    this.#loops = [this.#stayJoined(), this.#watch()];
  }

  /** Leaves the membership (the others take the symbols over at once) and waits for the last rebalance. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#stopped.signal.aborted) this.#stopped.abort(new Error('dynamic allocation stopped'));
    await Promise.all(this.#loops);
    await this.#term?.leave();
    await this.#rebalancing;
    await this.#options.membership.close();
  }

  #assignedHere(): OwnedSymbol[] {
    const { instanceId, symbols } = this.#options;
    if (this.#term === undefined || this.#term.lost.aborted || !this.#members.includes(instanceId)) return [];
    const mine = new Set(assign(symbols.map(keyOf), this.#members).get(instanceId));
    return symbols.filter((owned) => mine.has(keyOf(owned)));
  }

  #rebalance(): void {
    const { ownership, logger } = this.#options;
    this.#rebalancing = this.#rebalancing
      .then(async () => {
        if (this.#stopped.signal.aborted) return;
        const assigned = this.#assignedHere();
        logger.info(
          { members: this.#members, assigned: assigned.map(keyOf) },
          'dynamic allocation: symbols assigned to this instance',
        );
        await ownership.allocate(assigned);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'dynamic allocation: rebalance failed'));
  }

  /** Joins, and joins again whenever the term is lost, until stopped. */
  async #stayJoined(): Promise<void> {
    const { membership, instanceId, logger } = this.#options;
    const stopped = this.#stopped.signal;
    while (!stopped.aborted) {
      try {
        const term = await membership.join(instanceId, stopped);
        this.#term = term;
        logger.info({ instanceId }, 'dynamic allocation: joined the membership');
        this.#rebalance();
        await untilAborted(AbortSignal.any([term.lost, stopped]));
        if (stopped.aborted) return;
        logger.warn(
          { err: term.lost.reason },
          'dynamic allocation: membership lost; handing every symbol over, then joining again',
        );
        this.#rebalance();
      } catch (error) {
        if (stopped.aborted) return;
        logger.warn({ err: error }, 'dynamic allocation: could not join the membership; trying again');
      }
      await sleep(this.#options.retryMs ?? 1000, stopped).catch(() => undefined);
    }
  }

  async #watch(): Promise<void> {
    const { membership, logger } = this.#options;
    const stopped = this.#stopped.signal;
    const onChange = (members: readonly string[]) => {
      this.#members = members;
      this.#rebalance();
    };
    const onTrouble = (error: unknown) =>
      logger.warn({ err: error }, 'dynamic allocation: membership watch trouble (recovering)');
    while (!stopped.aborted) {
      try {
        await membership.watch(onChange, stopped, onTrouble);
        return;
      } catch (error) {
        if (stopped.aborted) return;
        onTrouble(error);
        await sleep(this.#options.retryMs ?? 1000, stopped).catch(() => undefined);
      }
    }
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

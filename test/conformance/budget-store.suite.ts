/**
 * Conformance suite of the BudgetStore port and the SharedRateBudget over it: every adapter
 * (memory, redis, etcd, database on PostgreSQL, MariaDB and SQLite) must pass the same cases.
 *
 *  B01  an absent key reads as version 0 without a value
 *  B02  compare-and-set writes only over the version read, and each write adds 1
 *  B03  budgets on separate connections sharing a key grant exactly the limit under concurrent takes
 *  B04  a pause set through one connection refuses takes through another until it ends
 *  B05  an unreachable backend refuses order placements and lets reads through, reporting it
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BudgetStore } from '../../src/coordination/rate-budget/budget-store.js';
import type { RateLimitRule } from '../../src/coordination/rate-budget/budget-windows.js';
import { SharedRateBudget } from '../../src/coordination/rate-budget/shared-rate-budget.js';

export interface BudgetStoreUnderTest {
  readonly name: string;
  /** A new store on its own connection(s). */
  create(): Promise<BudgetStore>;
  /** A store whose backend does not answer; undefined for memory, which always answers. */
  unreachable?: () => Promise<BudgetStore>;
}

const ORDERS_10S: RateLimitRule = { name: 'orders-10s', counts: 'orders', limit: 30, windowMs: 10_000 };
const WEIGHT_1M: RateLimitRule = { name: 'weight-1m', counts: 'weight', limit: 1000, windowMs: 60_000 };

export function budgetStoreConformance(backend: BudgetStoreUnderTest): void {
  const key = () => `qmtest:budget:${randomBytes(6).toString('hex')}`;

  describe(`BudgetStore conformance: ${backend.name}`, { timeout: 60_000 }, () => {
    it('B01 an absent key reads as version 0 without a value', async () => {
      const store = await backend.create();
      try {
        expect(await store.read(key())).toEqual({ version: 0, value: undefined });
      } finally {
        await store.close();
      }
    });

    it('B02 compare-and-set writes only over the version read, and each write adds 1', async () => {
      const [one, two] = [await backend.create(), await backend.create()];
      try {
        const k = key();
        expect(await one.compareAndSet(k, 0, 'first', 60_000)).toBe(true);
        expect(await two.compareAndSet(k, 0, 'lost', 60_000)).toBe(false);
        expect(await two.read(k)).toEqual({ version: 1, value: 'first' });
        expect(await two.compareAndSet(k, 1, 'second', 60_000)).toBe(true);
        expect(await one.compareAndSet(k, 1, 'stale', 60_000)).toBe(false);
        expect(await one.read(k)).toEqual({ version: 2, value: 'second' });
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    });

    it('B03 budgets on separate connections sharing a key grant exactly the limit under concurrent takes', async () => {
      const stores = await Promise.all([backend.create(), backend.create(), backend.create()]);
      const now = 1_700_000_000_000; // fixed inside one window of both rules
      const k = key();
      const budgets = stores.map(
        (store) => new SharedRateBudget({ store, key: k, rules: [WEIGHT_1M, ORDERS_10S], now: () => now }),
      );
      try {
        const answers = await Promise.all(
          Array.from({ length: 60 }, (_, index) => budgets[index % 3]!.take({ weight: 1, orders: 1 })),
        );
        const granted = answers.filter((answer) => answer.granted).length;
        expect(granted).toBe(ORDERS_10S.limit);
        for (const answer of answers)
          if (!answer.granted) expect(answer.retryAfterMs).toBe(10_000 - (now % 10_000) || 10_000);
        // Weight alone still has room: a read is granted while orders are refused.
        expect(await budgets[0]!.take({ weight: 5, orders: 0 })).toEqual({ granted: true });
      } finally {
        await Promise.all(budgets.map((budget) => budget.close()));
      }
    });

    it('B04 a pause set through one connection refuses takes through another until it ends', async () => {
      const [one, two] = [await backend.create(), await backend.create()];
      let now = 1_700_000_000_000;
      const k = key();
      const first = new SharedRateBudget({ store: one, key: k, rules: [WEIGHT_1M], now: () => now });
      const second = new SharedRateBudget({ store: two, key: k, rules: [WEIGHT_1M], now: () => now });
      try {
        await first.pauseFor(7_000);
        expect(await second.take({ weight: 1, orders: 0 })).toEqual({ granted: false, retryAfterMs: 7_000 });
        now += 7_000;
        expect(await second.take({ weight: 1, orders: 0 })).toEqual({ granted: true });
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    if (backend.unreachable !== undefined) {
      const unreachable = backend.unreachable;
      it('B05 an unreachable backend refuses order placements and lets reads through, reporting it', async () => {
        const errors: unknown[] = [];
        const budget = new SharedRateBudget({
          store: await unreachable(),
          key: key(),
          rules: [WEIGHT_1M, ORDERS_10S],
          onBackendError: (error) => errors.push(error),
        });
        try {
          expect(await budget.take({ weight: 1, orders: 1 })).toEqual({ granted: false, retryAfterMs: 1000 });
          expect(await budget.take({ weight: 1, orders: 0 })).toEqual({ granted: true });
          expect(errors).toHaveLength(2);
        } finally {
          await budget.close().catch(() => undefined);
        }
      });
    }
  });
}

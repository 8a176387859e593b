/**
 * The futures income history (`GET /fapi/v1/income`): a COMMISSION entry for every fill's fee and a
 * REALIZED_PNL entry for every fill that closed part of a position. The realised PnL is the fill's
 * wallet change net of its fee (the sim books nothing else against the wallet: no funding or
 * transfers), so it always agrees with the account's balance.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';

export type IncomeType = 'COMMISSION' | 'REALIZED_PNL';

export interface IncomeEntry {
  readonly accountId: string;
  readonly symbol: string;
  readonly incomeType: IncomeType;
  readonly income: Decimal;
  readonly asset: string;
  readonly time: number;
  readonly tranId: number;
  readonly tradeId: string;
}

export interface IncomeQuery {
  readonly symbol?: string | undefined;
  readonly incomeType?: string | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly limit: number;
}

export class IncomeLedger {
  readonly #engine: SimMatchingEngine;
  readonly #entries: IncomeEntry[] = [];
  /** account → asset → wallet balance after the last fill seen. */
  readonly #wallets = new Map<string, Map<string, Decimal>>();
  readonly #unsubscribe: () => void;
  #nextTranId = 1;

  constructor(engine: SimMatchingEngine) {
    this.#engine = engine;
    this.#unsubscribe = engine.subscribe({
      onExecution: (accountId, _order, fill) => {
        if (fill !== undefined) this.#record(accountId, fill);
      },
    });
  }

  close(): void {
    this.#unsubscribe();
  }

  entries(accountId: string, query: IncomeQuery): IncomeEntry[] {
    const matching = this.#entries.filter(
      (entry) =>
        entry.accountId === accountId &&
        (query.symbol === undefined || entry.symbol === query.symbol) &&
        (query.incomeType === undefined || entry.incomeType === query.incomeType) &&
        entry.time >= (query.startTime ?? 0) &&
        entry.time <= (query.endTime ?? Number.MAX_SAFE_INTEGER),
    );
    return query.startTime === undefined ? matching.slice(-query.limit) : matching.slice(0, query.limit);
  }

  #record(accountId: string, fill: Fill): void {
    const wallets = this.#wallets.get(accountId) ?? new Map<string, Decimal>();
    this.#wallets.set(accountId, wallets);
    const balances = this.#engine.balances(accountId);
    const before = wallets.get(fill.feeAsset) ?? this.#openingWallet(balances, fill);
    const after = balances.find((balance) => balance.asset === fill.feeAsset)?.total ?? ZERO;
    wallets.set(fill.feeAsset, after);
    const entry = (incomeType: IncomeType, income: Decimal) =>
      this.#entries.push({
        accountId,
        symbol: fill.symbol,
        incomeType,
        income,
        asset: fill.feeAsset,
        time: fill.time,
        tranId: this.#nextTranId++,
        tradeId: fill.tradeId,
      });
    if (!fill.fee.isZero()) entry('COMMISSION', fill.fee.neg());
    const realized = after.minus(before).plus(fill.fee);
    if (!realized.isZero()) entry('REALIZED_PNL', realized);
  }

  /** Before an account's first fill the wallet was its balance plus that fill's fee (no PnL yet realised). */
  #openingWallet(balances: ReturnType<SimMatchingEngine['balances']>, fill: Fill): Decimal {
    return (balances.find((balance) => balance.asset === fill.feeAsset)?.total ?? ZERO).plus(fill.fee);
  }
}

/**
 * The operator actions of this instance (server/operator-control.ts), on its engines and its
 * ownership: pause, resume and cancel-orders act on a symbol this instance owns and trades;
 * hand-over and drain release ownership without cancelling anything (InstanceOwnership.handOver);
 * claim campaigns again for a symbol handed over from here. Every action that ran is recorded as
 * an `operator.action` event (best effort, like the ownership events).
 */
import type { Logger } from 'pino';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { ActionOutcome, OperatorControl, SymbolAction } from '../server/operator-control.js';
import type { DatabaseOperations } from '../storage/database.js';
import type { InstanceOwnership } from './instance-ownership.js';

export interface OperatorActionsOptions {
  readonly instanceId: string;
  readonly engines: ReadonlyMap<string, TradingEngine>;
  readonly ownership: InstanceOwnership;
  readonly events: Pick<DatabaseOperations, 'saveEvent'>;
  readonly logger: Logger;
  readonly clock: () => number;
}

export class OperatorActions implements OperatorControl {
  readonly #options: OperatorActionsOptions;

  constructor(options: OperatorActionsOptions) {
    this.#options = options;
  }

  async symbolAction(action: SymbolAction, exchange: string, symbol: string): Promise<ActionOutcome> {
    const { engines, ownership } = this.#options;
    const runner = engines.get(exchange)?.runner(symbol);
    if (runner === undefined) return { done: false, reason: 'not-configured' };
    const owned = { exchange, symbol };
    if (action === 'claim') {
      ownership.claim(owned);
      return this.#ran(action, exchange, symbol, {});
    }
    if (ownership.state(exchange, symbol) !== 'owned' || runner.lifecycle !== 'running')
      return { done: false, reason: 'not-owned' };
    if (action === 'pause') await runner.controls.pause('paused by an operator');
    else if (action === 'resume') await runner.controls.resume();
    else if (action === 'hand-over') await ownership.handOver(owned, 'operator handover');
    else return this.#ran(action, exchange, symbol, { ordersCancelled: await runner.controls.cancelOrders() });
    return this.#ran(action, exchange, symbol, {});
  }

  async drain(): Promise<string[]> {
    const handed = (await this.#options.ownership.drain('operator drain')).map(
      (owned) => `${owned.exchange}:${owned.symbol}`,
    );
    this.#record('drain', undefined, undefined, { handedOver: handed });
    return handed;
  }

  #ran(action: SymbolAction, exchange: string, symbol: string, result: { ordersCancelled?: number }): ActionOutcome {
    this.#record(action, exchange, symbol, result);
    return { done: true, ...result };
  }

  #record(
    action: string,
    exchange: string | undefined,
    symbol: string | undefined,
    details: Record<string, unknown>,
  ): void {
    const { events, clock, instanceId, logger } = this.#options;
    logger.info(
      { action, symbol: symbol === undefined ? undefined : `${exchange}:${symbol}`, ...details },
      `operator action: ${action}`,
    );
    void events
      .saveEvent({
        time: clock(),
        type: 'operator.action',
        instanceId,
        exchange,
        symbol,
        details: { action, ...details },
      })
      .catch((error: unknown) => {
        logger.warn({ action, err: error }, 'operator action not recorded');
      });
  }
}

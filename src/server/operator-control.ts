/** The operator actions the HTTP API offers (implemented by the instance, app/operator-actions.ts). */

/** Actions on one symbol. `claim` undoes a `hand-over` from this instance. */
export type SymbolAction = 'pause' | 'resume' | 'cancel-orders' | 'hand-over' | 'claim';

export const SYMBOL_ACTIONS: readonly SymbolAction[] = ['pause', 'resume', 'cancel-orders', 'hand-over', 'claim'];

/** `not-configured`: this instance does not trade the symbol; `not-owned`: it does not hold its lease now. */
export type ActionOutcome =
  | { readonly done: true; readonly ordersCancelled?: number | undefined }
  | { readonly done: false; readonly reason: 'not-configured' | 'not-owned' };

export interface OperatorControl {
  /** Runs the action here and records it as an `operator.action` event. */
  symbolAction(action: SymbolAction, exchange: string, symbol: string): Promise<ActionOutcome>;
  /** Hands over every symbol owned here (before a stop); resolves with those handed over. */
  drain(): Promise<string[]>;
}

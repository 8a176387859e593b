/**
 * Which symbols are degraded (issue 14 item 5): a symbol whose runner is faulted, or whose grid is
 * paused, places no new orders; `/health` answers 503 naming each one with its cause, the
 * `quantmesh_symbol_state` gauge shows its state, and `symbol-faulted` is alerted.
 */
import type { HealthCheck } from './health.js';

/** What a symbol's health is judged by: the fields of the engine's symbol status it needs (observability does not import up). */
export interface SymbolCondition {
  readonly exchange: string;
  readonly symbol: string;
  readonly state: string;
  readonly pausedReason?: string | undefined;
  readonly faultCause?: string | undefined;
}

/** Every lifecycle state a symbol is reported in (`paused` is a running grid that places nothing). */
export const SYMBOL_STATES = ['ready', 'starting', 'running', 'paused', 'stopping', 'stopped', 'faulted'] as const;

export interface SymbolProblem {
  readonly exchange: string;
  readonly symbol: string;
  readonly state: 'faulted' | 'paused';
  readonly cause: string;
}

export function symbolProblems(statuses: readonly SymbolCondition[]): SymbolProblem[] {
  return statuses.flatMap((status): SymbolProblem[] => {
    if (status.state === 'paused')
      return [
        { exchange: status.exchange, symbol: status.symbol, state: 'paused', cause: status.pausedReason ?? 'paused' },
      ];
    // The runner's error, also in the instance's log ("symbol runner faulted").
    if (status.state === 'faulted')
      return [
        {
          exchange: status.exchange,
          symbol: status.symbol,
          state: 'faulted',
          cause: status.faultCause ?? 'runner faulted on an error (see the log line "symbol runner faulted")',
        },
      ];
    return [];
  });
}

export function describeProblem(problem: SymbolProblem): string {
  return `${problem.exchange}:${problem.symbol} ${problem.state}: ${problem.cause}`;
}

/** The `/health` component `symbols`: unhealthy while any symbol is faulted or paused, naming each. */
export function symbolsHealthCheck(statuses: () => readonly SymbolCondition[]): HealthCheck {
  return {
    name: 'symbols',
    async check() {
      const problems = symbolProblems(statuses());
      if (problems.length > 0) throw new Error(problems.map(describeProblem).join('; '));
    },
  };
}

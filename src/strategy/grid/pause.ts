import type { GridCommand } from './grid-command.js';
import { type GridState, type PauseReason, changeState } from './grid-state.js';
import type { Transition } from './transition.js';

/**
 * Pauses the symbol: no new orders until an operator resumes it (buys are cancelled by the quote
 * step). A grid already paused keeps its first reason, which is the one an operator must see.
 */
export function pauseGrid(
  state: GridState,
  reason: PauseReason,
  message: string,
  time: number,
  commands: readonly GridCommand[] = [],
): Transition {
  if (state.pause !== undefined) return { state, commands };
  return {
    state: changeState(state, { pause: Object.freeze({ reason, message }) }, time),
    commands: [
      ...commands,
      { type: 'PauseSymbol', reason, message },
      { type: 'RecordEvent', eventType: 'grid.paused', details: { reason, message } },
    ],
  };
}

/**
 * Operator resume: clears the pause, the trailing take-profit and a risk close (the operator takes
 * over what is left of the position; fills of a close still in flight are applied as usual); a grid paused by the account check
 * must pass a new one (the engine sends AccountChecked again) before it places anything.
 */
export function resumeGrid(state: GridState, time: number): Transition {
  if (state.pause === undefined) return { state, commands: [] };
  const recheck = state.pause.reason === 'account-check';
  return {
    state: changeState(
      state,
      {
        pause: undefined,
        trailingPeak: undefined,
        closing: undefined,
        ...(recheck ? { accountCheck: 'unchecked' as const, accountFacts: undefined } : {}),
      },
      time,
    ),
    commands: [{ type: 'RecordEvent', eventType: 'grid.resumed', details: { previousReason: state.pause.reason } }],
  };
}

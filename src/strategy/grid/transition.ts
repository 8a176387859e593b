import type { GridCommand } from './grid-command.js';
import type { GridState } from './grid-state.js';

/** What one step of the grid produced: the next state, the commands to carry out, and whether the input was foreign. */
export interface Transition {
  readonly state: GridState;
  readonly commands: readonly GridCommand[];
  /** Client order ids in the input that this grid did not issue: the engine records them; nothing changed for them. */
  readonly foreign?: readonly string[] | undefined;
}

/** `first`, then `next` on its state: the commands of both in order (no copy when one side has none). */
export function andThen(first: Transition, next: (state: GridState) => Transition): Transition {
  const second = next(first.state);
  const commands =
    second.commands.length === 0
      ? first.commands
      : first.commands.length === 0
        ? second.commands
        : [...first.commands, ...second.commands];
  return { state: second.state, commands, foreign: first.foreign };
}

import type { GridCommand } from './grid-command.js';
import type { GridState } from './grid-state.js';

/** What one step of the grid produced: the next state, the commands to carry out, and whether the input was foreign. */
export interface Transition {
  readonly state: GridState;
  readonly commands: readonly GridCommand[];
  /** Client order ids in the input that this grid did not issue: the engine records them; nothing changed for them. */
  readonly foreign?: readonly string[] | undefined;
}

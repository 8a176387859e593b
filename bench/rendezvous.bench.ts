/**
 * `npm run bench:rendezvous`: how many of 1,000 symbols move when one of 10 instances joins or leaves
 * under rendezvous hashing (src/coordination/allocation/rendezvous.ts), beside the ideal share (the
 * fewest any allocation can move: the leaver's keys, 1000/10, or the joiner's fair share, 1000/11).
 * Pure: no clock, no I/O, so the figures are the same on a busy machine. Each scenario is run over
 * 50 different member sets (ids `instance-<trial>-<n>`) and symbol names (`SYM<n>USDT`); it prints
 * the mean and the worst trial, each as a ratio to the ideal (goal: mean ≤ 1.1), and fails if any
 * symbol moved that was neither the leaver's nor taken by the joiner.
 */
import { assign } from '../src/coordination/allocation/rendezvous.js';

const SYMBOLS = Array.from({ length: 1000 }, (_, index) => `SYM${index}USDT`);
const INSTANCES = 10;
const TRIALS = 50;
const GOAL = 1.1;

function owners(members: readonly string[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [member, keys] of assign(SYMBOLS, members)) for (const key of keys) owner.set(key, member);
  return owner;
}

/** Symbols whose owner changed; throws if one moved that had no reason to (neither from the leaver nor to the joiner). */
function moved(before: Map<string, string>, after: Map<string, string>, changed: string): number {
  let count = 0;
  for (const [key, member] of before) {
    if (after.get(key) === member) continue;
    if (member !== changed && after.get(key) !== changed)
      throw new Error(`${key} moved from ${member} to ${after.get(key)} although only ${changed} changed`);
    count += 1;
  }
  return count;
}

function scenario(name: string, ideal: number, movedInTrial: (members: string[]) => number): void {
  const ratios = Array.from(
    { length: TRIALS },
    (_, trial) => movedInTrial(Array.from({ length: INSTANCES }, (_, n) => `instance-${trial}-${n}`)) / ideal,
  );
  const mean = ratios.reduce((sum, ratio) => sum + ratio, 0) / TRIALS;
  const worst = Math.max(...ratios);
  console.log(
    `${name.padEnd(34)} moved ${(mean * ideal).toFixed(1).padStart(6)} symbols (mean of ${TRIALS})  ideal ${ideal.toFixed(1).padStart(6)}  ratio ${mean.toFixed(3)} (worst trial ${worst.toFixed(3)})  goal ≤ ${GOAL}  ${mean <= GOAL ? 'met' : 'NOT met'}`,
  );
}

console.log(`rendezvous movement: ${SYMBOLS.length} symbols, ${INSTANCES} instances`);
// Leaving: only the leaver's symbols may move; the ideal is its fair share.
scenario('one of 10 leaves', SYMBOLS.length / INSTANCES, (members) =>
  moved(owners(members), owners(members.slice(1)), members[0]!),
);
// Joining: the newcomer should take its fair share of 11 and nothing else should move.
scenario('an 11th joins', SYMBOLS.length / (INSTANCES + 1), (members) =>
  moved(owners(members), owners([...members, `${members[0]}-new`]), `${members[0]}-new`),
);

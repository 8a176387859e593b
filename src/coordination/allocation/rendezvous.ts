/**
 * Symbol allocation by rendezvous (highest random weight) hashing (R6): each key goes to the
 * member whose sha256(member + key) digest is the greatest. Pure and deterministic: every instance
 * that sees the same member set computes the same allocation without talking to the others.
 *
 * Invariants:
 * - The choice compares digests byte by byte (no floats), ties broken by the member id, so it is
 *   the same on every machine.
 * - Removing a member moves only the keys it had: every other key's highest weight is unchanged.
 *   Adding one moves to it only the keys where it now weighs the most.
 */
import { createHash } from 'node:crypto';

/** Which member each key goes to: every member present (possibly with no keys), keys in input order. */
export function assign(keys: readonly string[], members: readonly string[]): Map<string, string[]> {
  const allocation = new Map<string, string[]>(members.map((member) => [member, []]));
  if (members.length === 0) return allocation;
  for (const key of keys) allocation.get(ownerOf(key, members))!.push(key);
  return allocation;
}

/** The member `key` goes to; `members` must not be empty. */
export function ownerOf(key: string, members: readonly string[]): string {
  let best: { member: string; weight: Buffer } | undefined;
  for (const member of members) {
    const weight = weightOf(member, key);
    const order = best === undefined ? 1 : Buffer.compare(weight, best.weight);
    if (order > 0 || (order === 0 && member < best!.member)) best = { member, weight };
  }
  if (best === undefined) throw new RangeError('no member to assign to');
  return best.member;
}

/** A NUL separates member and key, so ("a", "bc") and ("ab", "c") weigh differently. */
function weightOf(member: string, key: string): Buffer {
  return createHash('sha256').update(member).update('\0').update(key).digest();
}

/** What one instance reports of itself at `GET /api/status`, and beside it in the instance registry. */
import type { SymbolStatus } from '../engine/symbol-summary.js';

/**
 * `active`; `standby` until it owns a symbol; `activated` once a standby took a symbol over (R1);
 * `degraded-standby` / `degraded-leader`: the lock backend is lost and this instance acts on nothing
 * / is the one survivor trading every symbol (degraded single-instance mode, src/app/degraded-mode.ts).
 */
export type InstanceMode = 'active' | 'standby' | 'activated' | 'degraded-standby' | 'degraded-leader';

export interface InstanceStatus {
  readonly instanceId: string;
  readonly version: string;
  readonly mode: InstanceMode;
  readonly startedAt: string;
  /** How symbols are allocated (R6); under `dynamic`, the live members as last seen. */
  readonly allocation: { readonly mode: 'static' | 'dynamic'; readonly members?: readonly string[] | undefined };
  /** Every configured symbol, with `ownership`: owned here, waiting, lost, or unassigned (given to another instance). */
  readonly symbols: readonly (SymbolStatus & { readonly ownedSince?: number | undefined })[];
  /** How each venue trades, by name: `paper` sends nothing to the venue (docs/venues.md). */
  readonly venues: Readonly<Record<string, VenueMode>>;
}

/** `simulated`: the embedded sim venue; `paper`: a real venue's prices, orders matched locally; `live`: real orders. */
export type VenueMode = 'simulated' | 'paper' | 'live';

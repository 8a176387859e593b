/**
 * Deterministic client order ids (style rule 10, grid-strategy.md "Client order ids").
 *
 * Invariant: the same intent (grid, level, side, cycle) always yields the same id, on every
 * instance and after every restart, so a second placement of the same intent is refused by the
 * venue as a duplicate (Invariant 1, last layer). Ids never depend on a clock, counter or instance.
 *
 * Layout: `qm<sep><tag><sep><B|S|X><sep><level><sep><cycle>` with `.` as the default separator
 * (Binance allows `[.A-Z:/a-z0-9_-]`, 36 characters). `X` marks a position close, whose "level"
 * is the base-36 time of the decision that sent it and whose "cycle" is the grid's close sequence
 * (both inputs, so replay yields the same id): a retry in the same millisecond still gets a new id.
 * Parsed back, an id is an `OrderIntentId`: everything downstream reads its fields, never the text.
 */
import type { Decimal } from '../../domain/decimal.js';
import { decimalToString } from '../../domain/decimal.js';
import type { OrderSide } from '../../domain/order.js';
import { ClientOrderIdFormatError } from './errors.js';

export interface ClientOrderIdFormat {
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** One character allowed by `pattern` and not used by tags or numbers (not a digit, letter or `-`). */
  readonly separator: string;
}

export const BINANCE_CLIENT_ORDER_ID_FORMAT: ClientOrderIdFormat = Object.freeze({
  maxLength: 36,
  pattern: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  separator: '.',
});

/** What one of our client order ids names: a slot's order of one cycle, or one position close. */
export type OrderIntentId = GridOrderId | CloseOrderId;

/** The order of a grid slot: (level, side, cycle) is the slot round of Invariant 1. */
export interface GridOrderId {
  readonly purpose: 'grid';
  readonly tag: string;
  readonly level: number;
  readonly side: OrderSide;
  readonly cycle: number;
}

/** A market sell closing (part of) the position, decided at `decidedAt` as the grid's `sequence`-th close. */
export interface CloseOrderId {
  readonly purpose: 'close';
  readonly tag: string;
  readonly side: 'SELL';
  /** Epoch ms of the decision that sent it. */
  readonly decidedAt: number;
  readonly sequence: number;
}

const PREFIX = 'qm';
const TAG_LENGTH = 8;

/**
 * cyrb53: a small, well-mixed 53-bit string hash (public domain, bryc). Pure, so every instance
 * computes the same tag without node:crypto. Not cryptographic: it only has to spread grids apart.
 */
export function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Short tag of a grid's identity: the same exchange, symbol and lattice give the same tag everywhere. */
export function gridTag(exchange: string, symbol: string, anchor: Decimal, interval: Decimal): string {
  const identity = `${exchange}|${symbol}|${decimalToString(anchor)}|${decimalToString(interval)}`;
  return cyrb53(identity)
    .toString(36)
    .padStart(TAG_LENGTH + 3, '0')
    .slice(-TAG_LENGTH);
}

function checked(id: string, format: ClientOrderIdFormat): string {
  if (id.length > format.maxLength || !format.pattern.test(id))
    throw new ClientOrderIdFormatError(id, format.maxLength);
  return id;
}

/** Id of the grid order for (level, side, cycle); throws ClientOrderIdFormatError if the venue cannot take it. */
export function gridClientOrderId(
  tag: string,
  level: number,
  side: OrderSide,
  cycle: number,
  format: ClientOrderIdFormat = BINANCE_CLIENT_ORDER_ID_FORMAT,
): string {
  const s = format.separator;
  return checked([PREFIX, tag, side === 'BUY' ? 'B' : 'S', String(level), String(cycle)].join(s), format);
}

/**
 * Id of the market order that closes (part of) the grid's position, decided at `time` (epoch ms) as
 * the grid's `sequence`-th close: every close attempt has its own id, even two in one millisecond.
 */
export function closeClientOrderId(
  tag: string,
  time: number,
  sequence: number,
  format: ClientOrderIdFormat = BINANCE_CLIENT_ORDER_ID_FORMAT,
): string {
  const s = format.separator;
  return checked([PREFIX, tag, 'X', time.toString(36), String(sequence)].join(s), format);
}

const INTEGER = /^-?(0|[1-9]\d*)$/;

/** Maps an id back to its grid intent, or undefined for an id QuantMesh did not make (foreign). */
export function parseClientOrderId(
  id: string,
  format: ClientOrderIdFormat = BINANCE_CLIENT_ORDER_ID_FORMAT,
): OrderIntentId | undefined {
  const parts = id.split(format.separator);
  if (parts.length !== 5) return undefined;
  const [prefix, tag, kind, levelText, cycleText] = parts as [string, string, string, string, string];
  if (prefix !== PREFIX || tag.length !== TAG_LENGTH || !/^[0-9a-z]+$/.test(tag)) return undefined;
  if (!INTEGER.test(cycleText) || cycleText.startsWith('-')) return undefined;
  const cycle = Number(cycleText);
  if (kind === 'X') {
    if (!/^[0-9a-z]+$/.test(levelText) || !Number.isSafeInteger(cycle)) return undefined;
    return { tag, purpose: 'close', side: 'SELL', decidedAt: parseInt(levelText, 36), sequence: cycle };
  }
  if ((kind !== 'B' && kind !== 'S') || !INTEGER.test(levelText)) return undefined;
  const level = Number(levelText);
  if (!Number.isSafeInteger(level) || !Number.isSafeInteger(cycle)) return undefined;
  return { tag, purpose: 'grid', level, side: kind === 'B' ? 'BUY' : 'SELL', cycle };
}

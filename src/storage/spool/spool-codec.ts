/**
 * Spool records as JSON lines. Decimals and bigints are tagged so they come back exact
 * (`{"$d":"0.1"}`, `{"$b":"42"}`); a record is one line, so a torn write can only damage the last line.
 */
import { Decimal as DecimalJs } from 'decimal.js';
import { dec } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { EventRecord, FillCursorRecord, OrderRecord, SlotRecord } from '../records.js';

/** One spooled write. A `group` is the writes of one spooled transaction: stored all or none. */
export type SpoolWrite =
  | { readonly op: 'trades'; readonly trades: readonly Trade[] }
  | { readonly op: 'fills'; readonly fills: readonly Fill[] }
  | { readonly op: 'order'; readonly order: OrderRecord }
  | { readonly op: 'slots'; readonly slots: readonly SlotRecord[] }
  | { readonly op: 'event'; readonly event: EventRecord }
  | { readonly op: 'cursor'; readonly cursor: FillCursorRecord }
  | {
      readonly op: 'paused';
      readonly exchange: string;
      readonly symbol: string;
      readonly paused: boolean;
      readonly reason?: string | undefined;
      readonly time: number;
    }
  | { readonly op: 'group'; readonly writes: readonly SpoolWrite[] }
  /** In a group: its writes are stored only while this fence holds (Tx.holdFence), else dropped whole. */
  | { readonly op: 'fence'; readonly fenceKey: string; readonly fencingToken: bigint; readonly holder: string };

/** A spooled write with its place in the spool; `seq` is what the checkpoint refers to. */
export type SpoolRecord = SpoolWrite & { readonly seq: number };

export function encodeRecord(record: SpoolRecord): string {
  return `${JSON.stringify(record, function replacer(this: Record<string, unknown>, key: string, value: unknown) {
    const original = key === '' ? value : this[key];
    if (DecimalJs.isDecimal(original)) return { $d: (original as DecimalJs).toFixed() };
    if (typeof original === 'bigint') return { $b: original.toString() };
    return value;
  })}\n`;
}

export function decodeRecord(line: string): SpoolRecord {
  return JSON.parse(line, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const tagged = value as { $d?: unknown; $b?: unknown };
      if (typeof tagged.$d === 'string' && Object.keys(value).length === 1) return dec(tagged.$d);
      if (typeof tagged.$b === 'string' && Object.keys(value).length === 1) return BigInt(tagged.$b);
    }
    return value;
  }) as SpoolRecord;
}

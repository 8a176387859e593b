/**
 * Durations in configuration: a plain number is seconds (the HA design's `conn_max_lifetime: 3600`),
 * a string is one or more `<integer><unit>` parts (`500ms`, `10s`, `1m30s`, `2h`). Normalised to
 * integer milliseconds without passing through a binary float.
 */
import { dec } from '../domain/decimal.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+)(ms|s|m|h|d)/gy;

/** Milliseconds for `text`, or undefined when it is not a duration. `seconds` marks a bare number. */
export function parseDuration(text: string, seconds: boolean): number | undefined {
  const trimmed = text.trim();
  if (seconds) {
    if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
    const ms = dec(trimmed).mul(1000);
    return ms.isInteger() && ms.lte(Number.MAX_SAFE_INTEGER) ? ms.toNumber() : undefined;
  }
  if (trimmed === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match !== null; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = PART.lastIndex;
  }
  return consumed === trimmed.length && Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest exact text for `ms` (`1m`, `10s`, `1500ms`), which parseDuration reads back. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

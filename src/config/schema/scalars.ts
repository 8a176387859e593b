/** Scalar fields: strings, integers, booleans, exact decimals, durations, enumerations, URLs. */
import { dec, decimalToString, isDecimalString } from '../../domain/decimal.js';
import { formatDuration, parseDuration } from '../duration.js';
import {
  INVALID,
  SECRET_MASK,
  type Field,
  type Invalid,
  type Location,
  type ReadContext,
  type ScalarText,
  present,
  report,
  scalarOf,
  shown,
} from './field.js';
import type { Node } from 'yaml';

/** Reads a required scalar and hands it to `convert`; absent → "is required". */
function scalarField<T>(
  allowed: string,
  convert: (scalar: ScalarText, at: Location, ctx: ReadContext) => T | Invalid,
  options: { encode?: (value: T) => unknown; redact?: (value: T) => T } = {},
): Field<T> {
  return {
    allowed,
    read(node: Node | undefined, at: Location, ctx: ReadContext) {
      const target = present(node, ctx);
      if (target === undefined) return report(ctx, at, 'is required', { allowed });
      const scalar = scalarOf(target, at, ctx);
      return scalar === INVALID ? INVALID : convert(scalar, at, ctx);
    },
    encode: options.encode ?? ((value) => value),
    redact: options.redact ?? ((value) => value),
  };
}

export interface StringOptions {
  /** Masked in messages, `config check` output and logs. */
  readonly secret?: boolean;
  /** Masks part of the value (e.g. a DSN's password) where the whole value is not secret. */
  readonly mask?: (value: string) => string;
  readonly nonEmpty?: boolean;
  readonly pattern?: { readonly test: RegExp; readonly allowed: string };
}

export function string(options: StringOptions = {}): Field<string> {
  const allowed = options.pattern?.allowed ?? (options.nonEmpty ? 'a non-empty string' : 'a string');
  const mask = options.secret
    ? (value: string) => (value === '' ? '' : SECRET_MASK)
    : (options.mask ?? ((value: string) => value));
  return scalarField(
    allowed,
    (scalar, at, ctx) => {
      if (typeof scalar.value !== 'string' && typeof scalar.value !== 'number') {
        return report(ctx, at, 'must be a string', { value: shown(scalar, options.secret), allowed });
      }
      // A plain number where text is expected keeps its source text (`password: 0123` stays "0123").
      const text = typeof scalar.value === 'string' ? scalar.value : scalar.text;
      if (options.nonEmpty && text.trim() === '') return report(ctx, at, 'must not be empty', { allowed });
      if (options.pattern && !options.pattern.test.test(text))
        return report(ctx, at, 'is not valid', {
          value: options.secret ? SECRET_MASK : JSON.stringify(mask(text)),
          allowed,
        });
      return text;
    },
    { encode: mask, redact: mask },
  );
}

export function integer(options: { min?: number; max?: number } = {}): Field<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const allowed = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return scalarField(allowed, (scalar, at, ctx) => {
    const value = scalar.fromEnv && /^-?\d+$/.test(scalar.text.trim()) ? Number(scalar.text) : scalar.value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      return report(ctx, at, 'must be an integer', { value: shown(scalar), allowed });
    if (value < min || value > max) return report(ctx, at, 'is out of range', { value: String(value), allowed });
    return value;
  });
}

export function boolean(): Field<boolean> {
  const allowed = 'true or false';
  return scalarField(allowed, (scalar, at, ctx) => {
    const text = scalar.text.trim().toLowerCase();
    const value = scalar.fromEnv && (text === 'true' || text === 'false') ? text === 'true' : scalar.value;
    return typeof value === 'boolean'
      ? value
      : report(ctx, at, 'must be true or false', { value: shown(scalar), allowed });
  });
}

/**
 * An exact decimal, returned as canonical text. A YAML number is read through its source text, never
 * through the float YAML made of it, so `0.1` stays exactly "0.1".
 */
export function decimal(options: { positive?: boolean; min?: string; max?: string } = {}): Field<string> {
  const bounds = [
    options.positive ? '> 0' : undefined,
    options.min === undefined ? undefined : `≥ ${options.min}`,
    options.max === undefined ? undefined : `≤ ${options.max}`,
  ].filter(Boolean);
  const allowed = `a decimal number${bounds.length ? ` ${bounds.join(' and ')}` : ''} (e.g. 0.1 or "0.1")`;
  return scalarField(allowed, (scalar, at, ctx) => {
    const text = scalar.text.trim();
    if (typeof scalar.value === 'boolean' || !isDecimalString(text))
      return report(ctx, at, 'must be a decimal number', { value: shown(scalar), allowed });
    const value = dec(text);
    const outOfRange =
      (options.positive && !value.gt(0)) ||
      (options.min !== undefined && value.lt(options.min)) ||
      (options.max !== undefined && value.gt(options.max));
    if (outOfRange) return report(ctx, at, 'is out of range', { value: text, allowed });
    return decimalToString(value);
  });
}

/** A duration in integer milliseconds: a number of seconds, or text like `500ms`, `10s`, `1m`. */
export function duration(options: { allowZero?: boolean } = {}): Field<number> {
  const allowed = `${options.allowZero ? 'a duration ≥ 0' : 'a positive duration'}: seconds as a number (10) or text with a unit (500ms, 10s, 1m, 2h)`;
  return scalarField(
    allowed,
    (scalar, at, ctx) => {
      const bareNumber = typeof scalar.value === 'number' || (scalar.fromEnv && /^[\d.]+$/.test(scalar.text.trim()));
      const ms = typeof scalar.value === 'boolean' ? undefined : parseDuration(scalar.text, bareNumber);
      if (ms === undefined) {
        const negative = /^\s*-/.test(scalar.text);
        return report(ctx, at, negative ? 'must not be negative' : 'must be a duration', {
          value: shown(scalar),
          allowed,
        });
      }
      if (ms === 0 && !options.allowZero)
        return report(ctx, at, 'must be greater than zero', { value: shown(scalar), allowed });
      return ms;
    },
    { encode: formatDuration },
  );
}

export function oneOf<const T extends string>(values: readonly T[]): Field<T> {
  const allowed = values.map((value) => JSON.stringify(value)).join(', ');
  return scalarField(`one of ${allowed}`, (scalar, at, ctx) => {
    const value = values.find((candidate) => candidate === scalar.value);
    return value ?? report(ctx, at, 'is not supported', { value: shown(scalar), allowed: `one of ${allowed}` });
  });
}

/** An http(s) or ws(s) URL. */
export function url(options: { hidePath?: boolean } = {}): Field<string> {
  return string({
    ...(options.hidePath ? { mask: maskUrlPath } : {}),
    pattern: { test: /^(https?|wss?):\/\/[^\s/?#]+[^\s]*$/i, allowed: 'an http(s):// or ws(s):// URL' },
  });
}

/** Keeps scheme and host, masks credentials, path and query (where webhook tokens live). */
function maskUrlPath(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]*)/i.exec(value);
  return match === null ? SECRET_MASK : `${match[1]}${match[2]}/${SECRET_MASK}`;
}

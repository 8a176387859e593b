/** Reading a request's parameters the way Binance validates them: a wrong one is a `{code, msg}` refusal. */
import { type Decimal, dec } from '../../domain/decimal.js';
import { SimVenueRequestError } from './errors.js';

export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '')
    throw new SimVenueRequestError(
      400,
      -1102,
      `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
    );
  return value;
}

export function decimalParam(params: URLSearchParams, name: string): Decimal {
  const value = required(params, name);
  try {
    return dec(value);
  } catch {
    throw new SimVenueRequestError(400, -1100, `Illegal characters found in parameter '${name}'.`);
  }
}

export function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T {
  const value = required(params, name);
  if (!(allowed as readonly string[]).includes(value)) throw new SimVenueRequestError(400, -1116, `Invalid ${name}.`);
  return value as T;
}

/** A non-negative integer parameter (ids, times), undefined when absent. */
export function optionalInteger(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d{1,16}$/.test(value))
    throw new SimVenueRequestError(400, -1100, `Illegal characters found in parameter '${name}'.`);
  return Number(value);
}

/** `limit` within 1..max (Binance's default when absent). */
export function limitParam(params: URLSearchParams, fallback: number, max: number): number {
  const limit = optionalInteger(params, 'limit') ?? fallback;
  if (limit < 1 || limit > max)
    throw new SimVenueRequestError(400, -1130, `Parameter 'limit' must be between 1 and ${max}.`);
  return limit;
}

export function booleanParam(params: URLSearchParams, name: string): boolean {
  return oneOf(params, name, ['true', 'false']) === 'true';
}

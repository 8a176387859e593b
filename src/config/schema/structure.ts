/** Structural fields: maps with known keys (unknown keys refused with a did-you-mean), lists, named maps, variants, defaults. */
import { YAMLMap, isMap, isScalar, isSeq, type Node } from 'yaml';
import { didYouMean } from '../did-you-mean.js';
import {
  INVALID,
  type Field,
  type Invalid,
  type Location,
  type Out,
  type ReadContext,
  childPath,
  describeNode,
  lineOf,
  present,
  report,
} from './field.js';

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
export type Shape = Readonly<Record<string, Field<unknown>>>;
export type ObjectOut<S extends Shape> = { readonly [K in keyof S & string as CamelCase<K>]: Out<S[K]> };
/** What a check sees: fields that failed to read are undefined (their problem is already reported). */
export type PartialOut<S extends Shape> = { readonly [K in keyof S & string as CamelCase<K>]?: Out<S[K]> };

export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Locates the value at `keys` below a map node, for checks that report on a nested key. */
export type Locate = (...keys: readonly (string | number)[]) => Location & { readonly found: boolean };

export interface ObjectOptions<S extends Shape> {
  /** Cross-field rules. Runs even when some fields failed, so every problem is reported in one pass. */
  readonly check?: (value: PartialOut<S>, locate: Locate, ctx: ReadContext) => void;
}

export function object<S extends Shape>(shape: S, options: ObjectOptions<S> = {}): Field<ObjectOut<S>> {
  const keys = Object.keys(shape);
  const map = <V>(
    value: ObjectOut<S>,
    each: (field: Field<unknown>, item: unknown) => V,
    rename: (key: string) => string,
  ) => {
    const result: Record<string, V> = {};
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[camelCase(key)];
      if (item !== undefined) result[rename(key)] = each(shape[key]!, item);
    }
    return result;
  };
  return {
    allowed: `a map with keys ${keys.join(', ')}`,
    read(node, at, ctx) {
      // An absent section reads as an empty map, so its defaults apply and its required keys are named.
      const target = present(node, ctx) ?? new YAMLMap();
      if (!isMap(target))
        return report(ctx, at, 'must be a map of keys', {
          value: describeNode(target),
          allowed: `keys ${keys.join(', ')}`,
        });
      const located = locator(target, at, ctx);
      const entries = new Map<string, Node | undefined>();
      for (const pair of target.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key in shape) {
          entries.set(key, (pair.value ?? undefined) as Node | undefined);
          continue;
        }
        const suggestion = didYouMean(key, keys);
        report(
          ctx,
          { path: childPath(at.path, key), line: lineOf(pair.key as Node, ctx) },
          `unknown key${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          { allowed: keys.join(', ') },
        );
      }
      let failed = false;
      const result: Record<string, unknown> = {};
      for (const key of keys) {
        const value = shape[key]!.read(entries.get(key), located(key), ctx);
        if (value === INVALID) failed = true;
        else if (value !== undefined) result[camelCase(key)] = value;
      }
      const before = ctx.issues.length;
      options.check?.(result as PartialOut<S>, located, ctx);
      return failed || ctx.issues.length > before ? INVALID : (result as ObjectOut<S>);
    },
    encode: (value) =>
      map(
        value,
        (field, item) => field.encode(item),
        (key) => key,
      ),
    redact: (value) => map(value, (field, item) => field.redact(item), camelCase) as ObjectOut<S>,
  };
}

function locator(map: YAMLMap, at: Location, ctx: ReadContext): Locate {
  return (...keys) => {
    let node: Node | undefined = map;
    let location = at;
    for (const key of keys) {
      // A map entry is located by its key's line (a block value starts on the next line); a list item by itself.
      const pair = isMap(node)
        ? node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(key))
        : undefined;
      const next = (isMap(node) ? pair?.value : isSeq(node) ? node.get(Number(key), true) : undefined) as
        Node | null | undefined;
      const anchor = (pair?.key ?? next) as Node | null | undefined;
      location = { path: childPath(location.path, key), line: anchor?.range ? lineOf(anchor, ctx) : location.line };
      node = next ?? undefined;
    }
    return { ...location, found: present(node, ctx) !== undefined };
  };
}

export function list<T>(item: Field<T>, options: { minItems?: number } = {}): Field<readonly T[]> {
  const allowed = `a list of ${item.allowed}`;
  return {
    allowed,
    read(node, at, ctx) {
      const target = present(node, ctx);
      if (target === undefined && !options.minItems) return [];
      if (target === undefined) return report(ctx, at, 'is required', { allowed });
      if (!isSeq(target)) return report(ctx, at, 'must be a list', { value: describeNode(target), allowed });
      if (target.items.length < (options.minItems ?? 0))
        return report(ctx, at, `needs at least ${options.minItems} item(s)`, { allowed });
      const values = target.items.map((child, index) =>
        item.read(child as Node, { path: childPath(at.path, index), line: lineOf(child as Node, ctx) }, ctx),
      );
      return values.includes(INVALID) ? INVALID : (values as T[]);
    },
    encode: (value) => value.map((entry) => item.encode(entry)),
    redact: (value) => value.map((entry) => item.redact(entry)),
  };
}

/** A map whose keys are names chosen by the user (e.g. `exchanges.<name>`). */
export function record<T>(
  item: Field<T>,
  options: { keyPattern: RegExp; keyAllowed: string },
): Field<Readonly<Record<string, T>>> {
  const each = <V>(value: Readonly<Record<string, T>>, fn: (entry: T) => V) =>
    Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, fn(entry)]));
  return {
    allowed: `a map of names to ${item.allowed}`,
    read(node, at, ctx) {
      const target = present(node, ctx);
      if (target === undefined) return {};
      if (!isMap(target)) return report(ctx, at, 'must be a map of names', { value: describeNode(target) });
      let failed = false;
      const result: Record<string, T> = {};
      for (const pair of target.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyAt = { path: childPath(at.path, key), line: lineOf(pair.key as Node, ctx) };
        if (!options.keyPattern.test(key)) {
          failed = true;
          report(ctx, keyAt, 'is not a valid name', { value: JSON.stringify(key), allowed: options.keyAllowed });
          continue;
        }
        const value = item.read((pair.value ?? undefined) as Node | undefined, keyAt, ctx);
        if (value === INVALID) failed = true;
        else result[key] = value;
      }
      return failed ? INVALID : result;
    },
    encode: (value) => each(value, (entry) => item.encode(entry)),
    redact: (value) => each(value, (entry) => item.redact(entry)),
  };
}

/** Absent → `fallback` (from the defaults module). */
export function withDefault<T>(field: Field<T>, fallback: T): Field<T> {
  return {
    ...field,
    allowed: field.allowed,
    read: (node, at, ctx) => (present(node, ctx) === undefined ? fallback : field.read(node, at, ctx)),
  };
}

/** Absent → undefined. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    allowed: field.allowed,
    read: (node, at, ctx) => (present(node, ctx) === undefined ? undefined : field.read(node, at, ctx)),
    encode: (value) => (value === undefined ? undefined : field.encode(value)),
    redact: (value) => (value === undefined ? undefined : field.redact(value)),
  };
}

/**
 * One of several map shapes, chosen by the text of `key` (absent → `fallback`). Each variant's shape
 * must declare `key` itself (usually `withDefault(oneOf([...]), ...)`) so it is kept in the output.
 */
export function variant<V extends Readonly<Record<string, Field<{ readonly [k: string]: unknown }>>>>(
  key: string,
  variants: V,
  fallback: keyof V & string,
): Field<Out<V[keyof V]>> {
  const names = Object.keys(variants);
  const pick = (value: unknown) => variants[String((value as Record<string, unknown>)[camelCase(key)] ?? fallback)]!;
  return {
    allowed: `a map whose ${key} is one of ${names.join(', ')}`,
    read(node, at, ctx) {
      const target = present(node, ctx);
      const tag = isMap(target) ? target.get(key) : undefined;
      const chosen = variants[String(tag ?? fallback)];
      if (chosen === undefined) {
        const tagNode = (isMap(target) ? target.get(key, true) : undefined) as Node | undefined;
        return report(
          ctx,
          { path: childPath(at.path, key), line: tagNode ? lineOf(tagNode, ctx) : at.line },
          'is not supported',
          { value: JSON.stringify(tag), allowed: `one of ${names.join(', ')}` },
        );
      }
      return chosen.read(node, at, ctx) as Out<V[keyof V]> | Invalid;
    },
    encode: (value) => pick(value).encode(value as never),
    redact: (value) => pick(value).redact(value as never) as Out<V[keyof V]>,
  };
}

/**
 * A small typed schema that reads YAML nodes directly, so every problem is reported with the key
 * path and the line it comes from, numbers keep their source text (exact decimals), `${VAR}`
 * substitution happens per scalar, and one pass collects every problem instead of stopping at the
 * first. A Field knows how to read a node, write a value back in the file's vocabulary, and mask its
 * secrets, so those three views cannot drift apart.
 */
import { isAlias, isMap, isScalar, isSeq, type LineCounter, type Document, type Node } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { substituteEnv } from '../env-substitution.js';

/** Marks a value that could not be read; the reason is already reported. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export const SECRET_MASK = '***';

/** Where a node sits: its key path (file vocabulary) and 1-based line. */
export interface Location {
  readonly path: string;
  readonly line: number;
}

export interface ReadContext {
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly document: Document;
  readonly lineCounter: LineCounter;
  readonly issues: ConfigIssue[];
}

export interface Field<T> {
  /** Reads `node` (undefined when the key is absent); reports problems to `ctx` and returns INVALID. */
  read(node: Node | undefined, at: Location, ctx: ReadContext): T | Invalid;
  /** The value in the file's vocabulary (snake_case keys, durations as text), secrets masked. */
  encode(value: T): unknown;
  /** The same value with every secret masked. */
  redact(value: T): T;
  /** What is accepted, for messages and docs. */
  readonly allowed: string;
}

export type Out<F> = F extends Field<infer T> ? T : never;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function lineOf(node: Node, ctx: ReadContext): number {
  return node.range ? ctx.lineCounter.linePos(node.range[0]).line : 1;
}

export function report(
  ctx: ReadContext,
  at: Location,
  message: string,
  details: { value?: string; allowed?: string } = {},
): Invalid {
  ctx.issues.push({ file: ctx.file, path: at.path, line: at.line, message, ...details });
  return INVALID;
}

/** Follows `*alias` references; null scalars (`key:` or `key: ~`) count as absent. */
export function present(node: Node | undefined, ctx: ReadContext): Node | undefined {
  const target = node !== undefined && isAlias(node) ? (node.resolve(ctx.document) as Node | undefined) : node;
  if (target === undefined || (isScalar(target) && target.value === null)) return undefined;
  return target;
}

/** A scalar after `${VAR}` substitution: the YAML value, its source text, and whether env filled it in. */
export interface ScalarText {
  readonly value: unknown;
  readonly text: string;
  readonly fromEnv: boolean;
}

export function scalarOf(node: Node, at: Location, ctx: ReadContext): ScalarText | Invalid {
  if (!isScalar(node))
    return report(ctx, at, 'must be a single value, not a list or map', { value: describeNode(node) });
  const source = typeof node.source === 'string' ? node.source : String(node.value);
  if (typeof node.value !== 'string') return { value: node.value, text: source, fromEnv: false };
  const substitution = substituteEnv(node.value, ctx.env);
  if (!substitution.ok) {
    return report(ctx, at, `environment variable ${substitution.missing} is not set and has no default`, {
      allowed: `set ${substitution.missing}, or write \${${substitution.missing}:-default}`,
    });
  }
  if (substitution.substituted) return { value: substitution.text, text: substitution.text, fromEnv: true };
  return { value: node.value, text: node.value, fromEnv: false };
}

/** Shows a found value in a message (JSON-quoted strings), masked when secret. */
export function shown(scalar: ScalarText, secret = false): string {
  if (secret) return SECRET_MASK;
  return typeof scalar.value === 'string' ? JSON.stringify(scalar.value) : scalar.text;
}

export function describeNode(node: Node): string {
  if (isScalar(node)) return JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  return isMap(node) ? 'a map' : 'an unsupported YAML node';
}

import { INVALID, type Field } from './field.js';

/**
 * A field whose value is completed from itself after reading (a default that depends on another key,
 * a parsed form of a text). Encoding writes back only what the file holds; redacting completes the
 * redacted value again, so derived parts never keep a secret.
 */
export function derive<T, U extends T>(field: Field<T>, complete: (value: T) => U): Field<U> {
  return {
    allowed: field.allowed,
    read(node, at, ctx) {
      const value = field.read(node, at, ctx);
      return value === INVALID ? INVALID : complete(value);
    },
    encode: (value) => field.encode(value),
    redact: (value) => complete(field.redact(value)),
  };
}

/**
 * Base of every typed error QuantMesh raises (style rule 6, modelled on fastify's catalogue).
 *
 * Each concept declares its errors in its own `errors.ts`; every class carries a stable `code`
 * (`QM_<CONCEPT>_<WHAT>`) that is listed in `docs/errors.md` (a test enforces it). Callers branch on
 * `code` or `instanceof`, never on message text. Messages must never contain secrets.
 */
export abstract class QuantMeshError extends Error {
  /** Stable machine-readable identifier, documented in docs/errors.md. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** True when `error` is a QuantMesh error with the given code. */
export function hasCode(error: unknown, code: string): boolean {
  return error instanceof QuantMeshError && error.code === code;
}

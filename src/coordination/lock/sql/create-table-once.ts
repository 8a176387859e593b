/** A table an adapter creates on first use: once per process, with one retry since other instances may race to create it. */
import type { Kysely, RawBuilder } from 'kysely';

export function createTableOnce(db: Kysely<any>, statement: () => RawBuilder<unknown>): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () => {
    created ??= statement()
      .execute(db)
      .catch(() => statement().execute(db))
      .then(
        () => undefined,
        (error: unknown) => {
          created = undefined;
          throw error;
        },
      );
    return created;
  };
}

import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { fillRow } from '../../src/storage/kysely/row-mappers.js';
import { migrationsFor } from '../../src/storage/migrations/migrate-to-latest.js';
import { createStorageDialect } from '../../src/storage/open-database.js';
import { databaseConformance } from '../conformance/database.suite.js';
import { fill } from '../conformance/database-fixtures.js';
import { BACKENDS, freshDatabase, targetFor } from './storage-targets.js';

// One adapter, three databases; QM_TEST_BACKENDS narrows the list (kysely's DIALECTS pattern).
for (const backend of BACKENDS) {
  describe(`KyselyDatabase on ${backend}`, () => {
    databaseConformance(() => targetFor(backend));

    it("the fill key (exchange, account, symbol, trade id) is the database's own: a plain second insert is refused (Invariant 2)", async () => {
      const target = await targetFor(backend);
      const database = await target.open();
      try {
        expect(database).toBeInstanceOf(KyselyDatabase);
        const { kysely } = database as KyselyDatabase;
        await kysely
          .insertInto('fills')
          .values(fillRow(fill('key-1')))
          .execute();
        await expect(
          kysely
            .insertInto('fills')
            .values(fillRow(fill('key-1', { price: fill('x').price.add(1) })))
            .execute(),
        ).rejects.toThrow();
        for (const other of [{ account: 'sub' }, { exchange: 'other' }, { symbol: 'OTHER' }]) {
          await kysely
            .insertInto('fills')
            .values(fillRow(fill('key-1', other)))
            .execute();
        }
        expect(await database.getFills({ tradeId: 'key-1' })).toHaveLength(4);
      } finally {
        await database.close();
        await target.dispose();
      }
    });

    it('migration 0003 keeps every fill stored under the old key and then accepts one trade id on two symbols', async () => {
      const fresh = await freshDatabase(backend);
      const storage = createStorageDialect(fresh.options);
      const database = await KyselyDatabase.open(storage, { migrate: false });
      try {
        const migrator = new Migrator({
          db: database.kysely,
          provider: { getMigrations: async () => migrationsFor(storage.dialect) },
        });
        expect((await migrator.migrateTo('0002-instance-registry')).error).toBeUndefined();
        const old = [fill('old-1'), fill('old-2', { account: 'sub', symbol: 'ETHUSDT' })];
        await database.kysely.insertInto('fills').values(old.map(fillRow)).execute();
        // The old key refuses the same trade id on another symbol: the bug the migration fixes.
        await expect(
          database.kysely
            .insertInto('fills')
            .values(fillRow(fill('old-1', { symbol: 'SOLUSDT' })))
            .execute(),
        ).rejects.toThrow();

        await database.migrate();
        expect((await database.getFills({})).map((f) => `${f.account}/${f.symbol}/${f.tradeId}`).sort()).toEqual([
          'main/BTCUSDT/old-1',
          'sub/ETHUSDT/old-2',
        ]);
        expect(await database.saveFill(fill('old-1', { symbol: 'SOLUSDT' }))).toBe(true);
        expect(await database.saveFill(fill('old-1'))).toBe(false);
        const tables = (await database.kysely.introspection.getTables()).map((table) => table.name);
        expect(tables).toContain('fills');
        expect(tables).not.toContain('fills_keyed_by_symbol');
        const count = await sql<{
          n: number | string;
        }>`select count(*) as n from fills where symbol = 'BTCUSDT'`.execute(database.kysely);
        expect(Number(count.rows[0]!.n)).toBe(1);
      } finally {
        await database.close();
        await fresh.dispose();
      }
    });
  });
}

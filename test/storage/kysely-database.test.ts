import { describe, expect, it } from 'vitest';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { fillRow } from '../../src/storage/kysely/row-mappers.js';
import { databaseConformance } from '../conformance/database.suite.js';
import { fill } from '../conformance/database-fixtures.js';
import { BACKENDS, targetFor } from './storage-targets.js';

// One adapter, three databases; QM_TEST_BACKENDS narrows the list (kysely's DIALECTS pattern).
for (const backend of BACKENDS) {
  describe(`KyselyDatabase on ${backend}`, () => {
    databaseConformance(() => targetFor(backend));

    it("the fill key (exchange, account, trade id) is the database's own: a plain second insert is refused (Invariant 2)", async () => {
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
            .values(fillRow(fill('key-1', { price: fill('x').price.add(1), symbol: 'OTHER' })))
            .execute(),
        ).rejects.toThrow();
        await kysely
          .insertInto('fills')
          .values(fillRow(fill('key-1', { account: 'sub' })))
          .execute();
        await kysely
          .insertInto('fills')
          .values(fillRow(fill('key-1', { exchange: 'other' })))
          .execute();
        expect(await database.getFills({ tradeId: 'key-1' })).toHaveLength(3);
      } finally {
        await database.close();
        await target.dispose();
      }
    });
  });
}

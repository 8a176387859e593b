import { describe } from 'vitest';
import { databaseConformance } from '../conformance/database.suite.js';
import { BACKENDS, targetFor } from './storage-targets.js';

// One adapter, three databases; QM_TEST_BACKENDS narrows the list (kysely's DIALECTS pattern).
for (const backend of BACKENDS) {
  describe(`KyselyDatabase on ${backend}`, () => {
    databaseConformance(() => targetFor(backend));
  });
}

import { afterAll } from 'vitest';
import { lockConformance } from '../../conformance/lock.suite.js';
import { createPostgresDatabase } from '../../harness/postgres.js';
import { serverSqlBackend } from './sql-lock-backends.js';

const database = await createPostgresDatabase();
afterAll(() => database.drop());
lockConformance(await serverSqlBackend('postgres', 'postgres', database));

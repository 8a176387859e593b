import { afterAll } from 'vitest';
import { lockConformance } from '../../conformance/lock.suite.js';
import { createMariadbDatabase } from '../../harness/mariadb.js';
import { serverSqlBackend } from './sql-lock-backends.js';

const database = await createMariadbDatabase();
afterAll(() => database.drop());
lockConformance(await serverSqlBackend('mariadb', 'mysql', database));

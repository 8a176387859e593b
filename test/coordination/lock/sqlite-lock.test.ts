import { afterAll } from 'vitest';
import { lockConformance } from '../../conformance/lock.suite.js';
import { sqliteBackend } from './sql-lock-backends.js';

const { backend, cleanup } = await sqliteBackend();
afterAll(cleanup);
lockConformance(backend);

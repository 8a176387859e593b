/**
 * The pure core stays pure (style rule 7): `src/domain/` and `src/strategy/` import nothing from
 * Node, adapters, the engine or I/O libraries, and never read clocks or randomness. And no import
 * runs up the layers of architecture.md: each top-level folder of `src/` imports only the folders
 * its row of LAYERS names (a new folder must be given a row).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/child-process.js';

const PURE_DIRS = ['src/domain', 'src/strategy'];
const ALLOWED_PACKAGES = new Set(['decimal.js']);
const FORBIDDEN_CALLS = [
  /\bDate\.now\(/,
  /\bnew Date\(\s*\)/,
  /\bMath\.random\(/,
  /\bperformance\.now\(/,
  /\bsetTimeout\(/,
  /\bsetInterval\(/,
  /\bprocess\./,
];

/**
 * Which top-level folders each layer may import. The pure core at the bottom; the ports and their
 * adapters (exchange, storage, coordination, observability) on it; the engine on the ports; the HTTP
 * server reads the engine's status; app composes an instance; cli and backtest are entry points.
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  domain: ['errors'],
  strategy: ['domain', 'errors'],
  exchange: ['domain', 'errors'],
  // Logging, metrics and progress are cross-cutting: observability imports only domain and errors.
  storage: ['domain', 'errors', 'observability'],
  coordination: ['domain', 'errors'],
  observability: ['domain', 'errors'],
  config: ['domain', 'errors', 'storage', 'observability'],
  engine: ['domain', 'strategy', 'exchange', 'storage', 'coordination', 'observability', 'errors'],
  // The read API answers from the shared database (the cluster view, records).
  server: ['domain', 'engine', 'storage', 'observability', 'errors'],
  app: [
    'domain',
    'strategy',
    'engine',
    'exchange',
    'storage',
    'coordination',
    'observability',
    'server',
    'config',
    'errors',
  ],
  backtest: ['domain', 'strategy', 'engine', 'exchange', 'config', 'app', 'errors'],
  cli: [
    'domain',
    'strategy',
    'exchange',
    'storage',
    'coordination',
    'observability',
    'config',
    // `quantmesh status` reads the cluster view's shapes from the HTTP API.
    'server',
    'app',
    'backtest',
    'errors',
  ],
};

const IMPORT = /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

describe('pure core import boundary', () => {
  it('domain and strategy import only each other and decimal.js, and use no clock or randomness', async () => {
    const violations: string[] = [];
    for (const dir of PURE_DIRS) {
      for (const file of await sourceFiles(join(projectRoot, dir))) {
        const name = relative(projectRoot, file);
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(IMPORT)) {
          const spec = match[1] ?? match[2]!;
          if (spec.startsWith('.')) {
            const target = relative(projectRoot, join(file, '..', spec));
            const insidePure = PURE_DIRS.some((pure) => target.startsWith(pure)) || target.startsWith('src/errors');
            if (!insidePure) violations.push(`${name} imports ${spec}`);
          } else if (!ALLOWED_PACKAGES.has(spec)) {
            violations.push(`${name} imports package ${spec}`);
          }
        }
        for (const pattern of FORBIDDEN_CALLS) {
          if (pattern.test(text)) violations.push(`${name} uses ${pattern.source}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('layer import boundary (architecture.md)', () => {
  it('every folder of src/ imports only the layers below it', async () => {
    const folders = (await readdir(join(projectRoot, 'src'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => LAYERS[folder] === undefined)).toEqual([]);
    const violations: string[] = [];
    for (const folder of folders) {
      for (const file of await sourceFiles(join(projectRoot, 'src', folder))) {
        const name = relative(projectRoot, file);
        for (const match of (await readFile(file, 'utf8')).matchAll(IMPORT)) {
          const spec = match[1] ?? match[2]!;
          if (!spec.startsWith('.')) continue;
          const target = relative(join(projectRoot, 'src'), join(file, '..', spec)).split('/')[0]!;
          const violation = `${name} imports ${target}`;
          if (target !== folder && !LAYERS[folder]!.includes(target)) violations.push(violation);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

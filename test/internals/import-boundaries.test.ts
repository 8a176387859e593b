/**
 * The pure core stays pure (style rule 7): `src/domain/` and `src/strategy/` import nothing from
 * Node, adapters, the engine or I/O libraries, and never read clocks or randomness.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/child-process.js';

const PURE_DIRS = ['src/domain', 'src/strategy'];
const ALLOWED_PACKAGES = new Set(['decimal.js']);
const FORBIDDEN_CALLS = [/\bDate\.now\(/, /\bnew Date\(\s*\)/, /\bMath\.random\(/, /\bperformance\.now\(/, /\bsetTimeout\(/, /\bsetInterval\(/, /\bprocess\./];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map(async (entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  }));
  return nested.flat();
}

describe('pure core import boundary', () => {
  it('domain and strategy import only each other and decimal.js, and use no clock or randomness', async () => {
    const violations: string[] = [];
    for (const dir of PURE_DIRS) {
      for (const file of await sourceFiles(join(projectRoot, dir))) {
        const name = relative(projectRoot, file);
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
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

/**
 * Every error code declared in a `src/**\/errors.ts` is documented in docs/errors.md, and every
 * documented code exists (after fastify's test/internals/errors.test.js).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/child-process.js';

async function errorFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return errorFiles(path);
      return entry.name === 'errors.ts' ? [path] : [];
    }),
  );
  return nested.flat();
}

describe('error catalogue', () => {
  it('documents every code declared in the source, and nothing else', async () => {
    const files = await errorFiles(join(projectRoot, 'src'));
    const declared = new Map<string, string>();
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/readonly code = '(QM_[A-Z0-9_]+)'/g)) {
        declared.set(match[1]!, relative(projectRoot, file));
      }
    }
    expect(declared.size).toBeGreaterThan(0);
    const doc = await readFile(join(projectRoot, 'docs/errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`(QM_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
    const undocumented = [...declared]
      .filter(([code]) => !documented.has(code))
      .map(([code, file]) => `${code} (${file})`);
    expect(undocumented, 'codes missing from docs/errors.md').toEqual([]);
    const stale = [...documented].filter((code) => !declared.has(code));
    expect(stale, 'codes in docs/errors.md that no errors.ts declares').toEqual([]);
  });
});

/** Every alert kind (src/observability/alert-kinds.ts) is documented in docs/operations.md's Alerts table, and nothing else is. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../src/observability/alert-kinds.js';
import { projectRoot } from '../harness/child-process.js';

describe('alert catalogue', () => {
  it('docs/operations.md lists every alert kind once, and only those', async () => {
    const text = await readFile(join(projectRoot, 'docs/operations.md'), 'utf8');
    const section = text.slice(text.indexOf('## Alerts'));
    const documented = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(ALERT_KINDS).sort());
  });
});

/**
 * The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; no browser is downloaded): two `quantmesh` processes (A active, B standby) on a
 * test PostgreSQL database with the database lock, trading one sim venue. The page, served by B,
 * asks for the key, shows the cluster (both instances, A owning the symbol), a grid view whose
 * price moves with the venue, pauses and resumes the symbol from its buttons, and shows trades and
 * events. A screenshot of each view is written to test-artifacts/dashboard/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startQuantMesh } from '../app/quantmesh-process.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { projectRoot, startProcess } from '../harness/child-process.js';
import { createPostgresDatabase } from '../harness/postgres.js';
import { API_KEY, SYMBOL, clusterMember, startClusterVenue } from '../server/cluster-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(projectRoot, 'test-artifacts/dashboard');

async function launch(userDataDir: string): Promise<BrowserContext> {
  return chromium
    .launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    })
    .catch((error: unknown) => {
      throw new Error(
        `cannot start ${CHROMIUM} (install it with: apt-get install -y chromium, or run scripts/ensure-services.sh): ${String(error)}`,
      );
    });
}

async function cellText(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

describe('dashboard in headless Chromium on a two-instance cluster', () => {
  const cleanup = cleanupAfterAll();

  it('logs in, shows the cluster and a live grid, pauses and resumes from the page, and shows trades and events', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qm-dashboard-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    await mkdir(ARTIFACTS, { recursive: true });
    const build = startProcess(process.execPath, ['scripts/build-dashboard.mjs']);
    expect(await build.exited, build.output()).toBe(0);
    const database = await createPostgresDatabase();
    cleanup.push(() => database.drop());
    const venue = await startClusterVenue(20261202);
    cleanup.push(() => venue.close());
    const a = await clusterMember('dash-a', root, venue, database);
    const b = await clusterMember('dash-b', root, venue, database);
    const active = startQuantMesh(['run', '--config', a.config], root);
    cleanup.push(() => active.kill());
    await active.waitForLine(/running; send SIGINT/, 120_000);
    const standby = startQuantMesh(['run', '--config', b.config, '--standby'], root);
    cleanup.push(() => standby.kill());
    await standby.waitForLine(/running; send SIGINT/, 120_000);

    const context = await launch(join(root, 'chromium-profile'));
    cleanup.push(() => context.close());
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${b.url}/`);

    // The key is asked for; a wrong one is refused, the right one opens the cluster.
    await page.locator('#api-key').fill('wrong-key');
    await page.locator('#login button').click();
    await page.locator('#login-error', { hasText: 'refused' }).waitFor({ timeout: 15_000 });
    await page.locator('#api-key').fill(API_KEY);
    await page.locator('#login button').click();
    await page.locator('tr', { hasText: 'dash-b' }).filter({ hasText: 'standby' }).waitFor({ timeout: 60_000 });
    await page
      .locator(`tr[data-symbol="binance/${SYMBOL}"]`, { hasText: 'dash-a' })
      .filter({ hasText: 'running' })
      .waitFor({ timeout: 60_000 });
    expect(await cellText(page, 'tr:has-text("dash-a")')).toMatch(/active.*running.*ok.*binance:BTCUSDT/);
    await page.locator('#live.on').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'cluster.png') });

    // The grid view: slots with working orders, and the price follows the venue.
    await page.locator(`tr[data-symbol="binance/${SYMBOL}"]`).click();
    await page.locator('#slots td', { hasText: 'NEW' }).first().waitFor({ timeout: 30_000 });
    const priceCell = page.locator('#figures dd').first();
    const firstPrice = (await priceCell.textContent()) ?? '';
    await priceCell.filter({ hasNotText: firstPrice }).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2500); // the chart gathers a few points for the screenshot
    await page.screenshot({ path: join(ARTIFACTS, 'grid.png') });

    // Pause and resume from the page (B passes them on to A, the owner).
    await page.locator('button[data-action="pause"]').click();
    await page.locator('#action-result', { hasText: /^pause: (?!…)/ }).waitFor({ timeout: 90_000 });
    expect(await page.locator('#action-result').textContent()).toMatch(/^pause: done by dash-a at /);
    await page.locator('#symbol-state', { hasText: 'paused' }).waitFor({ timeout: 30_000 });
    await page.locator('button[data-action="resume"]').click();
    await page.locator('#action-result', { hasText: /^resume: (?!…)/ }).waitFor({ timeout: 90_000 });
    expect(await page.locator('#action-result').textContent()).toMatch(/^resume: done by dash-a at /);
    await page.locator('#symbol-state', { hasText: 'running' }).waitFor({ timeout: 30_000 });

    await page.locator('nav a[data-view="trades"]').click();
    await page.locator('#equity canvas').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'trades.png') });
    await page.locator('nav a[data-view="events"]').click();
    await page.locator('td', { hasText: 'operator.action' }).first().waitFor({ timeout: 15_000 });
    expect(await page.locator('body').textContent()).not.toContain(API_KEY);
    await page.screenshot({ path: join(ARTIFACTS, 'events.png') });
    expect(failures).toEqual([]);
  }, 400_000);
});

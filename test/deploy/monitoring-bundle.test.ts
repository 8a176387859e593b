/**
 * The monitoring bundle matches the code: every metric the Grafana dashboard (deploy/grafana) or
 * the alerting rules (deploy/prometheus) name is exported by a running instance's /metrics (or is
 * listed in pending-metrics.ts while another part adds it), and the rules and the dashboard's
 * queries are valid PromQL for promtool.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../harness/child-process.js';
import { freePort } from '../harness/free-port.js';
import { runTool } from '../harness/system-tool.js';
import { startQuantMesh } from '../app/quantmesh-process.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { PENDING_METRICS } from './pending-metrics.js';

const DASHBOARD = join(projectRoot, 'deploy/grafana/quantmesh.json');
const RULES = join(projectRoot, 'deploy/prometheus/alerts.yml');
/** Compiling the CLI from source takes long on a machine shared with other test runs. */
const START_MS = 180_000;
/** Series Prometheus itself makes for every target. */
const PROMETHEUS_OWN = new Set(['up']);

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { expr: string }[];
  readonly datasource?: { uid: string };
}
interface Dashboard {
  readonly panels: readonly Panel[];
  readonly templating: { list: readonly { type: string; query: unknown }[] };
}
interface RuleFile {
  readonly groups: readonly { rules: readonly { alert: string; expr: string }[] }[];
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
}

async function dashboardQueries(): Promise<string[]> {
  const { panels, templating } = await dashboard();
  const variables = templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => (variable.query as { query: string }).query);
  return [...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)), ...variables];
}

async function ruleExpressions(): Promise<string[]> {
  const rules = parse(await readFile(RULES, 'utf8')) as RuleFile;
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** Metric names in PromQL: `quantmesh_*` identifiers and the series Prometheus adds (`up`). */
function metricNames(expressions: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const expression of expressions) {
    for (const match of expression.matchAll(/\b(quantmesh_[a-z0-9_]+)\b/g)) names.add(match[1]!);
    for (const match of expression.matchAll(/\b([a-z_]+)\{job=/g)) names.add(match[1]!);
  }
  return names;
}

/** Metric families in a /metrics scrape, with the series a histogram's family name stands for. */
function exportedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('monitoring bundle', () => {
  const cleanup = cleanupAfterAll();

  it(
    'names only metrics a running instance exports (or ones another part is adding)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qm-bundle-'));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      const port = await freePort();
      const instance = startQuantMesh(['--web-port', String(port)], dir);
      cleanup.push(() => instance.kill());
      await instance.waitForLine(/running; send SIGINT/, START_MS);
      const scrape = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      instance.signal('SIGINT');
      expect(await instance.exited).toBe(0);

      expect(scrape).toMatch(/^quantmesh_instance_info\{instance_id="[^"]+",version="[^"]+",mode="active"\} 1$/m);
      const exported = exportedNames(scrape);
      const named = metricNames([...(await dashboardQueries()), ...(await ruleExpressions())]);
      expect(named.size).toBeGreaterThan(15);
      const unknown = [...named].filter(
        (name) => !exported.has(name) && !PROMETHEUS_OWN.has(name) && PENDING_METRICS[name] === undefined,
      );
      expect(unknown, 'the bundle names metrics no instance exports').toEqual([]);
      const landed = Object.keys(PENDING_METRICS).filter((name) => exported.has(name));
      expect(landed, 'exported now: remove them from test/deploy/pending-metrics.ts').toEqual([]);
      const stale = Object.keys(PENDING_METRICS).filter((name) => !named.has(name));
      expect(stale, 'pending metrics the bundle no longer names').toEqual([]);
    },
    START_MS + 60_000,
  );

  it('the alerting rules pass promtool check rules', async () => {
    const result = await runTool('promtool', ['check', 'rules', RULES]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it("the dashboard's queries are valid PromQL (checked by promtool as recording rules)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-bundle-promql-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    // Grafana's variables become what they expand to; label_values() is Grafana's, not PromQL: keep its selector.
    const expressions = (await dashboardQueries()).map((query) =>
      query
        .replaceAll('$__rate_interval', '5m')
        .replaceAll(/\$[a-z]+/g, '.*')
        .replace(/^label_values\((.+), *[a-z_]+\)$/, '$1'),
    );
    const rules = {
      groups: [
        { name: 'dashboard', rules: expressions.map((expr, index) => ({ record: `dashboard:query_${index}`, expr })) },
      ],
    };
    const file = join(dir, 'dashboard-queries.yml');
    await writeFile(file, JSON.stringify(rules));
    const result = await runTool('promtool', ['check', 'rules', file]);
    expect(result.code, result.output).toBe(0);
  });

  it('every dashboard panel has a unique id and queries the selected Prometheus', async () => {
    const { panels } = await dashboard();
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const queried = panels.filter((panel) => panel.type !== 'row');
    expect(
      queried
        .filter((panel) => panel.datasource?.uid !== '${datasource}' || (panel.targets ?? []).length === 0)
        .map((panel) => panel.title),
    ).toEqual([]);
  });
});

/**
 * deploy/compose checked statically (no Docker engine on these machines): docker-compose accepts
 * the file with its secrets set and refuses it without them, every host file it mounts and every
 * path the Dockerfile copies exists, the instances run the examples/ha files, and the Prometheus
 * configuration it mounts passes promtool with its rules.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../harness/child-process.js';
import { runTool } from '../harness/system-tool.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';

const COMPOSE_DIR = join(projectRoot, 'deploy/compose');
const SECRETS = {
  QM_PG_PASSWORD: 'pg-secret',
  QM_REDIS_PASSWORD: 'redis-secret',
  QM_WEB_API_KEY: 'web-secret',
  QM_GRAFANA_ADMIN_PASSWORD: 'grafana-secret',
};
const SERVICES = [
  'etcd',
  'grafana',
  'instance-1',
  'instance-2',
  'instance-3',
  'nginx',
  'postgres',
  'prometheus',
  'redis',
  'sim-venue',
];

interface Service {
  readonly command?: readonly string[];
  readonly volumes?: readonly string[];
  readonly build?: { context: string; dockerfile: string };
}
interface Compose {
  readonly services: Record<string, Service>;
  readonly secrets: Record<string, { file: string }>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('deploy/compose', () => {
  const cleanup = cleanupAfterAll();

  it('docker-compose config accepts the file with its secrets set, and names every part of the cluster', async () => {
    const result = await runTool('docker-compose', ['config'], { cwd: COMPOSE_DIR, env: SECRETS });
    expect(result.code, result.output).toBe(0);
    const compose = parse(result.output) as Compose;
    expect(Object.keys(compose.services).sort()).toEqual(SERVICES);
    // The instances run the example files as shipped; instance-3 is the standby.
    for (const id of ['instance-1', 'instance-2', 'instance-3']) {
      const command = compose.services[id]!.command!;
      expect(command.slice(0, 2)).toEqual(['--config', `examples/ha/${id}.yaml`]);
      expect(await exists(join(projectRoot, command[1]!))).toBe(true);
    }
    expect(compose.services['instance-3']!.command).toContain('--standby');
    const mounted = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0]!)
      .filter((source) => source.startsWith('/'));
    expect(mounted.length).toBeGreaterThanOrEqual(5);
    expect(await Promise.all(mounted.map(async (source) => [source, await exists(source)]))).toEqual(
      mounted.map((source) => [source, true]),
    );
    // The API key reaches Prometheus as a secret file the operator writes, never committed.
    expect(compose.secrets.web_api_key!.file).toBe(join(COMPOSE_DIR, 'web-api-key.secret'));
    expect(await readFile(join(COMPOSE_DIR, '.gitignore'), 'utf8')).toContain('*.secret');
  });

  it('docker-compose refuses to start without the secrets, naming the variable', async () => {
    const unset = Object.fromEntries(Object.keys(SECRETS).map((name) => [name, '']));
    const result = await runTool('docker-compose', ['config', '-q'], { cwd: COMPOSE_DIR, env: unset });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/set QM_[A-Z_]+ in \.env/);
  });

  it('every path the Dockerfile copies from the repository exists', async () => {
    const dockerfile = await readFile(join(COMPOSE_DIR, 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin', 'examples']));
    expect(await Promise.all(sources.map(async (source) => [source, await exists(join(projectRoot, source))]))).toEqual(
      sources.map((source) => [source, true]),
    );
  });

  it('the Prometheus configuration it mounts passes promtool check config, rules included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-prometheus-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    // As mounted in the container: both files side by side, the key at the secret's path.
    const config = await readFile(join(projectRoot, 'deploy/prometheus/prometheus.yml'), 'utf8');
    expect(config).toContain('credentials_file: /run/secrets/web_api_key');
    await writeFile(join(dir, 'web_api_key'), 'key');
    await writeFile(join(dir, 'prometheus.yml'), config.replace('/run/secrets/web_api_key', join(dir, 'web_api_key')));
    await copyFile(join(projectRoot, 'deploy/prometheus/alerts.yml'), join(dir, 'alerts.yml'));
    const result = await runTool('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
  });
});

/** Secrets never leave the configuration in printable form: redactConfig, renderConfig, configSecrets. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configSecrets, redactConfig, renderConfig } from '../../src/config/redact-config.js';

const SECRETS = {
  pg: 'pg-pass-4821',
  redis: 'redis-pass-9932',
  etcd: 'etcd-pass-1177',
  apiKey: 'okx-api-key-5510',
  secretKey: 'okx-secret-key-6620',
  passphrase: 'okx-passphrase-7730',
  web: 'web-api-key-8840',
  hook: 'hook-token-9950',
};

function secretConfig(dsn: string) {
  return parseConfig(
    `instance: {id: a}
database:
  type: ${dsn.includes('tcp(') ? 'mysql' : 'postgres'}
  dsn: "${dsn}"
distributed_lock:
  enabled: true
  redis: {addr: "r:6379", password: "${SECRETS.redis}"}
  etcd: {endpoints: ["e:2379"], auth: {username: root, password: "${SECRETS.etcd}"}}
exchanges:
  okx: {api_key: "${SECRETS.apiKey}", secret_key: "${SECRETS.secretKey}", passphrase: "${SECRETS.passphrase}"}
trading:
  symbols: [{exchange: okx, symbol: BTCUSDT, price_interval: 1, order_quantity: 30}]
web: {api_key: "${SECRETS.web}"}
notifications:
  webhook: {url: "https://hooks.example.com/services/${SECRETS.hook}"}
`,
    { file: 'secret.yaml', env: {} },
  );
}

const DSNS = [
  `postgres://quantmesh:${SECRETS.pg}@db1:5432,db2:5432/quantmesh?sslmode=disable`,
  `host=db user=quantmesh password=${SECRETS.pg} dbname=quantmesh`,
  `quantmesh:${SECRETS.pg}@tcp(db:3306)/quantmesh?parseTime=True`,
];

describe('redaction', () => {
  it.each(DSNS)('masks every secret, including the DSN password, for %s', (dsn) => {
    const config = secretConfig(dsn);
    const redacted = redactConfig(config);
    const printed = JSON.stringify(redacted) + renderConfig(config);
    for (const secret of Object.values(SECRETS)) expect(printed).not.toContain(secret);
    expect(redacted.exchanges.okx).toMatchObject({ apiKey: '***', secretKey: '***', passphrase: '***' });
    expect(redacted.web.apiKey).toBe('***');
    expect(redacted.database.dsn).toContain('***');
    expect(redacted.database.connection).toMatchObject({ password: '***' });
    // The original is untouched and still usable.
    expect(config.database.connection).toMatchObject({ password: SECRETS.pg });
  });

  it('prints a configuration that loads back to the same values', () => {
    const config = secretConfig(DSNS[0]!);
    const again = parseConfig(renderConfig(config), { file: 'rendered.yaml', env: {} });
    expect(again).toEqual(redactConfig(config));
  });

  it('lists the secret values for the logger to scrub', () => {
    const secrets = configSecrets(secretConfig(DSNS[1]!));
    for (const secret of [
      SECRETS.pg,
      SECRETS.redis,
      SECRETS.etcd,
      SECRETS.apiKey,
      SECRETS.secretKey,
      SECRETS.passphrase,
      SECRETS.web,
    ])
      expect(secrets).toContain(secret);
    expect(secrets.some((value) => value.includes(SECRETS.hook))).toBe(true);
  });
});

/** Log lines never carry secrets: structural redaction, configured secret values, DSN passwords, key-like pairs. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { STATUS_LINE_KEY, captureLogs, createLogger, maskSecrets } from '../../src/observability/logger.js';
import { SecretScrubber } from '../../src/observability/secret-scrubber.js';

describe('logger', () => {
  it('writes JSON lines at the configured level', () => {
    const { logger, records } = captureLogs({ level: 'warn', bindings: { instance: 'i-1' } });
    logger.info('dropped');
    logger.warn({ symbol: 'BTCUSDT' }, 'kept');
    expect(records()).toEqual([
      expect.objectContaining({ level: 40, instance: 'i-1', symbol: 'BTCUSDT', msg: 'kept' }),
    ]);
  });

  it('redacts secret keys in logged objects at any depth it covers', () => {
    const { logger, records } = captureLogs();
    logger.info(
      {
        apiKey: 'k1',
        venue: { secret_key: 's1', nested: { password: 'p1', passphrase: 'pp1' } },
        database: { dsn: 'postgres://u:p@h/d' },
      },
      'connect',
    );
    const [record] = records();
    expect(record).toMatchObject({
      apiKey: '***',
      venue: { secret_key: '***', nested: { password: '***', passphrase: '***' } },
      database: { dsn: '***' },
    });
  });

  it('scrubs configured secrets, DSN passwords and key-like pairs from messages and errors', () => {
    const { logger, lines } = captureLogs({ secrets: ['S3cr3t-Value-42', 'quote"d\\secret'] });
    logger.error(new Error('auth failed for S3cr3t-Value-42'), 'venue said S3cr3t-Value-42');
    logger.info(
      'pg postgres://quantmesh:pgpw1@db:5432/q, mysql quantmesh:mypw2@tcp(db:3306)/q, kw host=db password=kwpw3 dbname=q',
    );
    logger.info('request api_key=AKIA123 secret: sk-456 token=tk789 and quote"d\\secret');
    logger.info({ payload: '{"apiKey":"jsonkey0"}' }, 'raw');
    const output = lines().join('\n');
    for (const secret of [
      'S3cr3t-Value-42',
      'pgpw1',
      'mypw2',
      'kwpw3',
      'AKIA123',
      'sk-456',
      'tk789',
      'jsonkey0',
      'quote',
    ])
      expect(output).not.toContain(secret);
    expect(output).toContain('postgres://quantmesh:***@db:5432/q');
    expect(output).toContain('quantmesh:***@tcp(db:3306)/q');
    // Every line is still valid JSON after scrubbing.
    for (const line of lines()) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('writes readable lines when pretty, scrubbed as well', () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    const logger = createLogger({ pretty: true, destination, secrets: ['prettysecret'] });
    logger.info({ password: 'x' }, 'hello prettysecret');
    expect(text).toMatch(/INFO.*hello \*\*\*/);
    expect(text).not.toContain('prettysecret');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('prints a status line as one pretty line led by the instance, and keeps its figures in the JSON', () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    const logger = createLogger({ pretty: true, destination, bindings: { instance: 'i-1' } });
    logger.info(
      { [STATUS_LINE_KEY]: { symbol: 'sim:BTCUSDT', price: '60000', fees: '0.1' } },
      'BTCUSDT owned running price=60000 fees=0.1',
    );
    expect(text).toMatch(/^\[[\d:.]+\] INFO: \[i-1\] BTCUSDT owned running price=60000 fees=0\.1\n$/);
    const { logger: json, records } = captureLogs();
    json.info({ [STATUS_LINE_KEY]: { symbol: 'sim:BTCUSDT', fees: '0.1' } }, 'line');
    expect(records()[0]).toMatchObject({ symbolStatus: { symbol: 'sim:BTCUSDT', fees: '0.1' } });
  });
});

describe('secret scrubber', () => {
  it('leaves ordinary text alone and ignores secrets too short to mask safely', () => {
    const scrubber = new SecretScrubber(['abc']);
    expect(scrubber.scrub('placed order abc-1 at 100.5 on https://api.example.com/v1')).toBe(
      'placed order abc-1 at 100.5 on https://api.example.com/v1',
    );
  });
  it('masks a secret added after start (configuration centre) in every later line', () => {
    const { logger, lines } = captureLogs({ secrets: ['first-secret-1'] });
    logger.info('before: later-secret-2');
    maskSecrets(logger, ['later-secret-2']);
    logger.child({ part: 'child' }).info('after: later-secret-2 and first-secret-1');
    expect(lines()[0]).toContain('later-secret-2');
    expect(lines()[1]).toContain('after: *** and ***');
  });
});

/**
 * Every kind of bad configuration is refused with a ConfigError whose issue names the key path and
 * the line (R5). Each case marks its offending line with `# <-`; the expected line is read from it.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load-config.js';

const SIM = 'exchanges:\n  sim: {type: sim}\n';
const SYMBOL =
  'trading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: "0.1", order_quantity: "30"}\n';
const VALID = SIM + SYMBOL;

interface BadCase {
  readonly name: string;
  readonly yaml: string;
  readonly path: string;
  readonly message: RegExp;
  readonly value?: string;
}

const CASES: readonly BadCase[] = [
  {
    name: 'integer given as text',
    yaml: `${VALID}database:\n  max_open_conns: abc # <-\n`,
    path: 'database.max_open_conns',
    message: /must be an integer/,
    value: '"abc"',
  },
  {
    name: 'boolean given as quoted text',
    yaml: `${VALID}system:\n  cancel_on_exit: "yes" # <-\n`,
    path: 'system.cancel_on_exit',
    message: /must be true or false/,
  },
  { name: 'section that is not a map', yaml: `${VALID}web: 8080 # <-\n`, path: 'web', message: /must be a map/ },
  {
    name: 'symbols that are not a list',
    yaml: `${SIM}trading:\n  symbols: BTCUSDT # <-\n`,
    path: 'trading.symbols',
    message: /must be a list/,
  },
  {
    name: 'misspelt top-level key',
    yaml: `${SIM}tradng: # <-\n  symbols: []\n`,
    path: 'tradng',
    message: /unknown key; did you mean "trading"\?/,
  },
  {
    name: 'misspelt symbol key',
    yaml: `${SIM}trading:\n  symbols:\n    - exchange: sim\n      symbol: BTCUSDT\n      price_intervall: "0.1" # <-\n      price_interval: "0.1"\n      order_quantity: "30"\n`,
    path: 'trading.symbols[0].price_intervall',
    message: /did you mean "price_interval"\?/,
  },
  {
    name: 'unknown key with nothing close',
    yaml: `${VALID}database:\n  zzqqxx_yy: 1 # <-\n`,
    path: 'database.zzqqxx_yy',
    message: /^unknown key$/,
  },
  {
    name: 'real venue without credentials',
    yaml: `exchanges:\n  binance: # <-\n    market: spot\n${SYMBOL.replace('sim', 'binance')}`,
    path: 'exchanges.binance.api_key',
    message: /required for the real venue binance/,
  },
  {
    name: 'okx without passphrase',
    yaml: `exchanges:\n  okx: # <-\n    api_key: k\n    secret_key: s\n${SYMBOL.replace('sim', 'okx')}`,
    path: 'exchanges.okx.passphrase',
    message: /required for the real venue okx/,
  },
  {
    name: 'postgres type with a mysql URL',
    yaml: `${VALID}database:\n  type: postgres\n  dsn: "mysql://u:pw@h/db" # <-\n`,
    path: 'database.dsn',
    message: /not a valid postgres DSN: the scheme must be postgres/,
  },
  {
    name: 'mysql Go DSN with a bad port (password masked)',
    yaml: `${VALID}database:\n  type: mysql\n  dsn: "u:topsecret@tcp(h:99999)/db" # <-\n`,
    path: 'database.dsn',
    message: /port 99999/,
    value: '"u:***@tcp(h:99999)/db"',
  },
  {
    name: 'postgres keywords without dbname',
    yaml: `${VALID}database:\n  type: postgres\n  dsn: "host=h user=u" # <-\n`,
    path: 'database.dsn',
    message: /no database name/,
  },
  {
    name: 'postgres without a DSN',
    yaml: `${VALID}database: # <-\n  type: postgres\n`,
    path: 'database.dsn',
    message: /required for a postgres database/,
  },
  {
    name: 'unsupported database type',
    yaml: `${VALID}database:\n  type: oracle # <-\n`,
    path: 'database.type',
    message: /is not supported/,
    value: '"oracle"',
  },
  {
    name: 'unsupported lock type',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  type: zookeeper # <-\n`,
    path: 'distributed_lock.type',
    message: /is not supported/,
  },
  {
    name: 'redis lock without its section',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock: # <-\n  enabled: true\n  type: redis\n`,
    path: 'distributed_lock.redis',
    message: /required when the lock type is redis/,
  },
  {
    name: 'redis with addr and addrs',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  redis:\n    addr: "r:6379" # <-\n    addrs: ["r1:6379"]\n`,
    path: 'distributed_lock.redis.addr',
    message: /give one of addr, addrs, sentinels or cluster, not addr and addrs/,
  },
  {
    name: 'redis sentinels and cluster together',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  redis:\n    sentinels: ["s:26379"] # <-\n    master_name: qm\n    cluster: ["c:7000"]\n`,
    path: 'distributed_lock.redis.sentinels',
    message: /not sentinels and cluster/,
  },
  {
    name: 'redis sentinels without master_name',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  redis:\n    sentinels: ["s:26379"] # <-\n`,
    path: 'distributed_lock.redis.sentinels',
    message: /needs master_name/,
  },
  {
    name: 'redis master_name without sentinels',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  redis:\n    addr: "r:6379"\n    master_name: qm # <-\n`,
    path: 'distributed_lock.redis.master_name',
    message: /only goes with sentinels/,
  },
  {
    name: 'redis cluster with a database number',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  redis:\n    cluster: ["c:7000"]\n    db: 2 # <-\n`,
    path: 'distributed_lock.redis.db',
    message: /must be 0 with cluster/,
  },
  {
    name: 'etcd endpoint without a port',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  type: etcd\n  etcd:\n    endpoints:\n      - "http://etcd" # <-\n`,
    path: 'distributed_lock.etcd.endpoints[0]',
    message: /is not valid/,
  },
  {
    name: 'lock enabled without instance.id',
    yaml: `${VALID}distributed_lock:\n  enabled: true # <-\n  type: database\n`,
    path: 'instance.id',
    message: /required when distributed_lock is enabled/,
  },
  {
    name: 'negative interval',
    yaml: `${SIM}trading:\n  symbols:\n    - exchange: sim\n      symbol: BTCUSDT\n      price_interval: "0.1"\n      order_quantity: "30"\n      reconcile_interval: -5 # <-\n`,
    path: 'trading.symbols[0].reconcile_interval',
    message: /must not be negative/,
  },
  {
    name: 'zero interval',
    yaml: `${VALID}coordination:\n  lease_ttl: 0 # <-\n`,
    path: 'coordination.lease_ttl',
    message: /greater than zero/,
  },
  {
    name: 'duration with an unknown unit',
    yaml: `${VALID}storage:\n  flush_interval: 10 minutes # <-\n`,
    path: 'storage.flush_interval',
    message: /must be a duration/,
  },
  {
    name: 'unset environment variable',
    yaml: `${VALID}web:\n  api_key: "\${QM_TEST_UNSET_VARIABLE}" # <-\n`,
    path: 'web.api_key',
    message: /QM_TEST_UNSET_VARIABLE is not set and has no default/,
  },
  {
    name: 'hexadecimal price',
    yaml: `${SIM}trading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: 0x10, order_quantity: "30"} # <-\n`,
    path: 'trading.symbols[0].price_interval',
    message: /must be a decimal number/,
  },
  {
    name: 'quantity in words',
    yaml: `${SIM}trading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: "1", order_quantity: thirty} # <-\n`,
    path: 'trading.symbols[0].order_quantity',
    message: /must be a decimal number/,
  },
  {
    name: 'zero price interval',
    yaml: `${SIM}trading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: 0, order_quantity: "30"} # <-\n`,
    path: 'trading.symbols[0].price_interval',
    message: /out of range/,
  },
  {
    name: 'duplicate symbol',
    yaml: `${VALID}    - {exchange: sim, symbol: BTCUSDT, price_interval: "1", order_quantity: "30"} # <-\n`,
    path: 'trading.symbols[1].symbol',
    message: /duplicates trading.symbols\[0\]/,
  },
  {
    name: 'symbol on an unconfigured exchange',
    yaml: `${SIM}trading:\n  symbols:\n    - {exchange: binanse, symbol: BTCUSDT, price_interval: "1", order_quantity: "30"} # <-\n`,
    path: 'trading.symbols[0].exchange',
    message: /not a configured exchange/,
    value: '"binanse"',
  },
  {
    name: 'heartbeat not shorter than the lease',
    yaml: `${VALID}coordination:\n  lease_ttl: 5s\n  heartbeat_interval: 5000ms # <-\n`,
    path: 'coordination.heartbeat_interval',
    message: /shorter than lease_ttl/,
  },
  {
    name: 'orphan timeout not longer than the lease',
    yaml: `${VALID}coordination:\n  lease_ttl: 10s\n  orphan_timeout: 10s # <-\n`,
    path: 'coordination.orphan_timeout',
    message: /longer than lease_ttl/,
  },
  {
    name: 'more idle than open connections',
    yaml: `${VALID}database:\n  max_open_conns: 5\n  max_idle_conns: 6 # <-\n`,
    path: 'database.max_idle_conns',
    message: /must not exceed max_open_conns/,
  },
  {
    name: 'cleanup batch over the threshold',
    yaml: `${SIM}trading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: "1", order_quantity: "30", order_cleanup_threshold: 5, cleanup_batch_size: 6} # <-\n`,
    path: 'trading.symbols[0].cleanup_batch_size',
    message: /must not exceed order_cleanup_threshold/,
  },
  {
    name: 'trailing take-profit over its trigger',
    yaml: `${SIM}trading:\n  symbols:\n    - exchange: sim\n      symbol: BTCUSDT\n      price_interval: "1"\n      order_quantity: "30"\n      grid_risk_control:\n        take_profit_trigger_ratio: "0.05"\n        trailing_take_profit_ratio: "0.05" # <-\n`,
    path: 'trading.symbols[0].grid_risk_control.trailing_take_profit_ratio',
    message: /must be below take_profit_trigger_ratio/,
  },
  {
    name: 'risk control without symbols to watch',
    yaml: `${VALID}risk_control: # <-\n  enabled: true\n`,
    path: 'risk_control.monitor_symbols',
    message: /at least one symbol/,
  },
  {
    name: 'dynamic allocation without etcd',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  type: redis\n  redis: {addr: "127.0.0.1:6379"}\ncoordination:\n  allocation: dynamic # <-\n`,
    path: 'coordination.allocation',
    message: /use distributed_lock.type etcd/,
  },
  {
    name: 'hot standby under dynamic allocation',
    yaml: `${VALID}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  type: etcd\n  etcd: {endpoints: ["127.0.0.1:2379"]}\ncoordination:\n  allocation: dynamic\n  standby: true # <-\n`,
    path: 'coordination.standby',
    message: /hot standby is for static allocation/,
  },
  {
    name: 'dynamic allocation on one instance',
    yaml: `${VALID}coordination:\n  allocation: dynamic # <-\n`,
    path: 'coordination.allocation',
    message: /enable distributed_lock/,
  },
  {
    name: 'exchange name in capitals',
    yaml: `exchanges:\n  Sim: {type: sim} # <-\n${SYMBOL}`,
    path: 'exchanges.Sim',
    message: /not a valid name/,
  },
  {
    name: 'no symbols at all',
    yaml: `${SIM}trading:\n  symbols: [] # <-\n`,
    path: 'trading.symbols',
    message: /at least 1/,
  },
  { name: 'port out of range', yaml: `${VALID}web:\n  port: 70000 # <-\n`, path: 'web.port', message: /out of range/ },
  {
    name: 'unknown log level',
    yaml: `${VALID}system:\n  log_level: verbose # <-\n`,
    path: 'system.log_level',
    message: /is not supported/,
  },
  {
    name: 'candle interval venues do not offer',
    yaml: `${VALID}risk_control:\n  interval: 7m # <-\n`,
    path: 'risk_control.interval',
    message: /is not supported/,
  },
  {
    name: 'base_url without a scheme',
    yaml: `exchanges:\n  binance:\n    api_key: k\n    secret_key: s\n    base_url: "sim-venue:8090" # <-\n${SYMBOL.replace('sim', 'binance')}`,
    path: 'exchanges.binance.base_url',
    message: /is not valid/,
  },
  {
    name: 'fee rate over 10%',
    yaml: `exchanges:\n  sim: {type: sim, fee_rate: 0.5} # <-\n${SYMBOL}`,
    path: 'exchanges.sim.fee_rate',
    message: /out of range/,
  },
  {
    name: 'unknown venue type',
    yaml: `exchanges:\n  sim: {type: paper} # <-\n${SYMBOL}`,
    path: 'exchanges.sim.type',
    message: /is not supported/,
  },
  {
    name: 'secret of the wrong type is not echoed',
    yaml: `${VALID}web:\n  api_key: true # <-\n`,
    path: 'web.api_key',
    message: /must be a string/,
    value: '***',
  },
];

function issuesOf(yaml: string) {
  try {
    parseConfig(yaml, { file: 'bad.yaml', env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('the configuration was accepted');
}

describe('bad configurations', () => {
  it('has at least 25 distinct cases', () => {
    expect(new Set(CASES.map((entry) => entry.path + entry.message.source)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)('$name → $path', ({ yaml, path, message, value }) => {
    const line = yaml.split('\n').findIndex((text) => text.includes('# <-')) + 1;
    expect(line, 'case marks its line').toBeGreaterThan(0);
    const error = issuesOf(yaml);
    expect(error.code).toBe('QM_CONFIG_INVALID');
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(issue, `an issue at ${path}; got ${error.message}`).toBeDefined();
    expect(issue!.message).toMatch(message);
    expect(issue!.line).toBe(line);
    if (value !== undefined) expect(issue!.value).toBe(value);
    expect(error.message).toContain(`bad.yaml:${line}: ${path}: `);
  });

  it('a YAML syntax error names its line', () => {
    const error = issuesOf(`${VALID}web:\n  host: [unclosed\n`);
    expect(error.issues[0]!.message).toMatch(/YAML syntax error/);
    expect(error.issues[0]!.line).toBeGreaterThanOrEqual(7);
  });

  it('a key given twice is refused at its second line', () => {
    const error = issuesOf(`${VALID}web:\n  port: 1\n  port: 2\n`);
    expect(error.issues[0]).toMatchObject({ line: 8 });
    expect(error.issues[0]!.message).toMatch(/unique/);
  });
});

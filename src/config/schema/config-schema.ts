/** The whole configuration file (R5) and the rules that tie its sections together. */
import { report, type ReadContext } from './field.js';
import { configCentreSchema } from './config-centre-schema.js';
import { databaseSchema } from './database-schema.js';
import { exchangesSchema } from './exchange-schema.js';
import { lockSchema } from './lock-schema.js';
import {
  coordinationSchema,
  notificationsSchema,
  riskControlSchema,
  storageSchema,
  systemSchema,
  webSchema,
} from './operations-schema.js';
import { integer, string } from './scalars.js';
import { object, optional, withDefault, type Locate, type PartialOut } from './structure.js';
import { tradingSchema } from './trading-schema.js';
import { DEFAULTS } from '../defaults.js';

export const instanceSchema = object({
  id: optional(
    string({ pattern: { test: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, allowed: 'letters, digits, _ . - (at most 63)' } }),
  ),
  index: withDefault(integer({ min: 0 }), DEFAULTS.instance.index),
});

const shape = {
  instance: instanceSchema,
  config_centre: configCentreSchema,
  database: databaseSchema,
  distributed_lock: lockSchema,
  exchanges: exchangesSchema,
  trading: tradingSchema,
  system: systemSchema,
  risk_control: riskControlSchema,
  storage: storageSchema,
  coordination: coordinationSchema,
  web: webSchema,
  notifications: notificationsSchema,
};

export const configSchema = object(shape, { check: checkSections });

const bootstrapShape = { instance: instanceSchema, config_centre: configCentreSchema };

/** What a bootstrap file must hold when the configuration lives in the configuration centre. */
export const bootstrapSchema = object(bootstrapShape, { check: checkInstanceId });

function checkInstanceId(config: PartialOut<typeof bootstrapShape>, locate: Locate, ctx: ReadContext): void {
  if (config.configCentre?.enabled && !locate('instance', 'id').found) {
    const line = locate('instance').found ? locate('instance', 'id').line : locate('config_centre', 'enabled').line;
    report(
      ctx,
      { path: 'instance.id', line },
      'is required when config_centre is enabled (its configuration is stored under this name)',
    );
  }
}

function checkSections(config: PartialOut<typeof shape>, locate: Locate, ctx: ReadContext): void {
  checkInstanceId(config, locate, ctx);
  const lock = config.distributedLock;
  if (lock?.enabled && !locate('instance', 'id').found) {
    // Without an instance section, point at the lock that asks for it.
    const line = locate('instance').found ? locate('instance', 'id').line : locate('distributed_lock', 'enabled').line;
    report(
      ctx,
      { path: 'instance.id', line },
      'is required when distributed_lock is enabled (it names this instance to the others)',
    );
  }
  if (config.coordination?.allocation === 'dynamic' && lock && !lock.enabled) {
    report(
      ctx,
      locate('coordination', 'allocation'),
      'dynamic allocation needs several instances: enable distributed_lock',
      { value: '"dynamic"' },
    );
  } else if (config.coordination?.allocation === 'dynamic' && lock?.enabled && lock.type !== 'etcd') {
    // The membership lives in etcd, reached with the lock's endpoints.
    report(
      ctx,
      locate('coordination', 'allocation'),
      'dynamic allocation keeps its membership in etcd: use distributed_lock.type etcd',
      { value: '"dynamic"' },
    );
  }
  if (config.coordination?.standby && config.coordination.allocation === 'dynamic') {
    // Every live member is assigned symbols: an instance that waits would only delay its share.
    report(
      ctx,
      locate('coordination', 'standby'),
      'a hot standby is for static allocation: under dynamic allocation every live instance takes its share of the symbols',
    );
  }
  if (config.coordination?.standby && lock && !lock.enabled) {
    report(
      ctx,
      locate('coordination', 'standby'),
      'a hot standby needs distributed_lock enabled to know when to take over',
    );
  }
  const exchanges = config.exchanges;
  if (exchanges === undefined) return;
  const names = Object.keys(exchanges);
  config.trading?.symbols?.forEach((symbol, index) => {
    if (!Object.hasOwn(exchanges, symbol.exchange)) {
      report(ctx, locate('trading', 'symbols', index, 'exchange'), 'is not a configured exchange', {
        value: JSON.stringify(symbol.exchange),
        allowed: names.length ? names.join(', ') : 'none configured: add one under exchanges',
      });
    }
  });
}

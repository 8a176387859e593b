/**
 * `config_centre` (R7): where the instance's configuration lives when it is not in its file. Read
 * from the bootstrap file only: when enabled, the document stored under `instance.id` is the
 * instance's configuration, and its own `instance` and `config_centre` sections are replaced by
 * the bootstrap file's.
 */
import { DEFAULTS } from '../defaults.js';
import { report } from './field.js';
import { etcdAuthSchema, ETCD_ENDPOINT } from './lock-schema.js';
import { boolean, string } from './scalars.js';
import { list, object, optional, withDefault } from './structure.js';

export const configCentreSchema = object(
  {
    enabled: withDefault(boolean(), DEFAULTS.configCentre.enabled),
    endpoints: list(string({ pattern: ETCD_ENDPOINT })),
    prefix: withDefault(string({ nonEmpty: true }), DEFAULTS.configCentre.prefix),
    auth: optional(etcdAuthSchema),
    tls: withDefault(boolean(), DEFAULTS.configCentre.tls),
  },
  {
    check(value, locate, ctx) {
      if (value.enabled && value.endpoints?.length === 0)
        report(ctx, locate('endpoints'), 'needs at least one etcd endpoint when config_centre is enabled', {
          allowed: ETCD_ENDPOINT.allowed,
        });
    },
  },
);

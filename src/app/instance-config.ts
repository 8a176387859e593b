/**
 * Where an instance's configuration comes from (R5, R7): its file, or, when the file's
 * `config_centre` is enabled, the document stored in etcd under its `instance.id`. A stored document
 * is checked exactly like a file (its problems name the etcd key in place of a file name), and the
 * bootstrap file's `instance` and `config_centre` stay in force whatever the document says.
 */
import { EtcdConfigCentre } from '../coordination/config-centre/etcd/etcd-config-centre.js';
import type { ConfigCentre } from '../coordination/config-centre/config-centre.js';
import { ConfigError } from '../config/errors.js';
import {
  type BootstrapConfig,
  type QuantMeshConfig,
  deepFreeze,
  parseBootstrap,
  parseConfig,
  readConfigFile,
} from '../config/load-config.js';
import { configCentreOptionsOf } from './config-mapping.js';

export interface InstanceConfigOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly standby?: boolean;
}

/** The effective configuration of the instance started with `--config path`. */
export async function loadInstanceConfig(path: string, options: InstanceConfigOptions = {}): Promise<QuantMeshConfig> {
  const text = await readConfigFile(path);
  const bootstrap = parseBootstrap(text, { file: path, env: options.env });
  if (!bootstrap.configCentre.enabled) return parseConfig(text, { ...options, file: path });
  const centre = openConfigCentre(bootstrap);
  try {
    const name = bootstrap.instance.id!;
    const stored = await centre.get(name);
    if (stored === undefined) {
      const key = centre.keyOf(name);
      throw new ConfigError(key, [
        {
          file: key,
          path: '',
          line: 1,
          message: `no configuration stored in etcd (push one with: quantmesh config push --config ${path})`,
        },
      ]);
    }
    return storedConfigOf(stored.text, bootstrap, centre.keyOf(name), options);
  } finally {
    await centre.close();
  }
}

/** A document of the configuration centre as the instance's configuration; throws ConfigError naming `key`. */
export function storedConfigOf(
  text: string,
  bootstrap: BootstrapConfig,
  key: string,
  options: InstanceConfigOptions = {},
): QuantMeshConfig {
  const config = parseConfig(text, { ...options, file: key, instanceId: bootstrap.instance.id });
  return deepFreeze({ ...config, instance: bootstrap.instance, configCentre: bootstrap.configCentre });
}

/** The configuration centre a bootstrap configuration names. */
export function openConfigCentre(bootstrap: BootstrapConfig): ConfigCentre {
  return new EtcdConfigCentre(configCentreOptionsOf(bootstrap.configCentre));
}

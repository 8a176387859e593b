/** Views of a loaded configuration that are safe to print or log, and the secret values to scrub from logs. */
import { stringify } from 'yaml';
import { configSchema } from './schema/config-schema.js';
import type { QuantMeshConfig } from './load-config.js';
import { deepFreeze } from './load-config.js';

/** The configuration with api_key, secret_key, passphrase, passwords, web.api_key, webhook URL and DSN passwords masked. */
export function redactConfig(config: QuantMeshConfig): QuantMeshConfig {
  return deepFreeze(configSchema.redact(config));
}

/** The effective configuration as YAML in the file's vocabulary (snake_case, durations as text), secrets masked. */
export function renderConfig(config: QuantMeshConfig): string {
  return stringify(configSchema.encode(configSchema.redact(config)), { lineWidth: 0 });
}

/** Every secret string the configuration holds (what redaction changed), for the logger to scrub. */
export function configSecrets(config: QuantMeshConfig): string[] {
  const secrets = new Set<string>();
  const walk = (original: unknown, redacted: unknown): void => {
    if (typeof original === 'string' && original !== redacted && original !== '') secrets.add(original);
    if (original === null || typeof original !== 'object' || redacted === null || typeof redacted !== 'object') return;
    for (const [key, child] of Object.entries(original)) walk(child, (redacted as Record<string, unknown>)[key]);
  };
  walk(config, redactConfig(config));
  return [...secrets];
}

/**
 * How this project builds an etcd3 client (shared by the etcd lock, the membership and the configuration centre):
 * every call bounded by the caller's deadline, and no client-side circuit breaker.
 */
import { Etcd3, type IOptions } from 'etcd3';

/** How to reach etcd: what every etcd adapter of this project (lock, membership, configuration centre) takes. */
export interface EtcdConnectionOptions {
  readonly endpoints: readonly string[];
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  readonly credentials?: IOptions['credentials'];
  /** Bound on one call to etcd, and on dialling a member (default 2,000 ms). */
  readonly callTimeoutMs?: number | undefined;
}

export const DEFAULT_ETCD_CALL_TIMEOUT_MS = 2000;

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

/**
 * etcd3 only calls `execute` on a policy, and chains `.catch` on it (so it must return a promise). Its default circuit breaker refuses every call for 5 s after
 * three failures, which would keep locks away after a short blip and hide etcd's real state from ping.
 */
const passThrough = {
  execute: async (fn: (context: { signal: AbortSignal }) => unknown) => fn({ signal: new AbortController().signal }),
} as unknown as HostPolicy;

export function createEtcdClient(options: EtcdConnectionOptions): Etcd3 {
  return new Etcd3({
    hosts: [...options.endpoints],
    auth: options.auth,
    credentials: options.credentials,
    dialTimeout: options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS,
    faultHandling: { host: () => passThrough, global: passThrough },
  });
}

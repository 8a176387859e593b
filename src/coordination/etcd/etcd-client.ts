/**
 * How this project builds an etcd3 client (shared by the etcd lock and the configuration centre):
 * every call bounded by the caller's deadline, and no client-side circuit breaker.
 */
import { Etcd3, type IOptions } from 'etcd3';

export interface EtcdClientOptions {
  readonly endpoints: readonly string[];
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  readonly credentials?: IOptions['credentials'];
  /** Bound on dialling a member (ms). */
  readonly dialTimeoutMs: number;
}

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

/**
 * etcd3 only calls `execute` on a policy, and chains `.catch` on it (so it must return a promise). Its default circuit breaker refuses every call for 5 s after
 * three failures, which would keep locks away after a short blip and hide etcd's real state from ping.
 */
const passThrough = { execute: async (fn: (context: { signal: AbortSignal }) => unknown) => fn({ signal: new AbortController().signal }) } as unknown as HostPolicy;

export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  return new Etcd3({
    hosts: [...options.endpoints],
    auth: options.auth,
    credentials: options.credentials,
    dialTimeout: options.dialTimeoutMs,
    faultHandling: { host: () => passThrough, global: passThrough },
  });
}

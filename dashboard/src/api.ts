/** The instance API as the dashboard uses it: the key from this tab's sessionStorage as a Bearer header, and the SSE stream read through fetch (EventSource cannot send a header). */
export interface Health {
  healthy: boolean;
  components: { name: string; healthy: boolean; cause?: string; latencyMs: number }[];
}
export interface ClusterSymbol {
  exchange: string;
  symbol: string;
  state: string;
  pausedReason?: string;
  ownership: string;
  owner: string | null;
  leaseExpiresBy?: number;
  price?: string;
  position: string;
  averageEntryPrice?: string;
  workingOrders: number;
  realizedPnl: string;
  unrealizedPnl?: string;
  fees?: string;
  tradeCount: number;
}
export interface ClusterInstance {
  instanceId: string;
  url?: string;
  version: string;
  mode: string;
  state: string;
  startedAt: string;
  heartbeatAt: number;
  allocation: string;
  health: Health;
  owned: string[];
}
export interface Cluster {
  generatedAt: number;
  lockBackend: string;
  databaseDialect: string;
  health: Health;
  instances: ClusterInstance[];
  symbols: ClusterSymbol[];
  degraded: { survivor: string | null; standbys: string[] } | null;
}
export interface Slot {
  level: number;
  price: string;
  cycle: number;
  state: string;
  position: string;
  entryPrice: string;
  order?: {
    clientOrderId: string;
    side: string;
    price?: string;
    quantity: string;
    filledQuantity: string;
    status: string;
  };
}
export interface GridAnswer {
  status?: ClusterSymbol;
  grid?: { anchor: string; interval: string; paused: boolean; pausedReason?: string; slots: Slot[] };
}
export interface Page<T> {
  items: T[];
  nextOffset?: number;
}
export interface Fill {
  tradeId: string;
  symbol: string;
  side: string;
  price: string;
  quantity: string;
  fee: string;
  time: number;
}
export interface Trade {
  id: string;
  symbol: string;
  level: number;
  quantity: string;
  buyPrice: string;
  sellPrice: string;
  fees: string;
  realizedPnl: string;
  closedAt: number;
}
export interface EventRecord {
  time: number;
  type: string;
  instanceId: string;
  exchange?: string;
  symbol?: string;
  details: Record<string, unknown>;
}

const KEY = 'quantmesh.apiKey';

export class Unauthorized extends Error {}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

function headers(): Record<string, string> {
  const key = apiKey();
  return key === null || key === '' ? {} : { authorization: `Bearer ${key}` };
}

export async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: headers() });
  if (response.status === 401) throw new Unauthorized('missing or wrong API key');
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json() as Promise<T>;
}

export async function post(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(path, { method: 'POST', headers: headers() });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status === 401) throw new Unauthorized('missing or wrong API key');
  if (!response.ok) throw new Error(String(body.error ?? `HTTP ${response.status}`));
  return body;
}

/** Reads `/api/stream` until `signal` aborts, calling `onCluster` for every `cluster` event; `onState` reports whether the stream is up. */
export async function streamCluster(
  onCluster: (cluster: Cluster) => void,
  onState: (live: boolean) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const response = await fetch('/api/stream', { headers: headers(), signal });
      if (!response.ok || response.body === null) throw new Error(`stream: HTTP ${response.status}`);
      onState(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event === 'cluster' && data !== undefined) onCluster(JSON.parse(data) as Cluster);
        }
      }
    } catch {
      // Offline for a moment: shown, then retried.
    }
    onState(false);
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

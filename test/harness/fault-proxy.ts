/**
 * A TCP proxy a test puts in front of any service to inject real network faults:
 * - `cut()`: destroys every open connection (clients see ECONNRESET);
 * - `refuse()`: new connections are accepted and closed at once; `cut()` + `refuse()` is an outage;
 * - `blackhole()`: connections stay open but no bytes pass either way (a partition or a hung peer);
 * - `dropReplies()`: requests reach the service but its answers are discarded (the service acted,
 *   the client never hears of it: an unknown outcome);
 * - `delay(ms)`: every chunk is held `ms` milliseconds in each direction;
 * - `restore()`: back to passing traffic through (new connections work; cut ones stay cut).
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole' | 'drop-replies';

export class FaultProxy {
  #server: Server;
  #mode: ProxyMode = 'pass';
  #delayMs = 0;
  #pairs = new Set<{ client: Socket; upstream: Socket }>();
  #connectionsSeen = 0;

  private constructor(
    server: Server,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    this.#server = server;
  }

  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, targetHost, targetPort);
    server.on('connection', (client) => proxy.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Connections currently proxied. */
  get openConnections(): number {
    return this.#pairs.size;
  }

  /** Connections accepted since start (including refused ones). */
  get connectionsSeen(): number {
    return this.#connectionsSeen;
  }

  cut(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
  }

  refuse(): void {
    this.#mode = 'refuse';
  }

  blackhole(): void {
    this.#mode = 'blackhole';
  }

  dropReplies(): void {
    this.#mode = 'drop-replies';
  }

  delay(ms: number): void {
    this.#delayMs = ms;
  }

  restore(): void {
    this.#mode = 'pass';
    this.#delayMs = 0;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#connectionsSeen += 1;
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    this.#pipe(client, upstream, 'request');
    this.#pipe(upstream, client, 'reply');
  }

  #pipe(from: Socket, to: Socket, direction: 'request' | 'reply'): void {
    from.on('data', (chunk: Buffer) => {
      if (this.#mode === 'blackhole' || (this.#mode === 'drop-replies' && direction === 'reply')) return;
      const forward = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (this.#delayMs > 0) setTimeout(forward, this.#delayMs);
      else forward();
    });
  }
}

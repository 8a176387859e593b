/** Cluster view: every instance (mode, state, health, owned symbols) and every symbol with its owner and figures. */
import type { Cluster } from './api.js';
import { ago, badge, escape, signed, table } from './format.js';

export function renderCluster(root: HTMLElement, cluster: Cluster): void {
  const now = cluster.generatedAt;
  const unhealthy = cluster.health.components.filter((component) => !component.healthy);
  root.innerHTML = `
    ${degradedBanner(cluster.degraded)}
    <section>
      <h2>Instances</h2>
      ${table(
        ['instance', 'mode', 'state', 'health', 'heartbeat', 'owns', 'version'],
        cluster.instances.map((instance) => [
          `<b>${escape(instance.instanceId)}</b>`,
          badge(instance.mode),
          badge(instance.state),
          badge(instance.health.healthy ? 'ok' : 'unhealthy'),
          ago(instance.heartbeatAt, now),
          instance.owned.map(escape).join(', ') || '<span class="muted">–</span>',
          escape(instance.version),
        ]),
      )}
      <p class="muted">lock <b>${escape(cluster.lockBackend)}</b> · database <b>${escape(cluster.databaseDialect)}</b> ·
        ${unhealthy.length === 0 ? badge('ok') : unhealthy.map((component) => `<span class="error">${escape(component.name)}: ${escape(component.cause ?? 'unhealthy')}</span>`).join(' ')}</p>
    </section>
    <section>
      <h2>Symbols</h2>
      ${table(
        [
          'symbol',
          'owner',
          'state',
          'price',
          'position',
          'avg entry',
          'orders',
          'realized PnL',
          'unrealized PnL',
          'fees',
          'trades',
          'lease until',
        ],
        cluster.symbols.map((symbol) => [
          `<b>${escape(symbol.symbol)}</b> <span class="muted">${escape(symbol.exchange)}</span>`,
          escape(symbol.owner ?? '(none)'),
          `${badge(symbol.state)}${symbol.pausedReason === undefined ? '' : ` <span class="muted">${escape(symbol.pausedReason)}</span>`}`,
          escape(symbol.price ?? '–'),
          escape(symbol.position),
          escape(symbol.averageEntryPrice ?? '–'),
          String(symbol.workingOrders),
          signed(symbol.realizedPnl),
          signed(symbol.unrealizedPnl),
          escape(symbol.fees ?? '–'),
          String(symbol.tradeCount),
          symbol.leaseExpiresBy === undefined
            ? '–'
            : new Date(symbol.leaseExpiresBy).toLocaleTimeString(undefined, { hour12: false }),
        ]),
        [3, 4, 5, 6, 7, 8, 9, 10],
        cluster.symbols.map((symbol) => `class="link" data-symbol="${escape(`${symbol.exchange}/${symbol.symbol}`)}"`),
      )}
    </section>`;
  for (const row of root.querySelectorAll<HTMLElement>('tr[data-symbol]'))
    row.addEventListener('click', () => {
      location.hash = `symbol/${row.dataset.symbol!}`;
    });
}

/** Degraded single-instance mode: who trades everything, who stands by; nothing when not degraded. */
function degradedBanner(degraded: Cluster['degraded']): string {
  if (degraded === null) return '';
  const survivor =
    degraded.survivor === null
      ? 'no survivor elected yet: nothing trades'
      : `<b>${escape(degraded.survivor)}</b> alone trades every symbol`;
  const standbys = degraded.standbys.length === 0 ? '' : ` · standing by: ${degraded.standbys.map(escape).join(', ')}`;
  return `<section class="degraded" data-degraded="true"><p class="error">DEGRADED MODE: the lock backend is lost; ${survivor}${standbys}</p></section>`;
}

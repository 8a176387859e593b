/** The cluster view (`GET /api/cluster`) as terminal tables: what `quantmesh status` prints. */
import type { ClusterAnswer } from '../server/routes/cluster-routes.js';

/** Left-aligned columns separated by two spaces; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => /^-?[\d.]+$|^-$/.test(row[column]!)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 120 ? `${seconds}s` : `${Math.round(seconds / 60)}m`;
}

export function renderCluster(view: ClusterAnswer): string {
  const health = view.health.healthy
    ? 'healthy'
    : `UNHEALTHY: ${view.health.components
        .filter((c) => !c.healthy)
        .map((c) => `${c.name} ${c.cause ?? ''}`.trim())
        .join('; ')}`;
  const instances = table(
    ['instance', 'mode', 'state', 'health', 'heartbeat', 'owns'],
    view.instances.map((instance) => [
      instance.instanceId,
      instance.mode,
      instance.state,
      instance.health.healthy ? 'ok' : 'unhealthy',
      `${age(view.generatedAt - instance.heartbeatAt)} ago`,
      instance.owned.length === 0 ? '-' : instance.owned.join(' '),
    ]),
  );
  const symbols = table(
    ['symbol', 'owner', 'state', 'price', 'position', 'orders', 'realized', 'unrealized', 'fees', 'trades'],
    view.symbols.map((symbol) => [
      `${symbol.exchange}:${symbol.symbol}`,
      symbol.owner ?? '(none)',
      symbol.pausedReason === undefined ? symbol.state : `paused (${symbol.pausedReason})`,
      symbol.price ?? '-',
      symbol.position,
      String(symbol.workingOrders),
      symbol.realizedPnl,
      symbol.unrealizedPnl ?? '-',
      symbol.fees ?? '-',
      String(symbol.tradeCount),
    ]),
  );
  return `lock ${view.lockBackend} · database ${view.databaseDialect} · ${health}\n\n${instances}\n\n${symbols}\n`;
}

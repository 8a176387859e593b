/**
 * The QuantMesh dashboard: served by every instance at `/`, reading only the API (the key stays in
 * this tab's sessionStorage). Views by URL hash: #cluster, #symbol/EXCHANGE/SYMBOL, #trades, #events.
 * The live stream (`/api/stream`) redraws the cluster and the open symbol at every update.
 */
import { type Cluster, Unauthorized, apiKey, get, setApiKey, streamCluster } from './api.js';
import { renderCluster } from './cluster-view.js';
import { escape } from './format.js';
import { renderEvents, renderTrades } from './history-views.js';
import { SymbolView } from './symbol-view.js';

const view = document.querySelector<HTMLElement>('#view')!;
const login = document.querySelector<HTMLDialogElement>('#login')!;
let cluster: Cluster | undefined;
let symbolView: SymbolView | undefined;
let stream: AbortController | undefined;

function summary(current: Cluster): void {
  const owned = current.symbols.filter((symbol) => symbol.owner !== null).length;
  const running = current.instances.filter((instance) => instance.state === 'running').length;
  document.querySelector('#summary')!.textContent =
    `${running}/${current.instances.length} instances running · ${owned}/${current.symbols.length} symbols owned · lock ${current.lockBackend} · ${current.databaseDialect}`;
}

async function show(): Promise<void> {
  const [name, exchange, symbol] = (location.hash.replace(/^#/, '') || 'cluster').split('/');
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a'))
    link.classList.toggle('active', link.dataset.view === name);
  symbolView?.close();
  symbolView = undefined;
  try {
    if (name === 'symbol' && exchange !== undefined && symbol !== undefined) {
      symbolView = new SymbolView(view, decodeURIComponent(exchange), decodeURIComponent(symbol));
      await symbolView.open();
    } else if (name === 'trades') await renderTrades(view);
    else if (name === 'events') await renderEvents(view);
    else renderCluster(view, cluster ?? (await get<Cluster>('/api/cluster')));
  } catch (error) {
    if (error instanceof Unauthorized) return askForKey('The API key was refused.');
    view.innerHTML = `<section class="error">${escape(error instanceof Error ? error.message : String(error))}</section>`;
  }
}

function onCluster(current: Cluster): void {
  cluster = current;
  summary(current);
  const [name, exchange, symbol] = (location.hash.replace(/^#/, '') || 'cluster').split('/');
  if (name === 'cluster') renderCluster(view, current);
  if (name === 'symbol' && symbolView !== undefined) {
    void symbolView
      .refresh(
        current.symbols.find(
          (entry) =>
            entry.exchange === decodeURIComponent(exchange ?? '') && entry.symbol === decodeURIComponent(symbol ?? ''),
        ),
      )
      .catch(() => undefined);
  }
}

function startStream(): void {
  stream?.abort();
  stream = new AbortController();
  const live = document.querySelector('#live')!;
  void streamCluster(
    onCluster,
    (on) => {
      live.textContent = on ? 'live' : 'offline';
      live.classList.toggle('on', on);
    },
    stream.signal,
  );
}

function askForKey(message = ''): void {
  stream?.abort();
  document.querySelector('#login-error')!.textContent = message;
  if (!login.open) login.showModal();
}

document.querySelector<HTMLFormElement>('#login-form')!.addEventListener('submit', () => {
  setApiKey(document.querySelector<HTMLInputElement>('#api-key')!.value);
  void get<Cluster>('/api/cluster').then(
    (current) => {
      cluster = current;
      summary(current);
      startStream();
      void show();
    },
    (error: unknown) => askForKey(error instanceof Unauthorized ? 'The API key was refused.' : String(error)),
  );
});

window.addEventListener('hashchange', () => void show());

// An instance without web.api_key serves the reads openly: try without asking first.
void get<Cluster>('/api/cluster').then(
  (current) => {
    cluster = current;
    summary(current);
    startStream();
    void show();
  },
  (error: unknown) => askForKey(error instanceof Unauthorized && apiKey() !== null ? 'The API key was refused.' : ''),
);

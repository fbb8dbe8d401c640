// The dashboard page: fetches the JSON API, renders cards, charts (with a table beside each as the
// text alternative), freshness, failures and the dead-letter queue, and refreshes itself while the
// tab is visible. Data only ever reaches the DOM as text (textContent), never as markup.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type {
  ActivityPoint,
  DeadLetterRow,
  FailureGroup,
  Freshness,
  LatencyPoint,
  Overview,
} from '../src/api.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);
// Axis text and grid lines follow the page's colours (light or dark), not Chart.js's fixed grey.
const palette = getComputedStyle(document.documentElement);
Chart.defaults.color = palette.getPropertyValue('--muted').trim() || '#5a6270';
Chart.defaults.borderColor = palette.getPropertyValue('--border').trim() || '#d0d5dd';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
const TOKEN = meta('lakeload-token');
const ACTIONS = meta('lakeload-actions') === 'on';
const REFRESH_MS = Math.max(2, Number(meta('lakeload-refresh')) || 10) * 1000;
const COLORS = ['#1f6feb', '#d4380d', '#389e0d', '#9254de', '#d48806', '#08979c', '#c41d7f', '#595959'];

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
};

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function time(epoch: number): string {
  return new Date(epoch * 1000).toLocaleString();
}

function age(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129_600) return `${decimal.format(seconds / 3600)} h ago`;
  return `${decimal.format(seconds / 86_400)} days ago`;
}

function bucketLabel(epoch: number, bucket: string): string {
  const date = new Date(epoch * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  if (bucket === 'day') return day;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

/** Fills a table: a header row, then the rows, all as text. */
function fillTable(
  table: HTMLTableElement,
  caption: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  table.replaceChildren();
  table.append(el('caption', caption));
  const headRow = el('tr');
  for (const cell of head) headRow.append(el('th', cell, { scope: 'col' }));
  table.append(el('thead'));
  table.tHead?.append(headRow);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    row.forEach((cell, index) => {
      const label = { 'data-label': head[index] ?? '' };
      tr.append(index === 0 ? el('th', cell, { scope: 'row', ...label }) : el('td', cell, label));
    });
    body.append(tr);
  }
  table.append(body);
}

const state = {
  paused: false,
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
  tables: [] as string[],
  charts: new Map<string, Chart>(),
  lastFocus: undefined as HTMLElement | undefined,
};

function emptyMessage(): string {
  const warehouse = byId('warehouse').textContent ?? '';
  return `No loads yet: run \`lakeload load <folder or s3://bucket/prefix> --warehouse ${warehouse}\` (or \`lakeload demo\`), and this page fills in by itself.`;
}

function renderOverview(overview: Overview): void {
  const set = (id: string, value: string) => {
    const cell = document.querySelector(`[data-testid="${id}"]`);
    if (cell) cell.textContent = value;
  };
  set('recent-loaded', integer.format(overview.recent.loaded));
  set('recent-failed', integer.format(overview.recent.failed));
  set('recent-inserted', integer.format(overview.recent.inserted));
  set('recent-updated', integer.format(overview.recent.updated));
  set('dead-letters', integer.format(overview.deadLetters));
  set('total-loaded', `${integer.format(overview.total.loaded)} in all`);
  set('total-failed', `${integer.format(overview.total.failed)} in all`);
  set('total-inserted', `${integer.format(overview.total.inserted)} in all`);
  set('total-updated', `${integer.format(overview.total.updated)} in all`);
  set('recent-replayed', `${integer.format(overview.recent.replayed)} replayed in the window`);
  byId('cards').classList.toggle('failing', overview.recent.failed > 0);
  const empty = byId('empty');
  empty.hidden = overview.hasLedger && overview.total.loaded + overview.total.failed > 0;
  empty.textContent = empty.hidden ? '' : emptyMessage();
}

function chart(
  id: string,
  type: 'bar' | 'line',
  labels: string[],
  datasets: ChartDataset<'bar' | 'line'>[],
  yTitle: string,
): void {
  const existing = state.charts.get(id);
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets = datasets;
    existing.update();
    return;
  }
  const canvas = byId<HTMLCanvasElement>(id);
  state.charts.set(
    id,
    new Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: type === 'bar' },
          y: { stacked: type === 'bar', beginAtZero: true, title: { display: true, text: yTitle } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    }),
  );
}

function describeCanvas(id: string, summary: string, empty: boolean): void {
  byId(id).setAttribute('aria-label', summary);
  byId(`${id}-note`).textContent = empty
    ? 'No loads in this range: widen the range or choose all tables.'
    : '';
}

function renderActivity(bucket: string, points: ActivityPoint[]): void {
  const buckets = [...new Set(points.map((point) => point.at))].sort((a, b) => a - b);
  const labels = buckets.map((at) => bucketLabel(at, bucket));
  const tables = [...new Set(points.map((point) => point.table))].sort();
  const series = (table: string, value: (point: ActivityPoint) => number) =>
    buckets.map((at) => {
      const point = points.find((p) => p.at === at && p.table === table);
      return point ? value(point) : 0;
    });
  chart(
    'files-chart',
    'bar',
    labels,
    tables.map((table, index) => ({
      label: table || '(unrouted)',
      data: series(table, (p) => p.loaded),
      backgroundColor: COLORS[index % COLORS.length] ?? '#555',
    })),
    'files',
  );
  chart(
    'rows-chart',
    'bar',
    labels,
    tables.map((table, index) => ({
      label: table || '(unrouted)',
      data: series(table, (p) => p.inserted + p.updated),
      backgroundColor: COLORS[index % COLORS.length] ?? '#555',
    })),
    'rows',
  );
  const sorted = [...points].sort((a, b) => a.at - b.at || a.table.localeCompare(b.table));
  fillTable(
    byId('files-table'),
    'Files per table and time',
    ['time', 'table', 'loaded', 'failed'],
    sorted.map((p) => [
      bucketLabel(p.at, bucket),
      p.table || '(unrouted)',
      integer.format(p.loaded),
      integer.format(p.failed),
    ]),
  );
  fillTable(
    byId('rows-table'),
    'Rows per table and time',
    ['time', 'table', 'inserted', 'updated'],
    sorted.map((p) => [
      bucketLabel(p.at, bucket),
      p.table || '(unrouted)',
      integer.format(p.inserted),
      integer.format(p.updated),
    ]),
  );
  const files = points.reduce((sum, p) => sum + p.loaded, 0);
  const rows = points.reduce((sum, p) => sum + p.inserted + p.updated, 0);
  describeCanvas(
    'files-chart',
    points.length === 0
      ? 'No loads in this range.'
      : `${integer.format(files)} files loaded into ${tables.length} tables over ${buckets.length} ${bucket}${buckets.length === 1 ? '' : 's'}; the table below lists each.`,
    points.length === 0,
  );
  describeCanvas(
    'rows-chart',
    points.length === 0
      ? 'No rows in this range.'
      : `${integer.format(rows)} rows inserted or updated; the table below lists each.`,
    points.length === 0,
  );
}

function renderLatency(bucket: string, points: LatencyPoint[]): void {
  const labels = points.map((point) => bucketLabel(point.at, bucket));
  chart(
    'latency-chart',
    'line',
    labels,
    [
      { label: 'p50', data: points.map((p) => p.p50), borderColor: COLORS[0], backgroundColor: COLORS[0] },
      { label: 'p95', data: points.map((p) => p.p95), borderColor: COLORS[1], backgroundColor: COLORS[1] },
    ],
    'milliseconds',
  );
  fillTable(
    byId('latency-table'),
    'Load latency per time',
    ['time', 'files', 'p50 ms', 'p95 ms', 'max ms'],
    points.map((p) => [
      bucketLabel(p.at, bucket),
      integer.format(p.files),
      decimal.format(p.p50),
      decimal.format(p.p95),
      integer.format(p.max),
    ]),
  );
  const last = points.at(-1);
  describeCanvas(
    'latency-chart',
    last
      ? `Latest ${bucket}: p50 ${decimal.format(last.p50)} ms, p95 ${decimal.format(last.p95)} ms; the table below lists each.`
      : 'No loads in this range.',
    points.length === 0,
  );
}

function renderFreshness(tables: Freshness[]): void {
  const table = byId<HTMLTableElement>('freshness');
  if (tables.length === 0) {
    table.replaceChildren(el('caption', emptyMessage()));
    return;
  }
  fillTable(
    table,
    'Per table: the last successful load and what the ledger holds',
    [
      'table',
      'last successful load',
      'files loaded',
      'files failed',
      'rows inserted',
      'rows updated',
      'rows now',
    ],
    tables.map((t) => [
      t.table || '(unrouted)',
      t.lastLoaded === null || t.ageSeconds === null
        ? 'never'
        : `${age(t.ageSeconds)} (${time(t.lastLoaded)})`,
      integer.format(t.loaded),
      integer.format(t.failed),
      integer.format(t.inserted),
      integer.format(t.updated),
      t.rows === null ? '–' : integer.format(t.rows),
    ]),
  );
  tables.forEach((t, index) => {
    table.tBodies[0]?.rows[index]?.setAttribute('data-table', t.table);
  });
  // The table filter offers every table the ledger knows, keeping the current choice.
  const names = tables.map((t) => t.table).filter((name) => name !== '');
  if (names.join('\u0000') !== state.tables.join('\u0000')) {
    state.tables = names;
    const select = byId<HTMLSelectElement>('table-filter');
    const chosen = select.value;
    select.replaceChildren(
      el('option', 'all tables', { value: '' }),
      ...names.map((name) => el('option', name, { value: name })),
    );
    select.value = names.includes(chosen) ? chosen : '';
  }
}

function renderFailures(groups: FailureGroup[]): void {
  const root = byId('failures');
  if (groups.length === 0) {
    root.replaceChildren(el('p', 'No failures recorded.', { class: 'empty' }));
    return;
  }
  root.replaceChildren(
    ...groups.map((group) => {
      const details = el('details', undefined, { class: 'failure' });
      const summary = el('summary');
      // The tip names the reason (one per error class) and what to do, so it heads the group.
      summary.append(
        el('strong', group.tip),
        el(
          'span',
          ` ${integer.format(group.failures)} ${group.failures === 1 ? 'failure' : 'failures'}, ${integer.format(group.pending)} waiting · last ${time(group.lastFailed)}`,
          { class: 'muted' },
        ),
      );
      details.append(summary);
      const list = el('ul', undefined, { class: 'examples' });
      for (const example of group.examples) {
        const item = el('li');
        item.append(
          el('code', example.uri, { class: 'uri' }),
          el(
            'p',
            `${example.table ?? '(no table)'} · ${time(example.failedAt)}${example.pending ? ' · waiting for replay' : ' · replayed'}`,
            { class: 'muted' },
          ),
          el('pre', example.error),
        );
        list.append(item);
      }
      const shown = group.examples.length;
      details.append(el('p', shown === group.failures ? 'All of them:' : `The latest ${shown}:`), list);
      return details;
    }),
  );
}

function renderDeadLetters(letters: DeadLetterRow[]): void {
  const table = byId<HTMLTableElement>('dead-letters');
  byId('actions-note').textContent = ACTIONS
    ? 'Replay loads the object again once its cause is fixed; you confirm each replay first.'
    : 'Read-only: to replay from here, restart with `lakeload dashboard --allow-actions` (or run `lakeload replay`).';
  if (letters.length === 0) {
    table.replaceChildren(el('caption', 'The queue is empty: nothing waits for a replay.'));
    return;
  }
  fillTable(
    table,
    `${letters.length} dead ${letters.length === 1 ? 'letter' : 'letters'} waiting`,
    ['object', 'table', 'failed at', 'error', 'tip', 'action'],
    [],
  );
  const body = table.tBodies[0];
  for (const letter of letters) {
    const row = el('tr');
    row.append(
      el('th', letter.uri, { scope: 'row', class: 'uri', 'data-label': 'object' }),
      el('td', letter.table ?? '–', { 'data-label': 'table' }),
      el('td', time(letter.failedAt), { 'data-label': 'failed at' }),
      el('td', letter.error, { class: 'error-text', 'data-label': 'error' }),
      el('td', letter.tip, { 'data-label': 'tip' }),
    );
    const cell = el('td', undefined, { 'data-label': 'action' });
    const button = el('button', 'Replay', { type: 'button', class: 'replay' });
    button.setAttribute('aria-label', `Replay ${letter.uri}`);
    if (ACTIONS) button.addEventListener('click', () => confirmReplay(letter, button));
    else {
      button.disabled = true;
      button.title = 'Start the dashboard with --allow-actions to replay';
    }
    cell.append(button);
    row.append(cell);
    body?.append(row);
  }
}

function confirmReplay(letter: DeadLetterRow, trigger: HTMLButtonElement): void {
  const dialog = byId<HTMLDialogElement>('confirm');
  byId('confirm-text').textContent =
    `Load ${letter.uri} into ${letter.table ?? 'its table'} again? Fix its cause first: ${letter.tip}`;
  state.lastFocus = trigger;
  const ok = byId<HTMLButtonElement>('confirm-ok');
  ok.onclick = () => {
    dialog.close();
    void replay(letter);
  };
  byId<HTMLButtonElement>('confirm-cancel').onclick = () => dialog.close();
  dialog.showModal();
  ok.focus();
}

async function replay(letter: DeadLetterRow): Promise<void> {
  const status = byId('replay-status');
  status.textContent = `Replaying ${letter.uri}…`;
  try {
    const response = await fetch('/api/replay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Lakeload-Token': TOKEN },
      body: JSON.stringify({ uri: letter.uri, identity: letter.identity }),
    });
    const result = (await response.json()) as { status?: string; error?: string; tip?: string };
    if (!response.ok) status.textContent = `Replay refused: ${result.error ?? response.status}`;
    else if (result.status === 'loaded' || result.status === 'duplicate')
      status.textContent = `Replayed ${letter.uri}: ${result.status === 'loaded' ? 'loaded' : 'it was loaded already'}.`;
    else
      status.textContent = `Replay of ${letter.uri} failed: ${result.error ?? ''}${result.tip ? ` Tip: ${result.tip}` : ''}`;
  } catch (error) {
    status.textContent = `Replay failed: ${(error as Error).message}`;
  }
  await refresh();
  // The replayed row is gone; focus goes to the status message's section, not to the page top.
  byId('dlq-title').focus();
}

async function refresh(): Promise<void> {
  clearTimeout(state.timer);
  const minutes = byId<HTMLSelectElement>('minutes').value;
  const range = byId<HTMLSelectElement>('range').value;
  const table = byId<HTMLSelectElement>('table-filter').value;
  const filter = `range=${encodeURIComponent(range)}${table ? `&table=${encodeURIComponent(table)}` : ''}`;
  try {
    const [overview, activity, latency, freshness, failures, deadLetters] = await Promise.all([
      getJson<Overview>(`/api/overview?minutes=${encodeURIComponent(minutes)}`),
      getJson<{ bucket: string; points: ActivityPoint[] }>(`/api/activity?${filter}`),
      getJson<{ bucket: string; points: LatencyPoint[] }>(`/api/latency?${filter}`),
      getJson<{ now: number; tables: Freshness[] }>('/api/freshness'),
      getJson<{ groups: FailureGroup[] }>('/api/failures'),
      getJson<{ letters: DeadLetterRow[] }>('/api/dead-letters'),
    ]);
    renderOverview(overview);
    renderFreshness(freshness.tables);
    renderActivity(activity.bucket, activity.points);
    renderLatency(latency.bucket, latency.points);
    renderFailures(failures.groups);
    renderDeadLetters(deadLetters.letters);
    byId('error').hidden = true;
    const updated = byId('updated');
    updated.textContent = `Updated at ${new Date().toLocaleTimeString()}${state.paused ? ' · paused' : ''}`;
    updated.dataset.updatedAt = String(Date.now());
  } catch (error) {
    const banner = byId('error');
    banner.hidden = false;
    banner.textContent = `Could not refresh: ${(error as Error).message}. Retrying in ${REFRESH_MS / 1000} s.`;
  }
  schedule();
}

function schedule(): void {
  clearTimeout(state.timer);
  if (!state.paused && document.visibilityState === 'visible')
    state.timer = setTimeout(() => void refresh(), REFRESH_MS);
}

function setPaused(paused: boolean): void {
  state.paused = paused;
  const button = byId<HTMLButtonElement>('pause');
  button.setAttribute('aria-pressed', String(paused));
  button.textContent = paused ? 'Resume updates' : 'Pause updates';
  const updated = byId('updated');
  updated.textContent = (updated.textContent ?? '').replace(/ · paused$/, '') + (paused ? ' · paused' : '');
  if (paused) clearTimeout(state.timer);
  else void refresh();
}

function start(): void {
  byId('pause').addEventListener('click', () => setPaused(!state.paused));
  byId('refresh').addEventListener('click', () => void refresh());
  for (const id of ['minutes', 'range', 'table-filter'])
    byId(id).addEventListener('change', () => void refresh());
  // A hidden tab stops polling; it catches up as soon as it is visible again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !state.paused) void refresh();
    else clearTimeout(state.timer);
  });
  const dialog = byId<HTMLDialogElement>('confirm');
  dialog.addEventListener('close', () => state.lastFocus?.focus());
  byId('dlq-title').tabIndex = -1;
  void refresh();
}

start();

// Prometheus metrics for `lakeload watch`: a Notifier that counts what the loader reports, and a
// small HTTP server for /metrics. Names and labels follow the Lambda's EMF metrics (namespace
// lakeload, dimension table): FilesLoaded → lakeload_files_loaded_total{table}, RowsInserted →
// lakeload_rows_inserted_total{table}, RowsUpdated → lakeload_rows_updated_total{table},
// LoadFailures → lakeload_load_failures_total{table,class}, Duplicates → lakeload_duplicates_total{table},
// LoadLatency (ms) → lakeload_load_latency_seconds{table} (Prometheus counts time in seconds).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadEvent, Notifier } from '@lakeload/loader';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The label for a failure that never reached a table (unroutable, unreadable before routing). */
const NO_TABLE = 'unknown';

/** Load latencies from a small local file to a large batch (seconds). */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Counts every load event into its own registry (one per watch, so tests can run side by side). */
export class MetricsNotifier implements Notifier {
  readonly registry = new Registry();
  readonly #files = new Counter({
    name: 'lakeload_files_total',
    help: 'Files by outcome: loaded, duplicate, skipped, failed.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly #loaded = new Counter({
    name: 'lakeload_files_loaded_total',
    help: 'Files loaded (EMF FilesLoaded).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly #inserted = new Counter({
    name: 'lakeload_rows_inserted_total',
    help: 'Rows inserted (EMF RowsInserted).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly #updated = new Counter({
    name: 'lakeload_rows_updated_total',
    help: 'Rows updated (EMF RowsUpdated).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly #failures = new Counter({
    name: 'lakeload_load_failures_total',
    help: 'Failed loads by class: retryable (tried again at the next scan) or permanent (a dead letter) (EMF LoadFailures).',
    labelNames: ['table', 'class'] as const,
    registers: [this.registry],
  });
  readonly #duplicates = new Counter({
    name: 'lakeload_duplicates_total',
    help: 'Files found in the ledger already (EMF Duplicates).',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'lakeload_load_latency_seconds',
    help: 'Time from a load call starting to the file being committed (EMF LoadLatency, in seconds).',
    labelNames: ['table'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #queue = new Gauge({
    name: 'lakeload_queue_depth',
    help: 'Files received by the loader whose outcome is not known yet.',
    registers: [this.registry],
  });
  readonly #pending = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every series exists from the start at zero, so rates and alerts see them before the first file.
    this.#queue.set(0);
  }

  async notify(event: LoadEvent): Promise<void> {
    if (event.type === 'received') {
      this.#pending.add(event.uri);
    } else {
      this.#pending.delete(event.uri);
      this.#files.inc({ outcome: event.type });
    }
    this.#queue.set(this.#pending.size);
    switch (event.type) {
      case 'loaded':
        this.#loaded.inc({ table: event.table });
        this.#inserted.inc({ table: event.table }, event.inserted);
        this.#updated.inc({ table: event.table }, event.updated);
        this.#latency.observe({ table: event.table }, event.durationMs / 1000);
        break;
      case 'duplicate':
        this.#duplicates.inc({ table: event.table });
        break;
      case 'failed':
        this.#failures.inc({
          table: event.table ?? NO_TABLE,
          class: event.retryable ? 'retryable' : 'permanent',
        });
        break;
      default:
        break;
    }
  }
}

/** A running /metrics endpoint. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `http://host:port/metrics` (port 0: any free port). Bound to 127.0.0.1 unless
 * told otherwise: the metrics name tables and files, which are not for every network.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('lakeload: only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold the close open until it times out.
        server.closeAllConnections();
      }),
  };
}

// Per-table counts of one invocation, published as CloudWatch EMF (one document per table).
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ObjectResult } from '@lakeload/loader';

/** The `table` dimension of outcomes no table can be named for (an unroutable or unreadable object). */
export const NO_TABLE = '(none)';

interface TableCounts {
  filesLoaded: number;
  rowsInserted: number;
  rowsUpdated: number;
  loadFailures: number;
  duplicates: number;
  latenciesMs: number[];
}

/** Counts outcomes per table during an invocation; {@link InvocationMetrics.publish} flushes them. */
export class InvocationMetrics {
  readonly #tables = new Map<string, TableCounts>();

  #counts(table: string): TableCounts {
    let counts = this.#tables.get(table);
    if (!counts) {
      counts = {
        filesLoaded: 0,
        rowsInserted: 0,
        rowsUpdated: 0,
        loadFailures: 0,
        duplicates: 0,
        latenciesMs: [],
      };
      this.#tables.set(table, counts);
    }
    return counts;
  }

  add(result: ObjectResult): void {
    switch (result.status) {
      case 'loaded': {
        const counts = this.#counts(result.table);
        counts.filesLoaded += 1;
        counts.rowsInserted += result.inserted;
        counts.rowsUpdated += result.updated;
        counts.latenciesMs.push(result.durationMs);
        return;
      }
      case 'duplicate':
        this.#counts(result.table).duplicates += 1;
        return;
      case 'failed':
        this.#counts(result.table ?? NO_TABLE).loadFailures += 1;
        return;
      case 'skipped':
        return;
    }
  }

  /** A record that could not be read at all: a failure no table can be named for. */
  addUnreadable(): void {
    this.#counts(NO_TABLE).loadFailures += 1;
  }

  /**
   * Writes one EMF document per table, dimension `table` only (the service dimension Powertools
   * adds by default is cleared where the Metrics instance is made), and forgets the counts.
   */
  publish(metrics: Metrics): void {
    for (const [table, counts] of this.#tables) {
      metrics.addDimension('table', table);
      metrics.addMetric('FilesLoaded', MetricUnit.Count, counts.filesLoaded);
      metrics.addMetric('RowsInserted', MetricUnit.Count, counts.rowsInserted);
      metrics.addMetric('RowsUpdated', MetricUnit.Count, counts.rowsUpdated);
      metrics.addMetric('LoadFailures', MetricUnit.Count, counts.loadFailures);
      metrics.addMetric('Duplicates', MetricUnit.Count, counts.duplicates);
      for (const latency of counts.latenciesMs)
        metrics.addMetric('LoadLatency', MetricUnit.Milliseconds, latency);
      metrics.publishStoredMetrics();
    }
    this.#tables.clear();
  }
}

// What the page shows, read from the ledger and the dead letters as typed JSON. Numbers arrive from
// the drivers as numbers or strings (big integers, PostgreSQL's numeric); they leave here as numbers.
import { type Bucket, type Driver, LedgerReads, ledgerTables, type Window } from '@lakeload/loader';

export interface Overview {
  /** The dashboard's clock when it asked, seconds since 1970. */
  now: number;
  windowMinutes: number;
  /** False until the loader has written its first ledger row: the page then says what to run. */
  hasLedger: boolean;
  recent: { loaded: number; failed: number; inserted: number; updated: number; replayed: number };
  total: { loaded: number; failed: number; inserted: number; updated: number };
  deadLetters: number;
}

export interface ActivityPoint {
  at: number;
  table: string;
  loaded: number;
  failed: number;
  inserted: number;
  updated: number;
}

export interface LatencyPoint {
  at: number;
  files: number;
  p50: number;
  p95: number;
  max: number;
}

export interface Freshness {
  table: string;
  lastLoaded: number | null;
  /** Seconds since the last successful load; null when none. */
  ageSeconds: number | null;
  lastFailed: number | null;
  loaded: number;
  failed: number;
  inserted: number;
  updated: number;
  /** Rows the table holds now; null when it does not exist (every file of it failed). */
  rows: number | null;
}

export interface FailureExample {
  uri: string;
  identity: string;
  table: string | null;
  error: string;
  failedAt: number;
  pending: boolean;
}

export interface FailureGroup {
  tip: string;
  failures: number;
  pending: number;
  lastFailed: number;
  examples: FailureExample[];
}

export interface DeadLetterRow {
  uri: string;
  identity: string;
  table: string | null;
  error: string;
  tip: string;
  failedAt: number;
}

/** How far back a chart looks, in seconds, and the table it is limited to. */
export interface Range {
  seconds: number;
  table?: string;
}

type Row = Record<string, unknown>;

function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function maybeNum(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The dashboard's reads over one warehouse connection. */
export class DashboardData {
  readonly sql: LedgerReads;
  #ledger = false;
  #deadLetters = false;

  /**
   * @param clock Seconds since 1970; windows start and ages end at its reading. The warehouse's own
   *   clock is not asked: Redshift refuses its current-time function in queries over tables.
   */
  constructor(
    private readonly driver: Driver,
    sql?: LedgerReads,
    private readonly clock: () => number = () => Date.now() / 1000,
  ) {
    this.sql = sql ?? new LedgerReads(driver.compiler);
  }

  /**
   * Whether the loader's tables exist yet. The dashboard never creates them (it is read-only);
   * once seen they are remembered, so a Redshift dashboard asks once.
   */
  async #tables(): Promise<{ ledger: boolean; deadLetters: boolean }> {
    if (!this.#ledger || !this.#deadLetters) {
      const exists = await ledgerTables(this.driver);
      this.#ledger ||= exists.ledger;
      this.#deadLetters ||= exists.deadLetters;
    }
    return { ledger: this.#ledger, deadLetters: this.#deadLetters };
  }

  /** A window's start: whole seconds, `seconds` before now. */
  #since(seconds: number): number {
    return Math.floor(this.clock()) - seconds;
  }

  async overview(minutes: number): Promise<Overview> {
    const tables = await this.#tables();
    const now = this.clock();
    const since = this.#since(minutes * 60);
    const recent = { loaded: 0, failed: 0, inserted: 0, updated: 0, replayed: 0 };
    const total = { loaded: 0, failed: 0, inserted: 0, updated: 0 };
    let deadLetters = 0;
    if (tables.ledger) {
      for (const row of await this.driver.query(this.sql.overview(since))) {
        const status = String(row.status);
        if (status !== 'loaded' && status !== 'failed') continue;
        recent[status] = num(row.recent_files);
        total[status] = num(row.files);
        recent.inserted += num(row.recent_inserted);
        recent.updated += num(row.recent_updated);
        total.inserted += num(row.inserted);
        total.updated += num(row.updated);
      }
    }
    if (tables.deadLetters) {
      const [row] = await this.driver.query(this.sql.deadLetterCounts(since));
      deadLetters = num(row?.pending);
      recent.replayed = num(row?.recent_replayed);
    }
    return { now, windowMinutes: minutes, hasLedger: tables.ledger, recent, total, deadLetters };
  }

  /** Files and rows per bucket and table over the last `seconds`. */
  async activity(range: Range, bucket: Bucket): Promise<ActivityPoint[]> {
    if (!(await this.#tables()).ledger) return [];
    return (await this.driver.query(this.sql.activity(this.#window(range), bucket))).map((row: Row) => ({
      at: num(row.bucket),
      table: String(row.target_table ?? ''),
      loaded: num(row.loaded),
      failed: num(row.failed),
      inserted: num(row.inserted),
      updated: num(row.updated),
    }));
  }

  /** Load latency percentiles per bucket over the last `seconds`. */
  async latency(range: Range, bucket: Bucket): Promise<LatencyPoint[]> {
    if (!(await this.#tables()).ledger) return [];
    return (await this.driver.query(this.sql.latency(this.#window(range), bucket))).map((row: Row) => ({
      at: num(row.bucket),
      files: num(row.files),
      p50: num(row.p50),
      p95: num(row.p95),
      max: num(row.max_ms),
    }));
  }

  #window(range: Range): Window {
    const since = this.#since(range.seconds);
    return range.table === undefined ? { since } : { since, table: range.table };
  }

  async freshness(): Promise<{ now: number; tables: Freshness[] }> {
    const now = this.clock();
    if (!(await this.#tables()).ledger) return { now, tables: [] };
    const tables: Freshness[] = [];
    for (const row of await this.driver.query(this.sql.freshness())) {
      const table = String(row.target_table ?? '');
      const lastLoaded = maybeNum(row.last_loaded);
      const loaded = num(row.loaded);
      // A table none of whose files loaded may not exist; its row count is then unknown.
      let rows: number | null = null;
      if (table !== '' && loaded > 0) {
        const [count] = await this.driver.query(this.sql.tableRows(table));
        rows = num(count?.table_rows);
      }
      tables.push({
        table,
        lastLoaded,
        ageSeconds: lastLoaded === null ? null : Math.max(0, now - lastLoaded),
        lastFailed: maybeNum(row.last_failed),
        loaded,
        failed: num(row.failed),
        inserted: num(row.inserted),
        updated: num(row.updated),
        rows,
      });
    }
    return { now, tables };
  }

  async failures(perGroup: number): Promise<FailureGroup[]> {
    if (!(await this.#tables()).deadLetters) return [];
    const groups = new Map<string, FailureGroup>();
    for (const row of await this.driver.query(this.sql.failureGroups())) {
      const tip = String(row.tip);
      groups.set(tip, {
        tip,
        failures: num(row.failures),
        pending: num(row.pending),
        lastFailed: num(row.last_failed),
        examples: [],
      });
    }
    for (const row of await this.driver.query(this.sql.failureExamples(perGroup))) {
      groups.get(String(row.tip))?.examples.push({
        uri: String(row.object_uri),
        identity: String(row.object_identity),
        table: text(row.target_table),
        error: String(row.error),
        failedAt: num(row.failed_at),
        pending: num(row.pending) === 1,
      });
    }
    return [...groups.values()];
  }

  async deadLetters(limit: number): Promise<DeadLetterRow[]> {
    if (!(await this.#tables()).deadLetters) return [];
    return (await this.driver.query(this.sql.pendingDeadLetters(limit))).map((row: Row) => ({
      uri: String(row.object_uri),
      identity: String(row.object_identity),
      table: text(row.target_table),
      error: String(row.error),
      tip: String(row.tip),
      failedAt: num(row.failed_at),
    }));
  }
}

// Every ledger statement with fixed arguments, as one SQL text per dialect: `-- name` above each
// statement, `;` after it. The golden files under fixtures/sql/ledger/ are this text, reviewed.
import { LedgerReads } from '../src/ledger/ledger-reads.js';
import type { SqlCompiler } from '../src/warehouse/sql-compiler.js';

/** 2026-12-01 19:45:00 UTC. */
export const SINCE = Date.UTC(2026, 11, 1, 19, 45) / 1000;

export function ledgerStatements(compiler: SqlCompiler): string {
  const writes = compiler.ledger;
  const reads = new LedgerReads(compiler);
  const letter = {
    objectUri: "s3://lake/orders/it's.parquet",
    identity: 'etag-1',
    key: "orders/it's.parquet",
    table: 'orders',
    error: 'not Parquet',
    tip: 'Replace the file.',
  };
  const statements: [string, string][] = [
    ['createLedger', writes.createLedger()],
    ['createDeadLetters', writes.createDeadLetters()],
    ['addObjectKey', writes.addObjectKey()],
    ['recordDeadLetter', writes.recordDeadLetter(letter)],
    ['recordDeadLetter without a table', writes.recordDeadLetter({ ...letter, table: undefined })],
    ['pendingDeadLetters', writes.pendingDeadLetters()],
    ['pendingDeadLetters of a table without keys', writes.pendingDeadLetters(false)],
    ['markReplayed', writes.markReplayed(letter.objectUri, letter.identity)],
    [
      'loadedAmong',
      writes.loadedAmong([
        { objectUri: 's3://lake/a.parquet', identity: 'e1' },
        { objectUri: 's3://lake/a.parquet', identity: 'e2' },
        { objectUri: 's3://lake/b.parquet', identity: 'e3' },
      ]),
    ],
    [
      'recordLoads',
      writes.recordLoads([
        {
          objectUri: 's3://lake/a.parquet',
          identity: 'e1',
          table: 'orders',
          status: 'loaded',
          inserted: 3,
          updated: 1,
          unchanged: 0,
          durationMs: 12.7,
        },
        {
          objectUri: 's3://lake/b.parquet',
          identity: 'e3',
          table: 'orders',
          status: 'failed',
          inserted: 0,
          updated: 0,
          unchanged: 0,
          durationMs: 0,
          error: 'bad',
        },
      ]),
    ],
    ['status: recentLoads', reads.recentLoads(10)],
    ['status: loadedTables', reads.loadedTables()],
    ['status: recentFailures', reads.recentFailures(10)],
    ['status: waitingDeadLetters', reads.waitingDeadLetters()],
    ['tableRows', reads.tableRows('order"items')],
    ['reconcile: loadedUnder', reads.loadedUnder("s3://lake/it's é%_/")],
    ['reconcile: failuresUnder', reads.failuresUnder('s3://lake/landing/')],
    ['dashboard: overview', reads.overview(SINCE)],
    ['dashboard: deadLetterCounts', reads.deadLetterCounts(SINCE)],
    ['dashboard: activity', reads.activity({ since: SINCE }, 'minute')],
    ['dashboard: activity of one table', reads.activity({ since: SINCE, table: "x' OR '1'='1\\" }, 'day')],
    ['dashboard: latency', reads.latency({ since: SINCE, table: 'order_summary' }, 'hour')],
    ['dashboard: freshness', reads.freshness()],
    ['dashboard: failureGroups', reads.failureGroups()],
    ['dashboard: failureExamples', reads.failureExamples(3)],
    ['dashboard: pendingDeadLetters', reads.pendingDeadLetters(10)],
  ];
  return statements.map(([name, sql]) => `-- ${name}\n${sql};\n`).join('\n');
}

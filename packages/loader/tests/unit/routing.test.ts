import { describe, expect, it } from 'vitest';
import { ReservedTableError, RoutingError, route } from '../../src/routing/route.js';
import { foldName, refusedTarget } from '../../src/routing/target-guard.js';

describe('route', () => {
  it('names the table after the dataset folder and parses hive partitions', () => {
    expect(
      route('exports/year=2025/month=11/day=13/order_items/order_items_20251113_001.parquet', 10),
    ).toEqual({
      action: 'load',
      table: 'order_items',
      partitions: { year: '2025', month: '11', day: '13' },
    });
    expect(route('lake/order_summary/dt=2025-11-13/part-0.PARQUET', 10)).toEqual({
      action: 'load',
      table: 'order_summary',
      partitions: { dt: '2025-11-13' },
    });
  });

  it('prefers the longest matching rule', () => {
    const rules = [
      { prefix: 'partners/', table: 'partner_orders' },
      { prefix: 'partners/acme/', table: 'acme_orders' },
    ];
    expect(route('partners/acme/2025/file.parquet', 1, rules)).toMatchObject({ table: 'acme_orders' });
    expect(route('partners/other/file.parquet', 1, rules)).toMatchObject({ table: 'partner_orders' });
  });

  it.each([
    ['lake/_temporary/0/order_items/part.parquet', 10, /in _temporary\//],
    ['lake/_rejects/orders.jsonl', 10, /in _rejects\//],
    ['lake/.staging/order_items/part.parquet', 10, /hidden \(\.staging\)/],
    ['lake/order_items/.part.parquet.crc', 10, /hidden/],
    ['lake/order_items/_SUCCESS', 0, /marker file _SUCCESS/],
    ['lake/order_items/part.csv', 10, /not a \.parquet file/],
    ['lake/order_items/part.parquet', 0, /zero-byte object/],
  ])('skips %s with a reason', (key, size, reason) => {
    const result = route(key, size);
    expect(result.action).toBe('skip');
    if (result.action === 'skip') expect(result.reason).toMatch(reason);
  });

  it('refuses a Parquet file that nothing routes, saying how to fix it', () => {
    expect(() => route('part-0.parquet', 10)).toThrow(RoutingError);
    expect(() => route('year=2025/part-0.parquet', 10)).toThrow(
      /put the file under a folder named after its table .* or add a routing rule/,
    );
  });
});

describe('reserved targets', () => {
  const refused = [
    'lake/lakeload_load_history/f.parquet',
    'lake/lakeload_dead_letters/f.parquet',
    'lake/LAKELOAD_LOAD_HISTORY/f.parquet',
    'lake/__lakeload_stage/f.parquet',
    'lake/pg_description/f.parquet',
    'lake/PG_Class/year=2025/f.parquet',
    // Full-width letters fold to pg_class under NFKC; a zero-width space is invisible.
    'lake/\uff50\uff47_class/f.parquet',
    'lake/pg\u200b_class/f.parquet',
    'lake/information_schema/f.parquet',
    'lake/stl_load_errors/f.parquet',
    'lake/SVV_TABLE_INFO/f.parquet',
    'lake/sys_query_history/f.parquet',
    'lake/svcs_query_summary/f.parquet',
    'lake/duckdb_tables/f.parquet',
    'lake/sqlite_master/f.parquet',
  ];
  it.each(refused)('refuses %j with the reason', (key) => {
    expect(() => route(key, 10)).toThrow(ReservedTableError);
    expect(() => route(key, 10)).toThrow(/reserved for/);
  });

  it('refuses a folder whose decoded name holds a NUL character', () => {
    expect(() => route('lake/a\u0000b/f.parquet', 10)).toThrow(
      '(named by its folder): a NUL character, which no table name can hold',
    );
  });

  it('refuses a rule that routes into a reserved table', () => {
    expect(() => route('partners/f.parquet', 10, [{ prefix: 'partners/', table: 'pg_description' }])).toThrow(
      /routing rule "partners\/".*reserved for postgres's system catalogs/,
    );
  });

  it('lets names that only contain a reserved word through', () => {
    for (const table of ['orders_pg_', 'my_lakeload_load_history', 'stl', 'system', 'information'])
      expect(refusedTarget(table)).toBeUndefined();
    expect(foldName('ＰＧ_Ｃｌａｓｓ')).toBe('pg_class');
  });
});

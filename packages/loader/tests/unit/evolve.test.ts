import { join } from 'node:path';
import { CORPUS } from '@lakeload/testkit/parquet-corpus';
import { describe, expect, it } from 'vitest';
import { evolve, SchemaDriftError } from '../../src/schema/evolve.js';
import { type Column, type ColumnType, fileSource, readParquetSchema } from '../../src/schema/parquet.js';

const col = (name: string, type: ColumnType, nullable = true): Column => ({ name, type, nullable });
const int = (bits: 8 | 16 | 32 | 64, signed = true): ColumnType => ({ kind: 'int', bits, signed });
const dec = (precision: number, scale: number): ColumnType => ({ kind: 'decimal', precision, scale });
const text: ColumnType = { kind: 'string' };

describe('evolve', () => {
  const target = [
    col('order_id', int(64)),
    col('qty', int(32)),
    col('total', dec(12, 2)),
    col('status', text),
  ];

  it('changes nothing when the file matches, or lacks columns the table has', () => {
    expect(evolve(target, target, 'evolve', 't')).toEqual({ add: [], widen: [] });
    expect(evolve(target, target.slice(0, 2), 'freeze', 't')).toEqual({ add: [], widen: [] });
  });

  it('adds new file columns as nullable and widens where no value can be lost', () => {
    const file = [
      col('order_id', int(64)),
      col('qty', int(64)),
      col('total', dec(18, 2)),
      col('coupon', text, false),
    ];
    expect(evolve(target, file, 'evolve', 't')).toEqual({
      add: [col('coupon', text, true)],
      widen: [
        { name: 'qty', from: int(32), to: int(64) },
        { name: 'total', from: dec(12, 2), to: dec(18, 2) },
      ],
    });
  });

  it('keeps the wider target type when the file is narrower', () => {
    const file = [col('qty', int(16)), col('total', dec(10, 2)), col('order_id', int(32, false))];
    expect(evolve(target, file, 'evolve', 't')).toEqual({ add: [], widen: [] });
  });

  it.each([
    ['text into a number', col('qty', text), /"qty" is int32 in the table but string in the file/],
    [
      'decimal scale change',
      col('total', dec(12, 3)),
      /"total" is decimal\(12,2\) in the table but decimal\(12,3\)/,
    ],
    ['a number into text', col('status', int(32)), /"status" is string in the table but int32/],
  ])('refuses %s, naming the column and the fix', (_name, column, message) => {
    expect(() => evolve(target, [column], 'evolve', 'order_items')).toThrow(SchemaDriftError);
    expect(() => evolve(target, [column], 'evolve', 'order_items')).toThrow(message);
    expect(() => evolve(target, [column], 'evolve', 'order_items')).toThrow(
      /^order_items: .*convert the column in the file, or migrate the table/,
    );
  });

  it('refuses any drift under a frozen contract', () => {
    expect(() => evolve(target, [col('coupon', text)], 'freeze', 't')).toThrow(
      /contract is "freeze" .* new column "coupon" \(string\)/,
    );
    expect(() => evolve(target, [col('qty', int(64))], 'freeze', 't')).toThrow(/"qty" int32 → int64/);
  });

  // The catalog reports what the table stores, which for these is broader than the file's own type:
  // a second file of the same schema must load like the first.
  it('accepts file types the table stores in a broader type it reports back', () => {
    const micros: ColumnType = { kind: 'timestamp', unit: 'micros', utc: true };
    const stored = [
      col('payload', text),
      col('id', text),
      col('at', micros),
      col('tags', { kind: 'nested', shape: 'list' }),
    ];
    const file = [
      col('payload', { kind: 'json' }),
      col('id', { kind: 'uuid' }),
      col('at', { kind: 'timestamp', unit: 'millis', utc: true }),
      col('tags', { kind: 'nested', shape: 'map' }),
    ];
    expect(evolve(stored, file, 'freeze', 't')).toEqual({ add: [], widen: [] });
  });

  it('still refuses local nanoseconds or another time zone into a microsecond timestamp', () => {
    const stored = [col('at', { kind: 'timestamp', unit: 'micros', utc: true })];
    expect(() =>
      evolve(
        [col('at', { kind: 'timestamp', unit: 'micros', utc: false })],
        [col('at', { kind: 'timestamp', unit: 'nanos', utc: false })],
        'evolve',
        't',
      ),
    ).toThrow(/timestamp\(micros\) in the table but timestamp\(nanos\)/);
    expect(() =>
      evolve(stored, [col('at', { kind: 'timestamp', unit: 'millis', utc: false })], 'evolve', 't'),
    ).toThrow(SchemaDriftError);
  });

  it('takes a Spark INT96 file, as the reader reports it, into the microsecond UTC column it created', async () => {
    const source = await fileSource(join(CORPUS, 'int96_from_spark.parquet'));
    const { columns } = await readParquetSchema(source).finally(() => source.close());
    const stored = [col('a', { kind: 'timestamp', unit: 'micros', utc: true })];
    expect(evolve(stored, columns, 'freeze', 't')).toEqual({ add: [], widen: [] });
  });

  it('takes UTC nanoseconds into the microsecond UTC column DuckDB keeps them in (it reads them so)', () => {
    for (const kind of ['timestamp', 'time'] as const) {
      const stored = [col('at', { kind, unit: 'micros', utc: true })];
      expect(evolve(stored, [col('at', { kind, unit: 'nanos', utc: true })], 'freeze', 't')).toEqual({
        add: [],
        widen: [],
      });
    }
  });

  it('takes a millisecond time of day into the microsecond column a warehouse reports', () => {
    const stored = [col('t', { kind: 'time', unit: 'micros', utc: false })];
    expect(evolve(stored, [col('t', { kind: 'time', unit: 'millis', utc: false })], 'freeze', 't')).toEqual({
      add: [],
      widen: [],
    });
  });

  it('refuses an unsigned 64-bit integer into DECIMAL(19,0): it needs 20 digits', () => {
    expect(() => evolve([col('n', dec(19, 0))], [col('n', int(64, false))], 'evolve', 't')).toThrow(
      /"n" is decimal\(19,0\) in the table but unsigned int64/,
    );
    expect(evolve([col('n', dec(20, 0))], [col('n', int(64, false))], 'freeze', 't')).toEqual({
      add: [],
      widen: [],
    });
  });

  it('widens a typed struct by the fields a file adds, and refuses a field that changes type', () => {
    const struct = (...fields: Column[]): ColumnType => ({
      kind: 'nested',
      shape: 'struct',
      children: fields,
    });
    const stored = [col('s', struct(col('a', int(32)), col('b', text)))];
    const grown = [col('s', struct(col('a', int(64)), col('b', text), col('c', text)))];
    expect(evolve(stored, grown, 'evolve', 't')).toEqual({
      add: [],
      widen: [
        { name: 's', from: stored[0]?.type, to: struct(col('a', int(64)), col('b', text), col('c', text)) },
      ],
    });
    expect(() => evolve(stored, grown, 'freeze', 't')).toThrow(/contract is "freeze"/);
    expect(() => evolve(stored, [col('s', struct(col('a', text)))], 'evolve', 't')).toThrow(
      /"s" is struct<a: int32, b: string> in the table but struct<a: string> in the file/,
    );
    // A schemaless column (jsonb, SUPER) takes any nested value.
    expect(evolve([col('s', { kind: 'json' })], grown, 'freeze', 't')).toEqual({ add: [], widen: [] });
  });
});

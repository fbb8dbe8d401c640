// Parquet decimals of more than 38 digits, read exactly for PostgreSQL's numeric. DuckDB, the
// driver's reader, reads them as DOUBLE, and decodes any value whose byte length is not a multiple
// of 8 wrongly besides (https://github.com/duckdb/duckdb/pull/25058); so their unscaled values
// (big-endian two's complement, https://github.com/apache/parquet-format/blob/master/LogicalTypes.md#decimal)
// are read with hyparquet, one row group at a time, and printed as exact decimal text.
import { asyncBufferFromFile, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { ParquetFormatError } from '../../errors.js';
import type { Column, ColumnType } from '../../schema/parquet.js';
import { compressors, decimalText } from '../../schema/raw-values.js';

/** True for a decimal wider than DuckDB's DECIMAL (38 digits). */
export function isWideDecimal(type: ColumnType): boolean {
  return type.kind === 'decimal' && type.precision > 38;
}

/** True when a wide decimal sits anywhere inside a nested type (a struct's field, a list's element). */
export function hasNestedWideDecimal(type: ColumnType): boolean {
  return (
    type.kind === 'nested' &&
    (type.children ?? []).some((child) => isWideDecimal(child.type) || hasNestedWideDecimal(child.type))
  );
}

/** One row group's wide columns: its first row in the file and, per column, each row's text or null. */
export interface WideDecimalGroup {
  firstRow: number;
  values: Record<string, (string | null)[]>;
}

/**
 * The file's wide decimal columns, a row group at a time. hyparquet would turn a decimal into a
 * rounded Number, so the columns' decimal annotation is taken off the footer it reads: it then hands
 * over their raw bytes.
 */
export async function* readWideDecimals(
  path: string,
  columns: readonly Column[],
): AsyncGenerator<WideDecimalGroup> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const names = columns.map((column) => column.name);
  const scales = new Map(
    columns.map((column) => [column.name, column.type.kind === 'decimal' ? column.type.scale : 0]),
  );
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element, index) => {
      if (index === 0 || !scales.has(element.name)) return element;
      const { converted_type: _converted, logical_type: _logical, ...bare } = element;
      return bare;
    }),
  };
  let firstRow = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    const values: Record<string, (string | null)[]> = Object.fromEntries(
      names.map((name) => [name, new Array<string | null>(count).fill(null)]),
    );
    let read = 0;
    // Column by column as hyparquet decodes them (no row objects), each value printed at once.
    await parquetRead({
      file,
      metadata: raw,
      columns: names,
      rowStart: firstRow,
      rowEnd: firstRow + count,
      utf8: false,
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = values[columnName];
        const scale = scales.get(columnName) ?? 0;
        if (!target) return;
        for (let index = 0; index < columnData.length; index++) {
          const row = rowStart - firstRow + index;
          if (row < 0 || row >= count) continue;
          const value = columnData[index] as Uint8Array | bigint | number | null | undefined;
          target[row] = value === null || value === undefined ? null : decimalText(value, scale);
          read += 1;
        }
      },
    }).catch((error: unknown) => {
      throw new ParquetFormatError(
        `${path}: cannot read its decimal columns of more than 38 digits (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    });
    if (read !== count * names.length) {
      throw new ParquetFormatError(
        `${path}: a row group declares ${count} rows but its decimal columns hold ${read / names.length}`,
      );
    }
    yield { firstRow, values };
    firstRow += count;
  }
}

// The schema stage reads only a Parquet file's footer — the last bytes, in one or two ranged
// reads — and describes its top-level columns in dialect-neutral types.
import { open } from 'node:fs/promises';
import { ParquetFormatError } from '../errors.js';
import { decimalText, unscaled } from './raw-values.js';
import { CompactReader, Kind, ThriftError } from './thrift.js';

/** Random access to an object's bytes: a local file, or an S3 object read with ranged GETs. */
export interface ByteSource {
  /** Names the object in error messages. */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export type TimeUnit = 'millis' | 'micros' | 'nanos';

/** A column's type, independent of any warehouse; each dialect maps it to its own SQL type. */
export type ColumnType =
  | { kind: 'boolean' }
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'float'; bits: 16 | 32 | 64 }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'string' }
  | { kind: 'json' }
  | { kind: 'uuid' }
  /** `geospatial`: WKB under Parquet's GEOMETRY or GEOGRAPHY annotation, which readers take as a geometry. */
  | { kind: 'binary'; fixedLength?: number; geospatial?: 'geometry' | 'geography' }
  | { kind: 'date' }
  | { kind: 'time'; unit: TimeUnit; utc: boolean }
  | { kind: 'timestamp'; unit: TimeUnit; utc: boolean }
  | { kind: 'interval' }
  | NestedType;

/**
 * A struct, list or map. `children` are a struct's fields, a list's one `element`, a map's `key`
 * and `value`; a column read back from a warehouse that stores nested values without a schema
 * (PostgreSQL jsonb, Redshift SUPER) has none.
 */
export interface NestedType {
  kind: 'nested';
  shape: 'struct' | 'list' | 'map';
  children?: Column[];
  /** A struct annotated VARIANT (its `metadata` and `value`), which DuckDB reads as its own VARIANT. */
  variant?: true;
}

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export interface ParquetSchema {
  columns: Column[];
  rows: number;
  rowGroups: number;
  createdBy?: string;
}

interface SchemaElement {
  type?: number;
  typeLength?: number;
  repetition?: number;
  name: string;
  children: number;
  converted?: number;
  scale?: number;
  precision?: number;
  logical?: LogicalType;
}

type SimpleLogical =
  | 'string'
  | 'map'
  | 'list'
  | 'enum'
  | 'date'
  | 'json'
  | 'bson'
  | 'uuid'
  | 'unknown'
  | 'float16'
  | 'variant'
  | 'geometry'
  | 'geography'
  | 'other';
type LogicalType =
  | { kind: SimpleLogical }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'time' | 'timestamp'; utc: boolean; unit: TimeUnit }
  | { kind: 'integer'; bits: number; signed: boolean };

// Physical types and converted types as numbered in parquet.thrift.
const PHYSICAL = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
];
const CONVERTED = {
  UTF8: 0,
  MAP: 1,
  MAP_KEY_VALUE: 2,
  LIST: 3,
  ENUM: 4,
  DECIMAL: 5,
  DATE: 6,
  TIME_MILLIS: 7,
  TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9,
  TIMESTAMP_MICROS: 10,
  UINT_8: 11,
  UINT_16: 12,
  UINT_32: 13,
  UINT_64: 14,
  INT_8: 15,
  INT_16: 16,
  INT_32: 17,
  INT_64: 18,
  JSON: 19,
  BSON: 20,
  INTERVAL: 21,
} as const;
const REPEATED = 2;
const REQUIRED = 0;

function readUnit(reader: CompactReader): TimeUnit {
  let unit: TimeUnit = 'micros';
  reader.struct((id, kind) => {
    if (id === 1) unit = 'millis';
    else if (id === 2) unit = 'micros';
    else if (id === 3) unit = 'nanos';
    reader.skipValue(kind);
  });
  return unit;
}

function readLogical(reader: CompactReader): LogicalType {
  let logical: LogicalType = { kind: 'other' };
  const simple: Record<number, SimpleLogical> = {
    1: 'string',
    2: 'map',
    3: 'list',
    4: 'enum',
    6: 'date',
    11: 'unknown',
    12: 'json',
    13: 'bson',
    14: 'uuid',
    15: 'float16',
    16: 'variant',
    17: 'geometry',
    18: 'geography',
  };
  reader.struct((id, kind) => {
    if (id === 5) {
      const decimal = { kind: 'decimal' as const, precision: 0, scale: 0 };
      reader.struct((field, fieldKind) => {
        if (field === 1) decimal.scale = reader.int();
        else if (field === 2) decimal.precision = reader.int();
        else reader.skipValue(fieldKind);
      });
      logical = decimal;
    } else if (id === 7 || id === 8) {
      const time = {
        kind: id === 7 ? ('time' as const) : ('timestamp' as const),
        utc: false,
        unit: 'micros' as TimeUnit,
      };
      reader.struct((field, fieldKind) => {
        if (field === 1) time.utc = CompactReader.bool(fieldKind);
        else if (field === 2) time.unit = readUnit(reader);
        else reader.skipValue(fieldKind);
      });
      logical = time;
    } else if (id === 10) {
      const integer = { kind: 'integer' as const, bits: 0, signed: true };
      reader.struct((field, fieldKind) => {
        // Parquet's bitWidth is an i8; written as another kind (some writers' i32), readers such as
        // DuckDB refuse the footer, so it stays 0 and the column is refused by name.
        if (field === 1 && fieldKind === Kind.Byte) integer.bits = reader.byteValue();
        else if (field === 2) integer.signed = CompactReader.bool(fieldKind);
        else reader.skipValue(fieldKind);
      });
      logical = integer;
    } else {
      logical = { kind: simple[id] ?? 'other' };
      reader.skipValue(kind);
    }
  });
  return logical;
}

function readElement(reader: CompactReader): SchemaElement {
  const element: SchemaElement = { name: '', children: 0 };
  reader.struct((id, kind) => {
    if (id === 1) element.type = reader.int();
    else if (id === 2) element.typeLength = reader.int();
    else if (id === 3) element.repetition = reader.int();
    else if (id === 4) element.name = reader.string();
    else if (id === 5) element.children = reader.int();
    else if (id === 6) element.converted = reader.int();
    else if (id === 7) element.scale = reader.int();
    else if (id === 8) element.precision = reader.int();
    else if (id === 10) element.logical = readLogical(reader);
    else reader.skipValue(kind);
  });
  return element;
}

/** A column chunk's statistics: its smallest and largest value, in the physical type's encoding. */
interface ChunkBounds {
  min?: Uint8Array;
  max?: Uint8Array;
}

interface FileMetaData {
  elements: SchemaElement[];
  /** Per top-level leaf column, its chunks' statistics, one per row group that has them. */
  bounds: Map<string, ChunkBounds[]>;
  rows: number;
  rowGroups: number;
  /** The row groups' own counts, summed: some writers leave the file's count at 0. */
  groupRows: number;
  createdBy?: string;
}

/**
 * A ColumnChunk's statistics into `bounds`, for top-level leaves only (parquet.thrift: ColumnChunk
 * 3 meta_data; ColumnMetaData 3 path_in_schema, 12 statistics; Statistics 1/2 the deprecated
 * max/min in signed order, 5/6 max_value/min_value in the column's own order).
 */
function readChunkBounds(reader: CompactReader, bounds: Map<string, ChunkBounds[]>): void {
  reader.struct((id, kind) => {
    if (id !== 3) return reader.skipValue(kind);
    const path: string[] = [];
    const chunk: ChunkBounds & { oldMin?: Uint8Array; oldMax?: Uint8Array } = {};
    reader.struct((field, fieldKind) => {
      if (field === 3) reader.list(() => path.push(reader.string()));
      else if (field === 12) {
        reader.struct((stat, statKind) => {
          if (stat === 1) chunk.oldMax = reader.binary();
          else if (stat === 2) chunk.oldMin = reader.binary();
          else if (stat === 5) chunk.max = reader.binary();
          else if (stat === 6) chunk.min = reader.binary();
          else reader.skipValue(statKind);
        });
      } else reader.skipValue(fieldKind);
    });
    const [name] = path;
    if (path.length !== 1 || name === undefined) return;
    const min = chunk.min ?? chunk.oldMin;
    const max = chunk.max ?? chunk.oldMax;
    if (!min && !max) return;
    const list = bounds.get(name) ?? [];
    list.push({ ...(min ? { min } : {}), ...(max ? { max } : {}) });
    bounds.set(name, list);
  });
}

function readFileMetaData(bytes: Uint8Array): FileMetaData {
  const reader = new CompactReader(bytes);
  const meta: FileMetaData = { elements: [], bounds: new Map(), rows: 0, rowGroups: 0, groupRows: 0 };
  reader.struct((id, kind) => {
    if (id === 2) reader.list(() => meta.elements.push(readElement(reader)));
    else if (id === 3) meta.rows = reader.long();
    else if (id === 4) {
      reader.list(() => {
        meta.rowGroups += 1;
        reader.struct((field, fieldKind) => {
          if (field === 3) meta.groupRows += reader.long();
          else if (field === 1) reader.list(() => readChunkBounds(reader, meta.bounds));
          else reader.skipValue(fieldKind);
        });
      });
    } else if (id === 6) meta.createdBy = reader.string();
    else reader.skipValue(kind);
  });
  return meta;
}

/** The type of a leaf (a primitive element), from its logical, else converted, else physical type. */
function leafType(element: SchemaElement): ColumnType {
  const { logical, converted } = element;
  const physical = PHYSICAL[element.type ?? -1] ?? 'UNKNOWN';
  if (logical) {
    switch (logical.kind) {
      case 'string':
      case 'enum':
        return { kind: 'string' };
      case 'json':
        return { kind: 'json' };
      case 'uuid':
        return { kind: 'uuid' };
      case 'date':
        return { kind: 'date' };
      case 'float16':
        // Half floats (FIXED_LEN_BYTE_ARRAY(2)), which DuckDB reads as FLOAT exactly.
        return { kind: 'float', bits: 16 };
      case 'decimal':
        return { kind: 'decimal', precision: logical.precision, scale: logical.scale };
      case 'geometry':
      case 'geography':
        return { kind: 'binary', geospatial: logical.kind };
      case 'time':
        return { kind: 'time', unit: logical.unit, utc: logical.utc };
      case 'timestamp':
        return { kind: 'timestamp', unit: logical.unit, utc: logical.utc };
      case 'integer':
        return { kind: 'int', bits: logical.bits as 8 | 16 | 32 | 64, signed: logical.signed };
      default:
        break;
    }
  }
  switch (converted) {
    case CONVERTED.UTF8:
    case CONVERTED.ENUM:
      return { kind: 'string' };
    case CONVERTED.JSON:
      return { kind: 'json' };
    case CONVERTED.DECIMAL:
      return { kind: 'decimal', precision: element.precision ?? 0, scale: element.scale ?? 0 };
    case CONVERTED.DATE:
      return { kind: 'date' };
    case CONVERTED.TIME_MILLIS:
    case CONVERTED.TIME_MICROS:
      // A time of day without a zone, as DuckDB and Arrow read the legacy annotation.
      return { kind: 'time', unit: converted === CONVERTED.TIME_MILLIS ? 'millis' : 'micros', utc: false };
    case CONVERTED.TIMESTAMP_MILLIS:
    case CONVERTED.TIMESTAMP_MICROS:
      return {
        kind: 'timestamp',
        unit: converted === CONVERTED.TIMESTAMP_MILLIS ? 'millis' : 'micros',
        utc: true,
      };
    case CONVERTED.UINT_8:
    case CONVERTED.UINT_16:
    case CONVERTED.UINT_32:
    case CONVERTED.UINT_64:
    case CONVERTED.INT_8:
    case CONVERTED.INT_16:
    case CONVERTED.INT_32:
    case CONVERTED.INT_64: {
      const index = converted - CONVERTED.UINT_8;
      return { kind: 'int', bits: ([8, 16, 32, 64] as const)[index % 4] ?? 64, signed: index >= 4 };
    }
    case CONVERTED.INTERVAL:
      return { kind: 'interval' };
    default:
      break;
  }
  switch (physical) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'INT32':
      return { kind: 'int', bits: 32, signed: true };
    case 'INT64':
      return { kind: 'int', bits: 64, signed: true };
    case 'INT96':
      // Spark's and Impala's legacy timestamps: UTC instants, which every reader (DuckDB, Redshift's
      // COPY) takes at microsecond precision, so they share a table with Spark's TIMESTAMP_MICROS.
      return { kind: 'timestamp', unit: 'micros', utc: true };
    case 'FLOAT':
      return { kind: 'float', bits: 32 };
    case 'DOUBLE':
      return { kind: 'float', bits: 64 };
    case 'FIXED_LEN_BYTE_ARRAY':
      return { kind: 'binary', fixedLength: element.typeLength ?? 0 };
    default:
      return { kind: 'binary' };
  }
}

/** An element with its subtree, as the footer's depth-first list encodes it. */
interface Node {
  element: SchemaElement;
  children: Node[];
}

function isList(element: SchemaElement): boolean {
  return element.logical?.kind === 'list' || element.converted === CONVERTED.LIST;
}

function isMap(element: SchemaElement): boolean {
  return (
    element.logical?.kind === 'map' ||
    element.converted === CONVERTED.MAP ||
    element.converted === CONVERTED.MAP_KEY_VALUE
  );
}

const field = (name: string, type: ColumnType, nullable: boolean): Column => ({ name, type, nullable });
const optional = (node: Node) => node.element.repetition !== REQUIRED;

/** A node's type, ignoring its own repetition (a repeated node's caller makes it a list). */
function nodeType(node: Node): ColumnType {
  const { element, children } = node;
  if (element.type !== undefined && children.length === 0) return leafType(element);
  const [repeated] = children;
  if (isList(element) && children.length === 1 && repeated?.element.repetition === REPEATED) {
    // The backward-compatibility rules of LogicalTypes.md (LIST): the repeated child is the element
    // itself when it is a leaf, has several fields, or is named `array` / `<list>_tuple`;
    // otherwise it is the 3-level wrapper and its one child is the element.
    const wrapper =
      repeated.children.length === 1 &&
      repeated.element.name !== 'array' &&
      repeated.element.name !== `${element.name}_tuple`;
    const item = wrapper ? (repeated.children[0] as Node) : repeated;
    return {
      kind: 'nested',
      shape: 'list',
      children: [field('element', nodeType(item), wrapper ? optional(item) : false)],
    };
  }
  if (isMap(element) && children.length === 1 && repeated && repeated.children.length >= 1) {
    const [key, value] = repeated.children as [Node, Node | undefined];
    return {
      kind: 'nested',
      shape: 'map',
      children: [
        field('key', nodeType(key), false),
        ...(value ? [field('value', fieldType(value), optional(value))] : []),
      ],
    };
  }
  return {
    kind: 'nested',
    shape: 'struct',
    children: children.map((child) => field(child.element.name, fieldType(child), optional(child))),
    ...(element.logical?.kind === 'variant' ? { variant: true as const } : {}),
  };
}

/** A field's type: a repeated field outside a LIST annotation is a list of required elements. */
function fieldType(node: Node): ColumnType {
  const type = nodeType(node);
  if (node.element.repetition !== REPEATED) return type;
  return { kind: 'nested', shape: 'list', children: [field('element', type, false)] };
}

/** The footer's schema as a tree: the root, whose children are the top-level columns. */
function schemaTree(elements: readonly SchemaElement[]): Node {
  let index = 0;
  const next = (): Node => {
    const element = elements[index];
    if (!element) throw new ParquetFormatError('the footer schema ends before its last column');
    index += 1;
    const children: Node[] = [];
    for (let child = 0; child < element.children; child++) children.push(next());
    return { element, children };
  };
  if (elements.length === 0) throw new ParquetFormatError('the footer holds no schema');
  return next();
}

/** Top-level columns in file order, each with its nested children. */
function topLevel(root: Node): Column[] {
  return root.children.map((node) => field(node.element.name, fieldType(node), optional(node)));
}

/** A leaf's integer annotation (logical, else converted), or undefined. */
function integerAnnotation(element: SchemaElement): { bits: number; signed: boolean } | undefined {
  if (element.logical?.kind === 'integer') return element.logical;
  const { converted } = element;
  if (converted === undefined || converted < CONVERTED.UINT_8 || converted > CONVERTED.INT_64)
    return undefined;
  const index = converted - CONVERTED.UINT_8;
  return { bits: 8 << (index % 4), signed: index >= 4 };
}

/**
 * Refuses integer annotations readers cannot read: LogicalTypes.md (INT) allows bit widths 8, 16,
 * 32 and 64, the first three on INT32 values and 64 on INT64
 * (https://github.com/apache/parquet-format/blob/master/LogicalTypes.md#signed-and-unsigned-integers);
 * DuckDB refuses anything else ("INT16 converted type can only be set for value of Type::INT32").
 */
function checkIntegers(node: Node, file: string, parent = ''): void {
  for (const child of node.children) {
    const path = `${parent}${child.element.name}`;
    checkIntegers(child, file, `${path}.`);
    const integer = integerAnnotation(child.element);
    if (!integer || child.children.length > 0) continue;
    const physical = PHYSICAL[child.element.type ?? -1] ?? 'UNKNOWN';
    const expected = integer.bits === 64 ? 'INT64' : [8, 16, 32].includes(integer.bits) ? 'INT32' : undefined;
    if (expected === physical) continue;
    const annotation = `${integer.signed ? 'INT' : 'UINT'}(${integer.bits})`;
    throw new ParquetFormatError(
      expected
        ? `${file}: column "${path}" is annotated ${annotation} on ${physical} values; Parquet puts ${annotation} on ${expected} only, and readers refuse the file`
        : `${file}: column "${path}" has an integer annotation without a valid bit width (8, 16, 32 or 64); readers refuse the file`,
      {
        tip: expected
          ? `Rewrite the file with column "${path}" as ${expected} values (or an annotation matching ${physical}), upload it again, then replay.`
          : `Rewrite the file with a writer that encodes column "${path}"'s integer annotation correctly, upload it again, then replay.`,
      },
    );
  }
}

/** A statistics value as the integer it encodes: little-endian INT32/INT64, else big-endian bytes. */
function statValue(bytes: Uint8Array, physical: string): bigint | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (physical === 'INT32') return bytes.length === 4 ? BigInt(view.getInt32(0, true)) : undefined;
  if (physical === 'INT64') return bytes.length === 8 ? view.getBigInt64(0, true) : undefined;
  return physical === 'FIXED_LEN_BYTE_ARRAY' && bytes.length > 0 ? unscaled(bytes) : undefined;
}

/**
 * Refuses a top-level column whose statistics hold a value its annotation cannot: a decimal of more
 * digits than its precision, or an INT(8/16) value outside its width. Readers do not check: DuckDB
 * wraps such a value into another number (an INT(8) 300 reads as 44) or fails with an internal
 * error, and PostgreSQL and Redshift refuse the row with "numeric field overflow". Statistics
 * values are values of the chunk, so this never refuses a good file; a file without statistics is
 * checked when its load fails (schema/values.ts).
 */
function checkBounds(root: Node, bounds: ReadonlyMap<string, readonly ChunkBounds[]>, file: string): void {
  for (const { element, children } of root.children) {
    const chunks = bounds.get(element.name);
    if (children.length > 0 || !chunks) continue;
    const physical = PHYSICAL[element.type ?? -1] ?? 'UNKNOWN';
    const type = leafType(element);
    const integer = integerAnnotation(element);
    let range: { low: bigint; high: bigint; holds: string; show: (value: bigint) => string } | undefined;
    if (type.kind === 'decimal') {
      const limit = 10n ** BigInt(type.precision);
      range = {
        low: 1n - limit,
        high: limit - 1n,
        holds: `decimal(${type.precision},${type.scale}) (at most ${type.precision} digits)`,
        show: (value) => decimalText(value, type.scale),
      };
    } else if (integer && integer.bits < 32) {
      const span = 1n << BigInt(integer.bits);
      range = {
        low: integer.signed ? -span / 2n : 0n,
        high: integer.signed ? span / 2n - 1n : span - 1n,
        holds: `${integer.signed ? 'INT' : 'UINT'}(${integer.bits})`,
        show: (value) => value.toString(),
      };
    }
    if (!range) continue;
    for (const chunk of chunks) {
      for (const bytes of [chunk.min, chunk.max]) {
        const value = bytes && statValue(bytes, physical);
        if (value === undefined || (value >= range.low && value <= range.high)) continue;
        throw new ParquetFormatError(
          `${file}: column "${element.name}" is annotated ${range.holds} but holds ${range.show(value)} (its statistics say), which readers misread or refuse`,
          {
            tip: `Rewrite the file with a wider type for column "${element.name}" (or correct the value), upload it again, then replay.`,
          },
        );
      }
    }
  }
}

/**
 * Refuses a decimal annotation no reader can honour: LogicalTypes.md (DECIMAL) requires a precision
 * of at least 1 and a scale from 0 to the precision
 * (https://github.com/apache/parquet-format/blob/master/LogicalTypes.md#decimal).
 */
function checkDecimals(columns: readonly Column[], file: string, parent = ''): void {
  for (const { name, type } of columns) {
    const path = `${parent}${name}`;
    if (type.kind === 'nested') checkDecimals(type.children ?? [], file, `${path}.`);
    if (type.kind !== 'decimal') continue;
    if (type.precision < 1 || type.scale < 0 || type.scale > type.precision) {
      throw new ParquetFormatError(
        `${file}: column "${path}" is annotated decimal(${type.precision},${type.scale}), which Parquet does not allow (precision at least 1, scale from 0 to the precision); rewrite the file with a valid decimal type`,
      );
    }
  }
}

const MAGIC = 'PAR1';
// One read of the tail usually covers the whole footer.
const TAIL_BYTES = 64 * 1024;

/** Reads the footer of a Parquet object: at most two ranged reads, whatever the file's size. */
export async function readParquetSchema(source: ByteSource): Promise<ParquetSchema> {
  if (source.size < 12) {
    throw new ParquetFormatError(`${source.name} is ${source.size} bytes, too small to be a Parquet file`);
  }
  const tailLength = Math.min(source.size, TAIL_BYTES);
  const tail = await source.read(source.size - tailLength, tailLength);
  const end = tail.subarray(tail.length - 8);
  if (new TextDecoder().decode(end.subarray(4)) !== MAGIC) {
    throw new ParquetFormatError(
      `${source.name} is not a Parquet file: it does not end with "PAR1". It may be truncated or another format (e.g. CSV) named .parquet`,
    );
  }
  const footerLength = new DataView(end.buffer, end.byteOffset, 4).getUint32(0, true);
  if (footerLength + 8 > source.size - 4) {
    throw new ParquetFormatError(
      `${source.name} is truncated: its footer claims ${footerLength} bytes, more than the file holds`,
    );
  }
  const footer =
    footerLength + 8 <= tail.length
      ? tail.subarray(tail.length - 8 - footerLength, tail.length - 8)
      : await source.read(source.size - 8 - footerLength, footerLength);
  try {
    const meta = readFileMetaData(footer);
    const root = schemaTree(meta.elements);
    const columns = topLevel(root);
    checkDecimals(columns, source.name);
    checkIntegers(root, source.name);
    checkBounds(root, meta.bounds, source.name);
    return {
      columns,
      rows: meta.rows > 0 ? meta.rows : meta.groupRows,
      rowGroups: meta.rowGroups,
      ...(meta.createdBy ? { createdBy: meta.createdBy } : {}),
    };
  } catch (error) {
    if (error instanceof ParquetFormatError) throw error;
    if (error instanceof ThriftError) {
      throw new ParquetFormatError(
        `${source.name} has a corrupt footer (${error.message}); rewrite the file`,
        { cause: error },
      );
    }
    // A footer nested past the stack's depth is a hostile or broken file, not a crash.
    if (error instanceof RangeError) {
      throw new ParquetFormatError(
        `${source.name}: the Parquet footer is nested too deeply to read (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** A local file as a byte source. */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name: path,
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0)
          throw new ParquetFormatError(`${path} ended while reading bytes ${offset}–${offset + length}`);
        done += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

// PostgreSQL result sets in the Data API's shapes: typed `Field`s and `ColumnMetadata`, as
// GetStatementResult returns them. Values arrive from PostgreSQL as text (no client-side parsing).

/** One value of a record, exactly one member set (the Data API's `Field` union). */
export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string };

/** The Data API's `ColumnMetadata` (lower camel case, as on the wire). */
export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  length: number;
  precision: number;
  scale: number;
  isSigned: boolean;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  /** 0: no nulls, 1: nullable, 2: unknown (JDBC's convention, which the Data API follows). */
  nullable: number;
  schemaName: string;
  tableName: string;
}

/** The parts of node-postgres' field description used here. */
export interface PgField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

// PostgreSQL type OIDs → Redshift type names and the Field member their values travel in.
const TYPES: Record<
  number,
  { name: string; value: 'long' | 'double' | 'boolean' | 'string'; signed?: boolean }
> = {
  16: { name: 'bool', value: 'boolean' },
  20: { name: 'int8', value: 'long', signed: true },
  21: { name: 'int2', value: 'long', signed: true },
  23: { name: 'int4', value: 'long', signed: true },
  26: { name: 'oid', value: 'long' },
  700: { name: 'float4', value: 'double', signed: true },
  701: { name: 'float8', value: 'double', signed: true },
  1700: { name: 'numeric', value: 'string', signed: true },
  25: { name: 'text', value: 'string' },
  1042: { name: 'bpchar', value: 'string' },
  1043: { name: 'varchar', value: 'string' },
  19: { name: 'name', value: 'string' },
  1082: { name: 'date', value: 'string' },
  1083: { name: 'time', value: 'string' },
  1266: { name: 'timetz', value: 'string' },
  1114: { name: 'timestamp', value: 'string' },
  1184: { name: 'timestamptz', value: 'string' },
  // SUPER columns are jsonb here; their values are JSON text, as the Data API returns SUPER.
  3802: { name: 'super', value: 'string' },
  114: { name: 'super', value: 'string' },
  17: { name: 'varbyte', value: 'string' },
};

function typeOf(oid: number) {
  return TYPES[oid] ?? { name: `oid:${oid}`, value: 'string' as const };
}

/** Column metadata for a result set. */
export function columnMetadata(fields: readonly PgField[]): ColumnMetadata[] {
  return fields.map((field) => {
    const type = typeOf(field.dataTypeID);
    const modifier = field.dataTypeModifier;
    let length = 0;
    let precision = 0;
    let scale = 0;
    if ((field.dataTypeID === 1043 || field.dataTypeID === 1042) && modifier > 4) {
      length = modifier - 4;
      precision = length;
    } else if (field.dataTypeID === 1700 && modifier > 4) {
      precision = ((modifier - 4) >> 16) & 0xffff;
      scale = (modifier - 4) & 0xffff;
    }
    return {
      name: field.name,
      label: field.name,
      typeName: type.name,
      length,
      precision,
      scale,
      isSigned: type.signed === true,
      isCaseSensitive: type.value === 'string',
      isCurrency: false,
      nullable: 2,
      schemaName: '',
      tableName: '',
    };
  });
}

/** One record's values as Fields, in column order. */
export function toFields(fields: readonly PgField[], row: readonly (string | null)[]): Field[] {
  return fields.map((field, index) => {
    const value = row[index];
    if (value === null || value === undefined) return { isNull: true };
    switch (typeOf(field.dataTypeID).value) {
      case 'boolean':
        return { booleanValue: value === 't' || value === 'true' };
      case 'long':
        return { longValue: Number(value) };
      case 'double':
        return { doubleValue: Number(value) };
      default:
        return { stringValue: value };
    }
  });
}

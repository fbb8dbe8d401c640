// A reader for Thrift's compact protocol, just enough to decode a Parquet footer (FileMetaData).
// Fields are visited by id; whatever a caller does not ask for is skipped by type.
import { LoaderError } from '../errors.js';

/** Compact-protocol type ids. */
export const Kind = {
  Stop: 0,
  True: 1,
  False: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Bytes that are not valid compact Thrift: the same bytes fail again, so it is terminal. */
export class ThriftError extends LoaderError {
  override name = 'ThriftError';
  static override readonly tip: string =
    'The Parquet footer is corrupt (not valid Thrift): re-export the file and upload it again.';
}

export class CompactReader {
  #offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  #byte(): number {
    const value = this.bytes[this.#offset];
    if (value === undefined) throw new ThriftError(`unexpected end of data at byte ${this.#offset}`);
    this.#offset += 1;
    return value;
  }

  #varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.#byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ThriftError('varint longer than 64 bits');
    }
  }

  #zigzag(): bigint {
    const raw = this.#varint();
    return (raw >> 1n) ^ -(raw & 1n);
  }

  int(): number {
    return Number(this.#zigzag());
  }

  /** An i64 as a number; Parquet row counts and sizes stay far below 2^53. */
  long(): number {
    return Number(this.#zigzag());
  }

  byteValue(): number {
    const value = this.#byte();
    return value > 127 ? value - 256 : value;
  }

  binary(): Uint8Array {
    const length = Number(this.#varint());
    if (this.#offset + length > this.bytes.length)
      throw new ThriftError(`a ${length}-byte string runs past the end of the data`);
    const value = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.binary());
  }

  /** Calls `onField(id, kind)` for each field of a struct; the callback must consume the value. */
  struct(onField: (id: number, kind: Kind) => void): void {
    let lastId = 0;
    for (;;) {
      const header = this.#byte();
      const kind = (header & 0x0f) as Kind;
      if (kind === Kind.Stop) return;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.#zigzag()) : lastId + delta;
      lastId = id;
      onField(id, kind);
    }
  }

  /** Elements of a list; booleans inside collections are one byte each. */
  list(onElement: (kind: Kind, index: number) => void): void {
    const header = this.#byte();
    const kind = (header & 0x0f) as Kind;
    const size = header >> 4 === 15 ? Number(this.#varint()) : header >> 4;
    for (let index = 0; index < size; index++) onElement(kind, index);
  }

  /** A boolean field's value lives in its header kind. */
  static bool(kind: Kind): boolean {
    return kind === Kind.True;
  }

  skipValue(kind: Kind): void {
    switch (kind) {
      case Kind.True:
      case Kind.False:
        return;
      case Kind.Byte:
        this.#byte();
        return;
      case Kind.I16:
      case Kind.I32:
      case Kind.I64:
        this.#varint();
        return;
      case Kind.Double:
        this.#offset += 8;
        return;
      case Kind.Binary:
        this.binary();
        return;
      case Kind.List:
      case Kind.Set:
        this.list((element) => this.#skipElement(element));
        return;
      case Kind.Map: {
        const size = Number(this.#varint());
        if (size === 0) return;
        const types = this.#byte();
        for (let i = 0; i < size; i++) {
          this.#skipElement((types >> 4) as Kind);
          this.#skipElement((types & 0x0f) as Kind);
        }
        return;
      }
      case Kind.Struct:
        this.struct((_, field) => this.skipValue(field));
        return;
      default:
        throw new ThriftError(`unknown compact type ${kind}`);
    }
  }

  #skipElement(kind: Kind): void {
    if (kind === Kind.True || kind === Kind.False) this.#byte();
    else this.skipValue(kind);
  }
}

// A DuckDB data chunk written column by column in DuckDB's own vector layout, then copied into
// the chunk with one native call per column.
//
// Why by hand: the row appender makes a native call per cell (and a BigInt plus a value object
// per timestamp), and the library's vector classes make one native call per string when they
// flush. Ingest writes two chunk rows per read, so those calls were ~15 % of its CPU (bench
// profile). Here numbers go into typed arrays, strings of at most 12 ASCII bytes (camera ids,
// kinds, plates, area ids, read ids) are laid out inline as DuckDB's 16-byte string_t, and
// only longer or non-ASCII strings take a native call each.

import { createRequire } from 'node:module';
import { DuckDBDataChunk, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';

// The bindings module node-api itself loaded: vectors from one native module instance must not
// be handed to another.
const bindings = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'))('@duckdb/node-bindings') as {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  copy_data_to_vector(vector: unknown, offset: number, buffer: ArrayBuffer, byteOffset: number, byteCount: number): void;
  vector_assign_string_element(vector: unknown, index: number, s: string): void;
  vector_ensure_validity_writable(vector: unknown): void;
  copy_data_to_vector_validity(vector: unknown, offset: number, buffer: ArrayBuffer, byteOffset: number, byteCount: number): void;
};

/** DuckDB's vector size: a chunk holds at most this many rows. */
export const CHUNK_ROWS = 2048;
const TWO_32 = 2 ** 32;
/** Longest string DuckDB keeps inline in its 16-byte string_t (length + 12 bytes). */
const INLINE_BYTES = 12;

abstract class Column {
  private nulls: Uint32Array<ArrayBuffer> | null = null;
  /** The column's values in DuckDB's vector layout, copied into the vector by finish(). */
  protected readonly buffer: ArrayBuffer;

  constructor(
    protected readonly vector: unknown,
    protected readonly rows: number,
    width: number,
  ) {
    this.buffer = new ArrayBuffer(rows * width);
  }

  setNull(i: number): void {
    // DuckDB's validity mask: one bit per row, 1 = valid, in little-endian 64-bit words.
    this.nulls ??= new Uint32Array(new ArrayBuffer(Math.ceil(this.rows / 64) * 8)).fill(0xffffffff);
    this.nulls[i >>> 5] &= ~(1 << (i & 31));
  }

  finish(): void {
    bindings.copy_data_to_vector(this.vector, 0, this.buffer, 0, this.buffer.byteLength);
    if (this.nulls === null) return;
    bindings.vector_ensure_validity_writable(this.vector);
    bindings.copy_data_to_vector_validity(this.vector, 0, this.nulls.buffer, 0, this.nulls.byteLength);
  }
}

/** BIGINT, or TIMESTAMP(TZ) in microseconds: exact for integers below 2^53. */
export class Int64Column extends Column {
  private readonly words: Uint32Array;
  constructor(vector: unknown, rows: number) {
    super(vector, rows, 8);
    this.words = new Uint32Array(this.buffer);
  }
  set(i: number, value: number): void {
    const hi = Math.floor(value / TWO_32);
    this.words[2 * i] = value - hi * TWO_32;
    this.words[2 * i + 1] = hi; // a negative hi wraps to its two's complement
  }
}

class TypedColumn<A extends Float64Array | Float32Array | Int32Array> extends Column {
  protected readonly items: A;
  constructor(vector: unknown, rows: number, make: (b: ArrayBuffer) => A, width: number) {
    super(vector, rows, width);
    this.items = make(this.buffer);
  }
  set(i: number, value: number | null | undefined): void {
    if (value === null || value === undefined) this.setNull(i);
    else this.items[i] = value;
  }
}

export class Float64Column extends TypedColumn<Float64Array> {
  constructor(vector: unknown, rows: number) {
    super(vector, rows, (b) => new Float64Array(b), 8);
  }
}
export class Float32Column extends TypedColumn<Float32Array> {
  constructor(vector: unknown, rows: number) {
    super(vector, rows, (b) => new Float32Array(b), 4);
  }
}
export class Int32Column extends TypedColumn<Int32Array> {
  constructor(vector: unknown, rows: number) {
    super(vector, rows, (b) => new Int32Array(b), 4);
  }
}

export class VarcharColumn extends Column {
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  /** Strings DuckDB must copy into its own heap: assigned one by one after the copy. */
  private readonly long: Array<[number, string]> = [];
  constructor(vector: unknown, rows: number) {
    super(vector, rows, 16);
    this.bytes = new Uint8Array(this.buffer);
    this.words = new Uint32Array(this.buffer);
  }
  set(i: number, s: string | null | undefined): void {
    if (s === null || s === undefined) {
      this.setNull(i);
      return;
    }
    const n = s.length;
    if (n <= INLINE_BYTES) {
      // Inline string_t: uint32 length, then the bytes, zero-padded (the buffer starts zeroed,
      // and DuckDB compares the padding).
      const base = 16 * i + 4;
      let j = 0;
      for (; j < n; j++) {
        const c = s.charCodeAt(j);
        if (c > 0x7f) break;
        this.bytes[base + j] = c;
      }
      if (j === n) {
        this.words[4 * i] = n;
        return;
      }
      this.bytes.fill(0, base, base + j);
    }
    this.long.push([i, s]);
  }
  override finish(): void {
    super.finish();
    for (const [i, s] of this.long) bindings.vector_assign_string_element(this.vector, i, s);
  }
}

/** One chunk of at most CHUNK_ROWS rows; `column(k, Kind)` gives column k's writer. */
export class ColumnChunk {
  private readonly columns: Column[] = [];
  private readonly chunk: DuckDBDataChunk;

  constructor(
    types: readonly DuckDBType[],
    readonly rows: number,
  ) {
    if (rows > CHUNK_ROWS) throw new Error(`a chunk holds at most ${CHUNK_ROWS} rows, not ${rows}`);
    this.chunk = DuckDBDataChunk.create([...types], rows);
  }

  column<C extends Column>(index: number, Kind: new (vector: unknown, rows: number) => C): C {
    const raw = (this.chunk as unknown as { chunk: unknown }).chunk;
    const c = new Kind(bindings.data_chunk_get_vector(raw, index), this.rows);
    this.columns.push(c);
    return c;
  }

  appendTo(appender: DuckDBAppender): void {
    for (const c of this.columns) c.finish();
    appender.appendDataChunk(this.chunk);
  }
}

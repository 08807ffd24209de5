// Copied from @shrinkray/eval-gsm8k (packages may not import each other's test fixtures).
// A minimal Parquet writer for tests (no writer is a dependency): one row group, REQUIRED UTF-8
// columns, one uncompressed PLAIN data page each, metadata in Thrift compact encoding.

enum T {
  I32 = 5,
  I64 = 6,
  BINARY = 8,
  LIST = 9,
  STRUCT = 12,
}

class Compact {
  readonly bytes: number[] = [];
  private readonly lastField: number[] = [0];

  private varint(n: number): void {
    while (n >= 0x80) {
      this.bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.bytes.push(n);
  }
  private zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }
  private field(id: number, type: number): void {
    const last = this.lastField.length - 1;
    this.bytes.push(((id - this.lastField[last]) << 4) | type);
    this.lastField[last] = id;
  }
  int(id: number, type: T.I32 | T.I64, v: number): this {
    this.field(id, type);
    this.zigzag(v);
    return this;
  }
  str(id: number, s: string): this {
    this.field(id, T.BINARY);
    this.rawStr(s);
    return this;
  }
  rawStr(s: string): void {
    const b = new TextEncoder().encode(s);
    this.varint(b.length);
    this.bytes.push(...b);
  }
  rawInt(v: number): void {
    this.zigzag(v);
  }
  list(id: number, type: T, n: number): this {
    this.field(id, T.LIST);
    this.bytes.push((n << 4) | type);
    return this;
  }
  struct(id: number | null, body: (c: this) => void): this {
    if (id !== null) this.field(id, T.STRUCT);
    this.lastField.push(0);
    body(this);
    this.bytes.push(0);
    this.lastField.pop();
    return this;
  }
}

export function tinyParquet(columns: string[], rows: Record<string, string>[]): Uint8Array {
  const parts: number[] = [..."PAR1"].map((c) => c.charCodeAt(0));
  const chunks: { offset: number; size: number }[] = [];
  for (const col of columns) {
    const data: number[] = [];
    for (const row of rows) {
      const b = new TextEncoder().encode(row[col]);
      data.push(b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b);
    }
    const header = new Compact()
      .int(1, T.I32, 0)
      .int(2, T.I32, data.length)
      .int(3, T.I32, data.length)
      .struct(5, (c) => c.int(1, T.I32, rows.length).int(2, T.I32, 0).int(3, T.I32, 3).int(4, T.I32, 3));
    header.bytes.push(0);
    chunks.push({ offset: parts.length, size: header.bytes.length + data.length });
    parts.push(...header.bytes, ...data);
  }
  const meta = new Compact().int(1, T.I32, 1).list(2, T.STRUCT, columns.length + 1);
  meta.struct(null, (c) => c.str(4, "schema").int(5, T.I32, columns.length));
  for (const col of columns)
    meta.struct(null, (c) => c.int(1, T.I32, 6).int(3, T.I32, 0).str(4, col).int(6, T.I32, 0));
  meta.int(3, T.I64, rows.length).list(4, T.STRUCT, 1);
  meta.struct(null, (rg) => {
    rg.list(1, T.STRUCT, columns.length);
    columns.forEach((col, i) => {
      const { offset, size } = chunks[i];
      rg.struct(null, (cc) =>
        cc.int(2, T.I64, offset).struct(3, (md) => {
          md.int(1, T.I32, 6).list(2, T.I32, 1);
          md.rawInt(0);
          md.list(3, T.BINARY, 1);
          md.rawStr(col);
          md.int(4, T.I32, 0)
            .int(5, T.I64, rows.length)
            .int(6, T.I64, size)
            .int(7, T.I64, size)
            .int(9, T.I64, offset);
        }),
      );
    });
    rg.int(
      2,
      T.I64,
      chunks.reduce((s, c) => s + c.size, 0),
    ).int(3, T.I64, rows.length);
  });
  meta.bytes.push(0);
  const len = meta.bytes.length;
  parts.push(
    ...meta.bytes,
    len & 0xff,
    (len >> 8) & 0xff,
    (len >> 16) & 0xff,
    len >>> 24,
    ..."PAR1".split("").map((c) => c.charCodeAt(0)),
  );
  return Uint8Array.from(parts);
}

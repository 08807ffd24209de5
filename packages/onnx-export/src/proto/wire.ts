/**
 * Protobuf wire encoding, the part ONNX needs: varints, length-delimited fields and fixed32
 * floats. A message is a list of chunks, so a large inline tensor is copied once, when the
 * message is finished, not pushed byte by byte. No protobuf library: ONNX's messages are few
 * and only ever written here, never read, so a schema compiler would be more code than this.
 */

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private small: number[] = [];
  private length = 0;

  get size(): number {
    return this.length;
  }

  private flush(): void {
    if (this.small.length) {
      this.chunks.push(Uint8Array.from(this.small));
      this.small = [];
    }
  }

  private byte(b: number): void {
    this.small.push(b);
    this.length++;
  }

  private varint(v: number | bigint): void {
    let x = BigInt(v);
    // Negative int64 values are ten-byte two's complement varints, as protobuf writes them.
    if (x < 0n) x += 1n << 64n;
    while (x >= 0x80n) {
      this.byte(Number((x & 0x7fn) | 0x80n));
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    for (const b of new Uint8Array(new Float32Array([v]).buffer)) this.byte(b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(data.length);
    if (data.length < 256) {
      for (const b of data) this.byte(b);
      return this;
    }
    this.flush();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A nested message, written by `build` into a writer of its own. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * A minimal ONNX ModelProto writer: just enough protobuf to describe a small graph with
 * symbolic dimensions and constant initializers. We build tiny graphs (a MatMul, a layer's
 * MatMulNBits with its packed weight baked in) at run time and hand the bytes to onnxruntime,
 * which saves shipping .onnx files or depending on a protobuf library.
 */

export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT32 = 6;
export const ONNX_DOUBLE = 11;

/**
 * Protobuf bytes as a list of chunks: a packed weight of tens of megabytes is written as one
 * chunk (copied once, at finish), not pushed byte by byte.
 */
class Writer {
  private chunks: Uint8Array[] = [];
  private small: number[] = [];
  private size = 0;
  private flush(): void {
    if (this.small.length) {
      this.chunks.push(Uint8Array.from(this.small));
      this.small = [];
    }
  }
  private push(b: number): void {
    this.small.push(b);
    this.size++;
  }
  varint(v: number | bigint): this {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    while (x >= 0x80n) {
      this.push(Number((x & 0x7fn) | 0x80n));
      x >>= 7n;
    }
    this.push(Number(x));
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    for (const b of new Uint8Array(new Float32Array([v]).buffer)) this.push(b);
    return this;
  }
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    if (data.length < 256) {
      for (const b of data) this.push(b);
      return this;
    }
    this.flush();
    this.chunks.push(data);
    this.size += data.length;
    return this;
  }
  str(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  msg(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytesField(field, w.finish());
  }
  finish(alloc: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = alloc(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: number;
  dims: Dim[];
}

export type Attribute = { name: string; int: number } | { name: string; float: number };

export interface NodeSpec {
  opType: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

/** A constant baked into the graph (ORT prepacks weights it knows to be constant). */
export interface Initializer {
  name: string;
  elemType: number;
  dims: number[];
  /** Little-endian element bytes. */
  data: ArrayBufferView;
}

function valueInfo(w: Writer, v: ValueInfo): void {
  w.str(1, v.name);
  w.msg(2, (t) =>
    t.msg(1, (tt) => {
      tt.int(1, v.elemType);
      tt.msg(2, (shape) => {
        for (const d of v.dims)
          shape.msg(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.str(2, d)));
      });
    }),
  );
}

function tensorProto(w: Writer, t: Initializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.elemType);
  w.str(8, t.name);
  w.bytesField(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

export function buildModel(
  nodes: NodeSpec[],
  inputs: ValueInfo[],
  outputs: ValueInfo[],
  initializers: Initializer[] = [],
  /** Where the model's bytes go (a big weight's model is tens of megabytes: a pooled buffer, say). */
  alloc?: (bytes: number) => Uint8Array,
): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.str(2, "shrinkray");
  w.msg(7, (g) => {
    for (const [i, n] of nodes.entries()) {
      g.msg(1, (nw) => {
        for (const x of n.inputs) nw.str(1, x);
        for (const y of n.outputs) nw.str(2, y);
        nw.str(3, `node${i}`);
        nw.str(4, n.opType);
        for (const a of n.attributes ?? []) {
          nw.msg(5, (aw) => {
            aw.str(1, a.name);
            if ("int" in a) aw.int(3, a.int).int(20, 2);
            else aw.float(2, a.float).int(20, 1);
          });
        }
        if (n.domain) nw.str(7, n.domain);
      });
    }
    g.str(2, "g");
    for (const t of initializers) g.msg(5, (tw) => tensorProto(tw, t));
    for (const v of inputs) g.msg(11, (vw) => valueInfo(vw, v));
    for (const v of outputs) g.msg(12, (vw) => valueInfo(vw, v));
  });
  w.msg(8, (o) => o.str(1, "").int(2, 17));
  w.msg(8, (o) => o.str(1, "com.microsoft").int(2, 1));
  return w.finish(alloc);
}

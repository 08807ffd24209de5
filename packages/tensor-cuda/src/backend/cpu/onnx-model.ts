/**
 * A minimal ONNX ModelProto writer: just enough protobuf to describe a one-node graph with
 * symbolic dimensions. We build tiny graphs (a MatMul, say) at run time and hand the bytes to
 * onnxruntime, which saves shipping .onnx files or depending on a protobuf library.
 */

export const ONNX_FLOAT = 1;
export const ONNX_DOUBLE = 11;

class Writer {
  private bytes: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    while (x >= 0x80n) {
      this.bytes.push(Number((x & 0x7fn) | 0x80n));
      x >>= 7n;
    }
    this.bytes.push(Number(x));
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
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(...b);
    return this;
  }
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
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
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
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

export function buildModel(nodes: NodeSpec[], inputs: ValueInfo[], outputs: ValueInfo[]): Uint8Array {
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
    for (const v of inputs) g.msg(11, (vw) => valueInfo(vw, v));
    for (const v of outputs) g.msg(12, (vw) => valueInfo(vw, v));
  });
  w.msg(8, (o) => o.str(1, "").int(2, 17));
  w.msg(8, (o) => o.str(1, "com.microsoft").int(2, 1));
  return w.finish();
}

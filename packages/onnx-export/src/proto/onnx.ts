/**
 * ONNX's ModelProto as plain objects, and their encoding (field numbers from onnx.proto). Only
 * what decoder graphs use: nodes with int/float/string/ints attributes, tensors inline or in an
 * external data file, value infos with symbolic dimensions, opset imports, metadata.
 */
import { ProtoWriter } from "./wire.js";

/** TensorProto.DataType. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: DataTypeCode;
  dims: Dim[];
}

export type AttributeValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: number[] }
  | { floats: number[] };

export interface Node {
  name: string;
  opType: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

/** Where an initializer's bytes are: inline, or a byte range of the external data file. */
export type TensorData = { raw: Uint8Array } | { location: string; offset: number; length: number };

export interface Initializer {
  name: string;
  type: DataTypeCode;
  dims: number[];
  data: TensorData;
}

export interface Model {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  graphName: string;
  docString?: string;
  nodes: Node[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata?: Record<string, string>;
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function attribute(w: ProtoWriter, name: string, v: AttributeValue): void {
  w.string(1, name);
  if ("int" in v) w.int(3, v.int).int(20, ATTR_INT);
  else if ("float" in v) w.float(2, v.float).int(20, ATTR_FLOAT);
  else if ("string" in v) w.string(4, v.string).int(20, ATTR_STRING);
  else if ("ints" in v) {
    for (const i of v.ints) w.int(8, i);
    w.int(20, ATTR_INTS);
  } else {
    for (const f of v.floats) w.float(7, f);
    w.int(20, ATTR_FLOATS);
  }
}

function node(w: ProtoWriter, n: Node): void {
  for (const x of n.inputs) w.string(1, x);
  for (const y of n.outputs) w.string(2, y);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (a) => attribute(a, k, v));
  if (n.domain) w.string(7, n.domain);
}

function tensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  w.string(8, t.name);
  if ("raw" in t.data) {
    w.bytes(9, t.data.raw);
    return;
  }
  const entries: [string, string][] = [
    ["location", t.data.location],
    ["offset", String(t.data.offset)],
    ["length", String(t.data.length)],
  ];
  for (const [k, v] of entries) w.message(13, (e) => e.string(1, k).string(2, v));
  w.int(14, 1); // data_location = EXTERNAL
}

function valueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, v.type);
      tt.message(2, (shape) => {
        for (const d of v.dims)
          shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

export function encodeModel(m: Model): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producer.name);
  w.string(3, m.producer.version);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (g) => {
    for (const n of m.nodes) g.message(1, (nw) => node(nw, n));
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (tw) => tensor(tw, t));
    for (const v of m.inputs) g.message(11, (vw) => valueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => valueInfo(vw, v));
  });
  for (const o of m.opsets) w.message(8, (ow) => ow.string(1, o.domain).int(2, o.version));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.string(1, k).string(2, v));
  return w.finish();
}

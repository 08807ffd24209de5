import type { BinaryOp, StridedView, UnaryOp } from "../backend.js";
import { buildModel, type NodeSpec, ONNX_FLOAT } from "./onnx-model.js";
import { OrtGraph } from "./ort-session.js";
import { hostEmpty } from "./pool.js";

/*
 * Large float32 unary ops through onnxruntime: its kernels are vectorised and use every core,
 * where the TypeScript loops run on one. Below ORT_MIN_ELEMENTS the fixed cost of a session run
 * (~20 µs) outweighs that, so small tensors stay in TypeScript. Measured on the 2-core reference
 * machine with 3.1M elements: GELU(tanh) 66 ms in TypeScript vs ~15 ms here.
 */
export const ORT_MIN_ELEMENTS = 1 << 16;

// Each op as a small graph from X to Y (com.microsoft's FastGelu is GPT-2's tanh GELU).
const GRAPHS: Partial<Record<UnaryOp, NodeSpec[]>> = {
  exp: [{ opType: "Exp", inputs: ["X"], outputs: ["Y"] }],
  log: [{ opType: "Log", inputs: ["X"], outputs: ["Y"] }],
  tanh: [{ opType: "Tanh", inputs: ["X"], outputs: ["Y"] }],
  sigmoid: [{ opType: "Sigmoid", inputs: ["X"], outputs: ["Y"] }],
  sqrt: [{ opType: "Sqrt", inputs: ["X"], outputs: ["Y"] }],
  gelu: [{ opType: "Gelu", domain: "com.microsoft", inputs: ["X"], outputs: ["Y"] }],
  gelu_tanh: [{ opType: "FastGelu", domain: "com.microsoft", inputs: ["X"], outputs: ["Y"] }],
  silu: [
    { opType: "Sigmoid", inputs: ["X"], outputs: ["S"] },
    { opType: "Mul", inputs: ["X", "S"], outputs: ["Y"] },
  ],
};

const sessions = new Map<UnaryOp, OrtGraph>();

export function ortUnarySupported(op: UnaryOp): boolean {
  return GRAPHS[op] !== undefined && process.env.SHRINKRAY_ORT_ELEMENTWISE !== "0";
}

export function ortUnary(op: UnaryOp, x: Float32Array): Float32Array {
  let s = sessions.get(op);
  if (!s) {
    s = new OrtGraph(
      buildModel(
        GRAPHS[op]!,
        [{ name: "X", elemType: ONNX_FLOAT, dims: ["n"] }],
        [{ name: "Y", elemType: ONNX_FLOAT, dims: ["n"] }],
      ),
    );
    sessions.set(op, s);
  }
  const out = hostEmpty("float32", x.length);
  s.run(
    { X: { type: "float32", data: x, dims: [x.length] } },
    { Y: { type: "float32", data: out, dims: [x.length] } },
  );
  return out;
}

const softmaxSessions = new Map<boolean, OrtGraph>();

/** Row-wise softmax (or log-softmax) of a [rows, cols] float32 matrix. */
export function ortSoftmax(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array {
  let s = softmaxSessions.get(log);
  if (!s) {
    s = new OrtGraph(
      buildModel(
        [
          {
            opType: log ? "LogSoftmax" : "Softmax",
            inputs: ["X"],
            outputs: ["Y"],
            attributes: [{ name: "axis", int: -1 }],
          },
        ],
        [{ name: "X", elemType: ONNX_FLOAT, dims: ["rows", "cols"] }],
        [{ name: "Y", elemType: ONNX_FLOAT, dims: ["rows", "cols"] }],
      ),
    );
    softmaxSessions.set(log, s);
  }
  const out = hostEmpty("float32", rows * cols);
  s.run(
    { X: { type: "float32", data: x, dims: [rows, cols] } },
    { Y: { type: "float32", data: out, dims: [rows, cols] } },
  );
  return out;
}

export function ortSoftmaxEnabled(): boolean {
  return process.env.SHRINKRAY_ORT_ELEMENTWISE !== "0";
}

const BINARY_ONNX: Partial<Record<BinaryOp, string>> = { add: "Add", sub: "Sub", mul: "Mul", div: "Div" };
const binarySessions = new Map<string, OrtGraph>();

/**
 * The dense shape a broadcast view reads (1 where it repeats), or null when the view is not a
 * plain broadcast of a whole contiguous storage (a slice, a permutation).
 */
function compactShape(v: StridedView, length: number): number[] | null {
  const shape = v.shape.map((d, i) => (v.strides[i] === 0 ? 1 : d));
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && v.strides[i] !== acc) return null;
    acc *= shape[i];
  }
  return v.offset === 0 && acc === length ? shape : null;
}

/**
 * Large float32 add/sub/mul/div through onnxruntime (vectorised, every core; numpy broadcasting
 * as ours), or null where the operands are not plain broadcasts of their storages. Measured on
 * the 2-core reference machine: a 10M-element multiply takes 33 ms in TypeScript, 10 ms here.
 */
export function ortBinary(
  op: BinaryOp,
  a: Float32Array,
  av: StridedView,
  b: Float32Array,
  bv: StridedView,
  outShape: readonly number[],
): Float32Array | null {
  const name = BINARY_ONNX[op];
  if (!name || process.env.SHRINKRAY_ORT_ELEMENTWISE === "0") return null;
  const sa = compactShape(av, a.length);
  const sb = compactShape(bv, b.length);
  if (!sa || !sb) return null;
  const r = outShape.length;
  const key = `${name}:${r}`;
  let s = binarySessions.get(key);
  if (!s) {
    const dims = (p: string) => Array.from({ length: r }, (_, i) => `${p}${i}`);
    s = new OrtGraph(
      buildModel(
        [{ opType: name, inputs: ["A", "B"], outputs: ["Y"] }],
        [
          { name: "A", elemType: ONNX_FLOAT, dims: dims("a") },
          { name: "B", elemType: ONNX_FLOAT, dims: dims("b") },
        ],
        [{ name: "Y", elemType: ONNX_FLOAT, dims: dims("y") }],
      ),
    );
    binarySessions.set(key, s);
  }
  let n = 1;
  for (const d of outShape) n *= d;
  const out = hostEmpty("float32", n);
  s.run(
    {
      A: { type: "float32", data: a, dims: sa },
      B: { type: "float32", data: b, dims: sb },
    },
    { Y: { type: "float32", data: out, dims: outShape } },
  );
  return out;
}

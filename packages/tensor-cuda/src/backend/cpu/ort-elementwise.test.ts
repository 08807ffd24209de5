import { afterEach, describe, expect, it } from "vitest";
import { Generator, Tensor } from "../../index.js";
import type { UnaryOp } from "../backend.js";
import { cpuBackend } from "./index.js";
import { ORT_MIN_ELEMENTS } from "./ort-elementwise.js";
import { CpuStorage } from "./storage.js";

// Large tensors take onnxruntime's kernels; they must agree with the TypeScript ones.
const n = ORT_MIN_ELEMENTS + 123;
const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 6);
const pos = Float32Array.from(x, (v) => Math.abs(v) + 0.1);

function run<T>(ort: boolean, f: () => T): T {
  process.env.SHRINKRAY_ORT_ELEMENTWISE = ort ? "1" : "0";
  try {
    return f();
  } finally {
    delete process.env.SHRINKRAY_ORT_ELEMENTWISE;
  }
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return e;
}

afterEach(() => {
  delete process.env.SHRINKRAY_ORT_ELEMENTWISE;
});

describe("onnxruntime element-wise kernels for large tensors", () => {
  for (const op of ["exp", "log", "tanh", "sigmoid", "sqrt", "gelu", "gelu_tanh", "silu"] as UnaryOp[]) {
    it(`${op} matches the TypeScript kernel`, () => {
      const input = new CpuStorage("float32", op === "log" || op === "sqrt" ? pos : x);
      const viaOrt = run(true, () => cpuBackend.readSync!(cpuBackend.unary(op, input)) as Float32Array);
      const viaTs = run(false, () => cpuBackend.readSync!(cpuBackend.unary(op, input)) as Float32Array);
      expect(maxRel(viaOrt, viaTs)).toBeLessThan(2e-6);
    });
  }

  for (const [log, causal] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`${log ? "log-" : ""}softmax${causal ? " with a causal mask" : ""} matches the TypeScript kernel`, () => {
      const cols = 300;
      const rows = Math.ceil(ORT_MIN_ELEMENTS / cols);
      const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.11) * 4);
      const spec = { rows, cols, log, ...(causal ? { causal: { queries: cols, offset: 0 } } : {}) };
      const s = new CpuStorage("float32", data);
      const a = run(true, () => cpuBackend.readSync!(cpuBackend.softmax(s, spec)) as Float32Array);
      const b = run(false, () => cpuBackend.readSync!(cpuBackend.softmax(s, spec)) as Float32Array);
      expect(maxRel(a, b)).toBeLessThan(2e-6);
    });
  }
});

describe("large binary ops through onnxruntime", () => {
  const n = 1 << 17;
  const g = new Generator(5);
  const a = Tensor.randn([4, n / 4], { generator: g });
  const b = Tensor.randn([4, n / 4], { generator: g }).add(3);
  const row = Tensor.randn([n / 4], { generator: g });
  const col = Tensor.randn([4, 1], { generator: g });
  const jsOnly = <T>(fn: () => T): T => {
    process.env.SHRINKRAY_ORT_ELEMENTWISE = "0";
    try {
      return fn();
    } finally {
      delete process.env.SHRINKRAY_ORT_ELEMENTWISE;
    }
  };
  for (const op of ["add", "sub", "mul", "div"] as const) {
    it(`${op}: the same numbers as the TypeScript loops, broadcasting included`, () => {
      for (const [x, y] of [
        [a, b],
        [a, row],
        [col, a],
        [a, Tensor.scalar(0.5)],
        // a strided (sliced) operand is not a plain broadcast: it takes the TypeScript path
        [a.slice(1, 0, n / 8), b.slice(1, n / 8)],
      ] as const) {
        const got = x[op](y).dataSync() as Float32Array;
        const want = jsOnly(() => x[op](y).dataSync() as Float32Array);
        expect(got.length).toBe(want.length);
        let same = true;
        for (let i = 0; i < got.length && same; i++) same = Object.is(got[i], want[i]);
        expect(same).toBe(true);
      }
    });
  }
});

import { byteSize, type DType } from "../../../../dtype.js";
import { numel } from "../../../../shape.js";
import type { AdamWHyper, BinaryOp, Storage, StridedView, UnaryGradOp, UnaryOp } from "../../../backend.js";
import { castArray } from "../../../cpu/cast.js";
import { isContiguous } from "../../../strided-view.js";
import type { CudaContext } from "../../context.js";
import { index3 } from "../../index3.js";
import type { CudaStorage } from "../../storage.js";
import { byteSuffix, floatSuffix, isFloatDType, numericSuffix } from "../../suffixes.js";
import { BINARY_CODES, DTYPE_CODES, UNARY_CODES, UNARY_GRAD_CODES } from "./elementwise.abi.js";

/* Element-wise primitives: unary, binary with broadcasting, where, casts, fills, AdamW. */

const COMPARE = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

export class ElementwiseOps {
  constructor(private readonly c: CudaContext) {}

  zeros(dtype: DType, length: number): CudaStorage {
    const out = this.c.alloc(dtype, length);
    this.c.driver.memset(out.address(), 0, length * byteSize(dtype));
    return out;
  }

  full(dtype: DType, length: number, value: number): CudaStorage {
    const out = this.c.alloc(dtype, length);
    // The element's bit pattern is made on the host by the CPU cast, so rounding (float16,
    // bfloat16) and truncation (integers) are the CPU backend's exactly.
    const one = castArray(Float64Array.of(value), "float64", dtype);
    const bytes = new DataView(one.buffer, one.byteOffset, one.byteLength);
    const size = byteSize(dtype);
    const bits =
      size === 1
        ? bytes.getUint8(0)
        : size === 2
          ? bytes.getUint16(0, true)
          : size === 4
            ? bytes.getUint32(0, true)
            : bytes.getBigUint64(0, true);
    this.c.launch1d(`fill_${byteSuffix(dtype)}`, length, [out.address(), bits, length]);
    return out;
  }

  cast(x: Storage, to: DType): CudaStorage {
    const out = this.c.alloc(to, x.length);
    if (x.dtype === to) {
      this.c.driver.copyOnDevice(out.address(), this.c.ptr(x), x.length * byteSize(to));
      return out;
    }
    this.c.launch1d("cast_any", x.length, [
      DTYPE_CODES[x.dtype],
      DTYPE_CODES[to],
      this.c.ptr(x),
      out.address(),
      x.length,
    ]);
    return out;
  }

  /** `x` as `dtype`: itself when it already is, else a temporary the caller disposes. */
  private as(x: Storage, dtype: DType): { s: Storage; temp: boolean } {
    return x.dtype === dtype ? { s: x, temp: false } : { s: this.cast(x, dtype), temp: true };
  }

  unary(op: UnaryOp, x: Storage): CudaStorage {
    if (op === "logical_not") {
      if (x.dtype === "bool" || x.dtype === "uint8") {
        const out = this.c.alloc("bool", x.length);
        this.c.launch1d("unary_u8", x.length, [UNARY_CODES[op], this.c.ptr(x), out.address(), x.length]);
        return out;
      }
      // In x's own type first: NaN is falsy there (not-NaN = 1), as on the CPU; a cast to bool
      // first would call NaN true.
      const inType = this.unaryKernel(op, x);
      const out = this.cast(inType, "bool");
      inType.dispose();
      return out;
    }
    return this.unaryKernel(op, x);
  }

  private unaryKernel(op: UnaryOp, x: Storage): CudaStorage {
    const t = numericSuffix(op, x);
    const out = this.c.alloc(x.dtype, x.length);
    this.c.launch1d(`unary_${t}`, x.length, [UNARY_CODES[op], this.c.ptr(x), out.address(), x.length]);
    return out;
  }

  unaryGrad(op: UnaryGradOp, x: Storage, g: Storage): CudaStorage {
    const t = floatSuffix(`${op} backward`, x);
    const gg = this.as(g, x.dtype);
    const out = this.c.alloc(x.dtype, x.length);
    this.c.launch1d(`unary_grad_${t}`, x.length, [
      UNARY_GRAD_CODES[op],
      this.c.ptr(x),
      this.c.ptr(gg.s),
      out.address(),
      x.length,
    ]);
    if (gg.temp) gg.s.dispose();
    return out;
  }

  powScalar(x: Storage, exponent: number): CudaStorage {
    if (!isFloatDType(x.dtype)) {
      // Integer powers are rare: compute in float64 and truncate back, as the CPU's typed arrays do.
      const f = this.cast(x, "float64");
      const y = this.powScalar(f, exponent);
      const out = this.cast(y, x.dtype);
      f.dispose();
      y.dispose();
      return out;
    }
    const out = this.c.alloc(x.dtype, x.length);
    this.c.launch1d(`pow_scalar_${floatSuffix("pow", x)}`, x.length, [
      this.c.ptr(x),
      out.address(),
      exponent,
      x.length,
    ]);
    return out;
  }

  clamp(x: Storage, min: number, max: number): CudaStorage {
    const t = numericSuffix("clamp", x);
    const out = this.c.alloc(x.dtype, x.length);
    this.c.launch1d(`clamp_${t}`, x.length, [this.c.ptr(x), out.address(), min, max, x.length]);
    return out;
  }

  binary(
    op: BinaryOp,
    a: Storage,
    av: StridedView,
    b: Storage,
    bv: StridedView,
    outShape: readonly number[],
  ): CudaStorage {
    const t = numericSuffix(op, a);
    // Mixed dtypes compute in a's dtype, as the CPU backend writes a's dtype.
    const bb = this.as(b, a.dtype);
    const compare = COMPARE.has(op);
    const n = numel(outShape);
    const out = this.c.alloc(compare ? "bool" : a.dtype, n);
    const family = compare ? "compare" : "binary";
    if (isContiguous(av) && isContiguous(bv)) {
      this.c.launch1d(`${family}_${t}`, n, [
        BINARY_CODES[op],
        this.c.ptr(a, av.offset),
        this.c.ptr(bb.s, bv.offset),
        out.address(),
        n,
      ]);
    } else {
      this.c.launch1d(`${family}_strided_${t}`, n, [
        BINARY_CODES[op],
        this.c.ptr(a),
        this.c.ptr(bb.s),
        out.address(),
        index3([av, bv]),
      ]);
    }
    if (bb.temp) bb.s.dispose();
    return out;
  }

  where(
    cond: Storage,
    cv: StridedView,
    a: Storage,
    av: StridedView,
    b: Storage,
    bv: StridedView,
    outShape: readonly number[],
  ): CudaStorage {
    const cc =
      cond.dtype === "bool" || cond.dtype === "uint8" ? { s: cond, temp: false } : this.as(cond, "bool");
    const bb = this.as(b, a.dtype);
    const n = numel(outShape);
    const out = this.c.alloc(a.dtype, n);
    this.c.launch1d(`where_${byteSuffix(a.dtype)}`, n, [
      this.c.ptr(cc.s),
      this.c.ptr(a),
      this.c.ptr(bb.s),
      out.address(),
      index3([cv, av, bv]),
    ]);
    if (cc.temp) cc.s.dispose();
    if (bb.temp) bb.s.dispose();
    return out;
  }

  adamwStep(p: Storage, g: Storage, m: Storage, v: Storage, h: AdamWHyper): void {
    const t = floatSuffix("adamw", p);
    for (const [name, s] of [
      ["grad", g],
      ["exp_avg", m],
      ["exp_avg_sq", v],
    ] as const) {
      if (s.dtype !== p.dtype || s.length !== p.length) {
        throw new TypeError(
          `adamw: ${name} is ${s.dtype}[${s.length}], the parameter ${p.dtype}[${p.length}]`,
        );
      }
    }
    const bc1 = 1 - h.beta1 ** h.step;
    const bc2 = 1 - h.beta2 ** h.step;
    this.c.launch1d(`adamw_${t}`, p.length, [
      this.c.ptr(p),
      this.c.ptr(g),
      this.c.ptr(m),
      this.c.ptr(v),
      p.length,
      h.beta1,
      h.beta2,
      h.eps,
      1 - h.lr * h.weightDecay,
      h.lr / bc1,
      Math.sqrt(bc2),
    ]);
  }
}

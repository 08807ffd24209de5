import type { GptqMatmulSpec, QuantGridSpec, Storage } from "../../../backend.js";
import type { CudaContext } from "../../context.js";
import type { CudaStorage } from "../../storage.js";
import { reduce } from "../reduce/reduce.launch.js";

/*
 * The quantization kernels behind Backend.quant: GPTQ dequantization and the packed decoding
 * GEMV, the min-max grid, and fake quantization with its STE mask and LSQ step gradient.
 */

/** GEMV_MAX_ROWS and GEMV_CHUNK of quant.cu's gptq_gemv_f32. */
export const GEMV_MAX_ROWS = 8;
const GEMV_CHUNK = 256;

export class QuantOps {
  constructor(
    private readonly c: CudaContext,
    private readonly ew: {
      cast(s: Storage, to: Storage["dtype"]): CudaStorage;
      zeros(dtype: Storage["dtype"], n: number): CudaStorage;
    },
  ) {}

  dequantizeGptq(
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: { inFeatures: number; outFeatures: number; groups: number; bits: number },
  ): CudaStorage {
    for (const [name, s] of [
      ["qweight", qweight],
      ["qzeros", qzeros],
      ["g_idx", gIdx],
    ] as const) {
      if (s.dtype !== "int32") throw new TypeError(`dequantize_gptq: ${name} must be int32, got ${s.dtype}`);
    }
    const sc = scales.dtype === "float32" ? scales : this.ew.cast(scales, "float32");
    const n = spec.inFeatures * spec.outFeatures;
    const wt = this.c.alloc("float32", n);
    this.c.launch1d("dequant_gptq_f32", n, [
      this.c.ptr(qweight),
      this.c.ptr(qzeros),
      this.c.ptr(sc),
      this.c.ptr(gIdx),
      wt.address(),
      spec.inFeatures,
      spec.outFeatures,
      spec.groups,
      spec.bits,
      this.c.errorPointer,
    ]);
    if (sc !== scales) sc.dispose();
    return wt;
  }

  /**
   * x [rows ≤ 8, in] · Wᵀ with W read from the packed GPTQ buffers as it goes (decoding): per K
   * chunk of 256 inputs a partial sum, then one reduction over the chunks.
   */
  gptqMatmul(
    x: Storage,
    qweight: Storage,
    qzeros: Storage,
    scales: Storage,
    gIdx: Storage,
    spec: GptqMatmulSpec,
  ): CudaStorage {
    const { rows, inFeatures, outFeatures } = spec;
    if (!(rows >= 1 && rows <= GEMV_MAX_ROWS)) {
      throw new RangeError(`gptq_matmul: takes 1 to ${GEMV_MAX_ROWS} rows, got ${rows}`);
    }
    for (const [name, s] of [
      ["qweight", qweight],
      ["qzeros", qzeros],
      ["g_idx", gIdx],
    ] as const) {
      if (s.dtype !== "int32") throw new TypeError(`gptq_matmul: ${name} must be int32, got ${s.dtype}`);
    }
    const xs = x.dtype === "float32" ? x : this.ew.cast(x, "float32");
    const sc = scales.dtype === "float32" ? scales : this.ew.cast(scales, "float32");
    const chunks = Math.ceil(inFeatures / GEMV_CHUNK);
    const partial = this.c.alloc("float32", chunks * rows * outFeatures);
    this.c.launch(
      "gptq_gemv_f32",
      [
        this.c.ptr(xs),
        this.c.ptr(qweight),
        this.c.ptr(qzeros),
        this.c.ptr(sc),
        this.c.ptr(gIdx),
        partial.address(),
        rows,
        inFeatures,
        outFeatures,
        spec.groups,
        spec.bits,
        this.c.errorPointer,
      ],
      [Math.ceil(outFeatures / 128), chunks, 1],
      [128, 1, 1],
    );
    if (xs !== x) xs.dispose();
    if (sc !== scales) sc.dispose();
    if (chunks === 1) return partial;
    const y = reduce(this.c, "sum", partial, 1, chunks, rows * outFeatures, (d, n) => this.ew.zeros(d, n));
    partial.dispose();
    return y;
  }

  private float32(s: Storage, what: string): void {
    if (s.dtype !== "float32") throw new TypeError(`${what} must be float32 on cuda, got ${s.dtype}`);
  }

  quantGrid(w: Storage, spec: QuantGridSpec): { scale: CudaStorage; zero: CudaStorage } {
    this.float32(w, "quant_grid: the weight");
    const n = spec.groups * spec.out;
    const scale = this.c.alloc("float32", n);
    const zero = this.c.alloc("float32", n);
    this.c.launch1d("quant_grid_f32", n, [
      this.c.ptr(w),
      scale.address(),
      zero.address(),
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.groups,
      spec.maxq,
      spec.sym ? 1 : 0,
    ]);
    return { scale, zero };
  }

  fakeQuant(
    w: Storage,
    scale: Storage,
    zero: Storage,
    spec: QuantGridSpec,
    withScaleGrad: boolean,
  ): { y: CudaStorage; mask: CudaStorage; ds: CudaStorage | null } {
    this.float32(w, "fake_quantize: the weight");
    this.float32(scale, "fake_quantize: the scale");
    this.float32(zero, "fake_quantize: the zero points");
    const n = spec.out * spec.inFeatures;
    const y = this.c.alloc("float32", n);
    const mask = this.c.alloc("bool", n);
    const ds = withScaleGrad ? this.c.alloc("float32", n) : null;
    this.c.launch1d("fake_quant_f32", n, [
      this.c.ptr(w),
      this.c.ptr(scale),
      this.c.ptr(zero),
      y.address(),
      mask.address(),
      ds ? ds.address() : 0n,
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.maxq,
    ]);
    return { y, mask, ds };
  }

  fakeQuantScaleGrad(g: Storage, ds: Storage, spec: QuantGridSpec, gradScale: number): CudaStorage {
    this.float32(g, "fake_quantize backward: the gradient");
    const n = spec.groups * spec.out;
    const gs = this.c.alloc("float32", n);
    this.c.launch1d("fake_quant_scale_grad_f32", n, [
      this.c.ptr(g),
      this.c.ptr(ds),
      gs.address(),
      spec.out,
      spec.inFeatures,
      spec.groupLen,
      spec.groups,
      gradScale,
    ]);
    return gs;
  }
}

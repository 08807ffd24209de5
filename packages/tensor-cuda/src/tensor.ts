import { runBackward } from "./autograd/backward.js";
import { isGradEnabled } from "./autograd/grad-mode.js";
import type { GradNode } from "./autograd/node.js";
import type { Device, Storage } from "./backend/backend.js";
import { getBackend } from "./backend/registry.js";
import { allocArray, type DType, dtypeOfArray, isFloating, type TypedArray } from "./dtype.js";
import type { Axes } from "./ops/reduce.js";
import type { TensorLike } from "./ops/util.js";
import { defaultGenerator, type Generator } from "./random.js";
import { track } from "./scope.js";
import { DTypeError, fmt, numel, type Shape, ShapeError } from "./shape.js";

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Nested = number | Nested[];

function flatten(x: Nested, shape: number[], out: number[], depth = 0): void {
  if (Array.isArray(x)) {
    if (shape.length === depth) shape.push(x.length);
    else if (shape[depth] !== x.length)
      throw new ShapeError(`Tensor.from: ragged nested array at depth ${depth}`);
    for (const v of x) flatten(v, shape, out, depth + 1);
  } else {
    if (shape.length !== depth) throw new ShapeError("Tensor.from: ragged nested array");
    out.push(x);
  }
}

/**
 * An n-dimensional array on a device, with reverse-mode autograd. Storage is always contiguous
 * (row-major); layout ops that cannot be a reshape make a copy. That keeps every kernel, CPU and
 * CUDA alike, to one simple memory layout.
 */
export class Tensor {
  // Fluent ops (t.add(u).relu()), attached in tensor-methods.ts. Declared here, on the class,
  // rather than by module augmentation, so the bundled .d.ts keeps them.
  declare add: (b: TensorLike) => Tensor;
  declare sub: (b: TensorLike) => Tensor;
  declare mul: (b: TensorLike) => Tensor;
  declare div: (b: TensorLike) => Tensor;
  declare pow: (b: TensorLike) => Tensor;
  declare maximum: (b: TensorLike) => Tensor;
  declare minimum: (b: TensorLike) => Tensor;
  declare eq: (b: TensorLike) => Tensor;
  declare ne: (b: TensorLike) => Tensor;
  declare lt: (b: TensorLike) => Tensor;
  declare le: (b: TensorLike) => Tensor;
  declare gt: (b: TensorLike) => Tensor;
  declare ge: (b: TensorLike) => Tensor;
  declare logicalAnd: (b: Tensor) => Tensor;
  declare logicalOr: (b: Tensor) => Tensor;
  declare logicalNot: () => Tensor;
  declare neg: () => Tensor;
  declare exp: () => Tensor;
  declare log: () => Tensor;
  declare sqrt: () => Tensor;
  declare rsqrt: () => Tensor;
  declare abs: () => Tensor;
  declare tanh: () => Tensor;
  declare sigmoid: () => Tensor;
  declare relu: () => Tensor;
  declare gelu: (approximate?: "none" | "tanh") => Tensor;
  declare silu: () => Tensor;
  declare sin: () => Tensor;
  declare cos: () => Tensor;
  declare square: () => Tensor;
  declare reciprocal: () => Tensor;
  declare sign: () => Tensor;
  declare floor: () => Tensor;
  declare round: () => Tensor;
  declare clamp: (min?: number, max?: number) => Tensor;
  declare sum: (axes?: Axes, keepDims?: boolean) => Tensor;
  declare mean: (axes?: Axes, keepDims?: boolean) => Tensor;
  declare max: (axes?: Axes, keepDims?: boolean) => Tensor;
  declare min: (axes?: Axes, keepDims?: boolean) => Tensor;
  declare argmax: (axis?: number, keepDims?: boolean) => Tensor;
  declare argmin: (axis?: number, keepDims?: boolean) => Tensor;
  declare logsumexp: (axes?: Axes, keepDims?: boolean) => Tensor;
  declare var: (axes?: Axes, opts?: { correction?: number; keepDims?: boolean }) => Tensor;
  declare matmul: (b: Tensor) => Tensor;
  declare reshape: (shape: readonly number[]) => Tensor;
  declare view: (shape: readonly number[]) => Tensor;
  declare flatten: (start?: number, end?: number) => Tensor;
  declare permute: (perm: readonly number[]) => Tensor;
  declare transpose: (a?: number, b?: number) => Tensor;
  declare expand: (shape: readonly number[]) => Tensor;
  declare unsqueeze: (axis: number) => Tensor;
  declare squeeze: (axis?: number) => Tensor;
  declare slice: (axis: number, start?: number, end?: number, step?: number) => Tensor;
  declare narrow: (axis: number, start: number, length: number) => Tensor;
  declare split: (sizes: number | readonly number[], axis?: number) => Tensor[];
  declare contiguous: () => Tensor;
  declare gather: (axis: number, index: Tensor) => Tensor;
  declare indexSelect: (axis: number, index: Tensor) => Tensor;
  declare scatterAdd: (axis: number, index: Tensor, src: Tensor) => Tensor;
  declare softmax: (axis?: number) => Tensor;
  declare logSoftmax: (axis?: number) => Tensor;
  declare cpu: () => Tensor;
  declare cuda: () => Tensor;

  readonly isTensor = true;
  readonly shape: readonly number[];
  private _storage: Storage;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;
  /** A long-lived tensor (parameter, buffer, optimizer state, a .grad) that every tidy() keeps. */
  persistent = false;
  /** How many recorded graph nodes, not yet released by backward(), read this tensor. */
  graphHolds = 0;

  /**
   * Whether a recorded op still reads this tensor: tidy() keeps it for backward. False again once
   * backward() has run through every graph holding it, so a training step inside tidy() frees its
   * activations (PyTorch frees the graph the same way unless retain_graph is set).
   */
  get heldByGraph(): boolean {
    return this.graphHolds > 0;
  }
  /**
   * Why no gradient reaches this tensor although one of its inputs required grad: the
   * non-differentiable op on the way (e.g. "argmax (input [2, 3])"), so backward() can say so.
   */
  gradBlockedBy: string | null = null;
  private disposed = false;

  constructor(storage: Storage, shape: Shape, requiresGrad = false) {
    if (numel(shape) !== storage.length) {
      throw new ShapeError(
        `Tensor: shape ${fmt(shape)} needs ${numel(shape)} elements, storage has ${storage.length}`,
      );
    }
    this._storage = storage;
    retain(storage);
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
    if (requiresGrad && !isFloating(storage.dtype)) {
      throw new DTypeError(`only floating-point tensors can require grad (got ${storage.dtype})`);
    }
    track(this);
  }

  get storage(): Storage {
    if (this.disposed) throw new Error(`tensor of shape ${fmt(this.shape)} was used after dispose()`);
    return this._storage;
  }
  get dtype(): DType {
    return this._storage.dtype;
  }
  get device(): Device {
    return this._storage.device;
  }
  get size(): number {
    return this._storage.length;
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---- construction ----

  static from(data: TypedArray | Nested, shape?: Shape, opts: TensorOptions = {}): Tensor {
    let arr: TypedArray;
    let sh: number[];
    if (typeof data === "number" || Array.isArray(data)) {
      const flat: number[] = [];
      const inferred: number[] = [];
      flatten(data, inferred, flat);
      const dtype = opts.dtype ?? "float32";
      arr = allocArray(dtype, flat.length);
      if (dtype === "int64") {
        for (const [i, v] of flat.entries()) (arr as BigInt64Array)[i] = BigInt(v);
      } else if (dtype === "float16" || dtype === "bfloat16") {
        const f = Tensor.from(Float32Array.from(flat), inferred).cast(dtype);
        arr = f.dataSync();
      } else (arr as Float32Array).set(flat);
      sh = shape ? [...shape] : inferred;
      if (numel(sh) !== flat.length)
        throw new ShapeError(`Tensor.from: shape ${fmt(sh)} does not fit ${flat.length} values`);
    } else {
      arr = data;
      sh = shape ? [...shape] : [data.length];
    }
    const dtype = opts.dtype ?? dtypeOfArray(arr);
    if (numel(sh) !== arr.length) {
      throw new ShapeError(
        `Tensor.from: shape ${fmt(sh)} needs ${numel(sh)} elements, the array has ${arr.length}`,
      );
    }
    const storage = getBackend(opts.device ?? "cpu").fromArray(arr, dtype);
    return new Tensor(storage, sh, opts.requiresGrad ?? false);
  }

  static scalar(value: number, opts: TensorOptions = {}): Tensor {
    return Tensor.full([], value, opts);
  }

  static full(shape: Shape, value: number, opts: TensorOptions = {}): Tensor {
    const dtype = opts.dtype ?? "float32";
    const storage = getBackend(opts.device ?? "cpu").full(dtype, numel(shape), value);
    return new Tensor(storage, shape, opts.requiresGrad ?? false);
  }

  static zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
    const storage = getBackend(opts.device ?? "cpu").zeros(opts.dtype ?? "float32", numel(shape));
    return new Tensor(storage, shape, opts.requiresGrad ?? false);
  }

  static ones(shape: Shape, opts: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 1, opts);
  }

  /** [start, end) by step; with one argument, [0, start). */
  static arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
    if (end === undefined) {
      end = start;
      start = 0;
    }
    if (step === 0) throw new RangeError("arange: step must not be 0");
    const n = Math.max(0, Math.ceil((end - start) / step));
    const dtype = opts.dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? "int32" : "float32");
    const a = allocArray(dtype, n);
    for (let i = 0; i < n; i++) {
      if (dtype === "int64") (a as BigInt64Array)[i] = BigInt(start + i * step);
      else (a as Float32Array)[i] = start + i * step;
    }
    return Tensor.from(a, [n], { ...opts, dtype });
  }

  /** Standard normal samples; the same generator state gives the same values everywhere. */
  static randn(shape: Shape, opts: RandomOptions = {}): Tensor {
    const g = opts.generator ?? defaultGenerator;
    const n = numel(shape);
    const a = opts.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = g.normal();
    return Tensor.from(a, shape, { device: opts.device, requiresGrad: opts.requiresGrad });
  }

  /** Uniform samples in [0, 1). */
  static rand(shape: Shape, opts: RandomOptions = {}): Tensor {
    const g = opts.generator ?? defaultGenerator;
    const n = numel(shape);
    const a = opts.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = g.uniform();
    return Tensor.from(a, shape, { device: opts.device, requiresGrad: opts.requiresGrad });
  }

  zerosLike(): Tensor {
    return Tensor.zeros(this.shape, { dtype: this.dtype, device: this.device });
  }
  onesLike(): Tensor {
    return Tensor.full(this.shape, 1, { dtype: this.dtype, device: this.device });
  }

  // ---- reading ----

  /** A copy of the elements, row-major, on the host. Works for every device. */
  async data(): Promise<TypedArray> {
    const d = await getBackend(this.device).read(this.storage);
    return d.slice();
  }

  /** Synchronous read; only devices that allow it (CPU). */
  dataSync(): TypedArray {
    const b = getBackend(this.device);
    if (!b.readSync) throw new Error(`dataSync is not available on ${this.device}; use await t.data()`);
    return b.readSync(this.storage).slice();
  }

  /** Nested arrays of numbers, for tests and printing (CPU). */
  toArray(): Nested {
    const flat = Array.from(
      this.cast(this.dtype === "int64" ? "int32" : this.dtype).dataSync() as ArrayLike<number>,
    );
    const build = (dim: number, off: number): Nested => {
      if (dim === this.rank) return flat[off];
      const stride = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * stride));
    };
    return build(0, 0);
  }

  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, not 1`);
    const b = getBackend(this.device);
    if (!b.readSync) throw new Error(`item() is synchronous; on ${this.device} use (await t.data())[0]`);
    const v = b.readSync(this.storage)[0];
    return typeof v === "bigint"
      ? Number(v)
      : this.dtype === "float16" || this.dtype === "bfloat16"
        ? this.cast("float32").item()
        : v;
  }

  toString(): string {
    return `Tensor(shape=${fmt(this.shape)}, dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  // ---- conversion and autograd plumbing ----

  /** A new tensor of another dtype (no gradient flows through casts to non-float types). */
  cast(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const out = new Tensor(getBackend(this.device).cast(this.storage, dtype), this.shape);
    if (isFloating(dtype)) {
      return recordOp("cast", [this], out, (g) => [g.cast(this.dtype)]);
    }
    return markNonDifferentiable(`cast to ${dtype}`, [this], out);
  }

  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    const b = getBackend(this.device);
    const out = new Tensor(
      b.copyStrided(this.storage, { shape: [this.size], strides: [1], offset: 0 }),
      this.shape,
    );
    return recordOp("clone", [this], out, (g) => [g]);
  }

  float(): Tensor {
    return this.cast("float32");
  }

  /** Copies to another device (or returns this when already there). */
  to(device: Device): Tensor {
    if (device === this.device) return this;
    const src = getBackend(this.device);
    if (!src.readSync)
      throw new Error(`to("${device}"): use await t.toAsync("${device}") from ${this.device}`);
    const host = src.readSync(this.storage).slice();
    return Tensor.from(host, this.shape, {
      dtype: this.dtype,
      device,
      requiresGrad: this.requiresGrad && !this.gradFn,
    });
  }

  async toAsync(device: Device): Promise<Tensor> {
    if (device === this.device) return this;
    const host = await this.data();
    return Tensor.from(host, this.shape, { dtype: this.dtype, device });
  }

  /** Same storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, false);
  }

  requiresGrad_(flag = true): this {
    if (flag && !isFloating(this.dtype))
      throw new DTypeError(`only floating-point tensors can require grad (got ${this.dtype})`);
    this.requiresGrad = flag;
    return this;
  }

  /**
   * Gradients of this tensor with respect to every leaf that requires grad. Afterwards the
   * graph's tensors are no longer kept by tidy() (they are freed at the end of the enclosing
   * scope); `retainGraph` keeps them for another backward pass after that scope.
   */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    runBackward(this, gradient, opts);
  }

  /** Replaces the contents in place (optimizers, loadStateDict); shapes must match. */
  assign(src: Tensor): this {
    if (numel(src.shape) !== this.size) {
      throw new ShapeError(`assign: source shape ${fmt(src.shape)} does not match ${fmt(this.shape)}`);
    }
    const s = src.device === this.device ? src : src.to(this.device);
    const st = s.dtype === this.dtype ? s.storage : getBackend(this.device).cast(s.storage, this.dtype);
    getBackend(this.device).copyInto(this.storage, { shape: [this.size], strides: [1], offset: 0 }, st);
    return this;
  }

  /** Swaps in new storage of the same size, in place (used by fused optimizer kernels). */
  setStorage(storage: Storage): void {
    if (storage.length !== this.size) throw new ShapeError("setStorage: size mismatch");
    retain(storage);
    release(this._storage);
    this._storage = storage;
  }

  /** Frees the storage once no other tensor (a reshape, a detach) still shares it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    release(this._storage);
  }
}

/*
 * Reshape, detach and squeeze share storage between tensors, so disposing one tensor (tidy does
 * it to every intermediate) must not free memory a view of it still reads: storages are counted.
 */
function retain(s: Storage): void {
  s.refs++;
}

function release(s: Storage): void {
  if (--s.refs <= 0) {
    s.refs = 0;
    s.dispose();
  }
}

/**
 * Attaches a backward rule to `out` when autograd is recording and some input needs a gradient.
 * Every differentiable op goes through here.
 */
export function recordOp(
  op: string,
  inputs: readonly Tensor[],
  out: Tensor,
  backward: (g: Tensor) => readonly (Tensor | null)[],
  /** Non-input tensors `backward` reads; tidy() keeps them until the graph has run. */
  saved?: readonly Tensor[],
): Tensor {
  if (!isGradEnabled()) return out;
  if (!inputs.some((t) => t.requiresGrad)) {
    out.gradBlockedBy = inputs.find((t) => t.gradBlockedBy)?.gradBlockedBy ?? out.gradBlockedBy;
    return out;
  }
  out.requiresGrad = true;
  out.gradFn = { op, inputs, backward, saved };
  hold(out);
  for (const t of inputs) hold(t);
  if (saved) for (const t of saved) hold(t);
  return out;
}

/** One more recorded node reads `t`: tidy() keeps it until that node's graph has run. */
export function hold(t: Tensor): void {
  t.graphHolds++;
}

/** A node that read `t` has run its backward (see releaseGraph). */
export function unhold(t: Tensor): void {
  t.graphHolds = Math.max(0, t.graphHolds - 1);
}

/**
 * recordOp for an op with several outputs (split): `backward` receives every output's gradient
 * at once (null where an output was unused) and returns the inputs' gradients.
 */
export function recordMultiOp(
  op: string,
  inputs: readonly Tensor[],
  outs: readonly Tensor[],
  backward: (gs: readonly (Tensor | null)[]) => readonly (Tensor | null)[],
): Tensor[] {
  if (!isGradEnabled()) return [...outs];
  if (!inputs.some((t) => t.requiresGrad)) {
    const blocked = inputs.find((t) => t.gradBlockedBy)?.gradBlockedBy;
    for (const o of outs) o.gradBlockedBy = blocked ?? o.gradBlockedBy;
    return [...outs];
  }
  const group = { op, inputs, size: outs.length, backward };
  outs.forEach((out, index) => {
    out.requiresGrad = true;
    out.gradFn = {
      op,
      inputs,
      member: { group, index },
      backward: () => {
        throw new Error(`${op}: a multi-output node's backward runs through its group`);
      },
    };
    hold(out);
  });
  for (const t of inputs) hold(t);
  return [...outs];
}

/**
 * Notes on `out` that it came from an op with no gradient (argmax, a comparison, a cast to an
 * integer type) when an input required one, so that backward() can name the op.
 */
export function markNonDifferentiable(op: string, inputs: readonly Tensor[], out: Tensor): Tensor {
  if (!isGradEnabled()) return out;
  const src = inputs.find((t) => t.requiresGrad);
  if (src) out.gradBlockedBy = `${op} (input ${fmt(src.shape)}, ${src.dtype})`;
  else out.gradBlockedBy = inputs.find((t) => t.gradBlockedBy)?.gradBlockedBy ?? out.gradBlockedBy;
  return out;
}

export function wrap(storage: Storage, shape: Shape): Tensor {
  return new Tensor(storage, shape);
}

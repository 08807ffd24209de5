import type { Index3 } from "./index3.js";
import { writeIndex3 } from "./index3.js";
import { type KernelSpec, PARAM_BYTES, type ParamKind } from "./kernel-abi.js";
import { type Koffi, loadKoffi } from "./koffi.js";

/*
 * cuLaunchKernel takes `void **kernelParams`: one pointer per kernel parameter, each to a copy
 * of its value. The values are packed into one native block (each at its natural alignment)
 * and the pointer array points into it. The driver copies the values during the call, so one
 * block is reused for every launch.
 */

export type KernelArg = number | bigint | Index3;

const ALIGN: Record<ParamKind, number> = { ...PARAM_BYTES, index3: 8 };

/** Byte offset of each parameter in the value block; also the block size. */
export function layoutParams(kinds: readonly ParamKind[]): { offsets: number[]; bytes: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const kind of kinds) {
    const a = ALIGN[kind];
    at = Math.ceil(at / a) * a;
    offsets.push(at);
    at += PARAM_BYTES[kind];
  }
  return { offsets, bytes: at };
}

const layouts = new WeakMap<KernelSpec, { offsets: number[]; bytes: number }>();

/** layoutParams of a kernel, computed once: every launch packs through it. */
export function specLayout(spec: KernelSpec): { offsets: number[]; bytes: number } {
  let l = layouts.get(spec);
  if (!l) {
    l = layoutParams(spec.params);
    layouts.set(spec, l);
  }
  return l;
}

/** Writes one argument of `kind` at `offset`; throws a TypeError naming the parameter if it cannot. */
export function encodeArg(
  dv: DataView,
  offset: number,
  kind: ParamKind,
  value: KernelArg,
  what: string,
): void {
  if (kind === "index3") {
    if (typeof value !== "object") throw new TypeError(`${what}: expected an Index3, got ${typeof value}`);
    writeIndex3(dv, offset, value);
    return;
  }
  if (typeof value === "object") throw new TypeError(`${what}: expected a ${kind}, got an Index3`);
  switch (kind) {
    case "ptr":
    case "u64":
      dv.setBigUint64(offset, BigInt(value), true);
      return;
    case "i64":
      if (typeof value === "number" && !Number.isSafeInteger(value))
        throw new TypeError(`${what}: ${value} is not an integer`);
      dv.setBigInt64(offset, BigInt(value), true);
      return;
    case "i32":
      dv.setInt32(offset, Number(value), true);
      return;
    case "u32":
      dv.setUint32(offset, Number(value), true);
      return;
    case "u16":
      dv.setUint16(offset, Number(value), true);
      return;
    case "u8":
      dv.setUint8(offset, Number(value));
      return;
    case "f32":
      dv.setFloat32(offset, Number(value), true);
      return;
    case "f64":
      dv.setFloat64(offset, Number(value), true);
      return;
  }
}

const VALUE_BYTES = 4096;
const MAX_PARAMS = 64;

/** Owns the native memory kernel arguments are packed into. */
export class ParamPacker {
  private readonly k: Koffi;
  private readonly values: unknown;
  private readonly pointers: unknown;
  private readonly valuesView: DataView;
  private readonly pointersView: DataView;
  private readonly valuesAddress: bigint;

  constructor() {
    this.k = loadKoffi();
    this.values = this.k.alloc("uint8_t", VALUE_BYTES);
    this.pointers = this.k.alloc("uint64_t", MAX_PARAMS);
    this.valuesView = new DataView(this.k.view(this.values, VALUE_BYTES));
    this.pointersView = new DataView(this.k.view(this.pointers, MAX_PARAMS * 8));
    this.valuesAddress = this.k.address(this.values);
  }

  /** Packs `args` for `spec`; returns the `void **kernelParams` to pass to cuLaunchKernel. */
  pack(name: string, spec: KernelSpec, args: readonly KernelArg[]): unknown {
    if (args.length !== spec.params.length) {
      throw new TypeError(`kernel ${name} takes ${spec.params.length} arguments, got ${args.length}`);
    }
    const { offsets, bytes } = specLayout(spec);
    if (bytes > VALUE_BYTES || args.length > MAX_PARAMS)
      throw new Error(`kernel ${name}: too many parameters`);
    for (let i = 0; i < args.length; i++) {
      encodeArg(this.valuesView, offsets[i], spec.params[i], args[i], `kernel ${name} parameter ${i}`);
      this.pointersView.setBigUint64(i * 8, this.valuesAddress + BigInt(offsets[i]), true);
    }
    return this.pointers;
  }

  pointerAt(i: number): bigint {
    return this.pointersView.getBigUint64(i * 8, true);
  }

  get baseAddress(): bigint {
    return this.valuesAddress;
  }
}

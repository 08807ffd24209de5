import { linear, nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import {
  type BitWidth,
  checkBitWidth,
  checkGroupSize,
  FULL_PRECISION,
  isQuantized,
  type QuantSpec,
} from "./bits.js";
import { fakeQuantize, fakeQuantizeWithGrid, lsqGradScale } from "./fake-quant.js";
import { minMaxGrid } from "./grid.js";
import { LoraAdapter, type LoraOptions } from "./lora.js";

export interface SwitchableLinearOptions {
  bits?: BitWidth;
  /** Columns per quantization group; -1 (default): one group per output channel. */
  groupSize?: number;
  sym?: boolean;
}

/** A learned step size (LSQ) for one bit-width, with the zero points it was initialised with. */
interface LearnedStep {
  scale: Tensor;
  zero: Float32Array;
  spec: QuantSpec;
  /** `zero` uploaded once to the device the layer computes on (dropped when the layer moves). */
  deviceZero?: Tensor;
}

/**
 * A linear layer whose weight is fake-quantized to a bit-width that can be switched at run time
 * (`layer.bits = 4`). One float weight is shared by every width; each width may have its own LoRA
 * adapter (child `lora_<bits>`) and its own learned step size (parameter `step_<bits>`), which
 * switch with the bits. Only the active width's adapter and step take part in a forward pass, so
 * only they receive gradients: the adapters of different widths train separately.
 */
export class SwitchableLinear extends nn.Module {
  weight: Tensor;
  bias: Tensor | null;
  private _bits: BitWidth;
  private _groupSize: number;
  private _sym: boolean;
  private readonly adapters = new Map<BitWidth, LoraAdapter>();
  private readonly steps = new Map<BitWidth, LearnedStep>();

  constructor(weight: Tensor, bias: Tensor | null = null, opts: SwitchableLinearOptions = {}) {
    super();
    if (weight.rank !== 2)
      throw new RangeError(`SwitchableLinear: weight must be [out, in], got [${weight.shape.join(", ")}]`);
    // The very tensors given: a layer made from a Linear shares its weight (and an optimizer
    // built on the model before the swap still updates it).
    this.weight = this.param("weight", weight);
    this.bias = bias ? this.param("bias", bias) : null;
    this._bits = FULL_PRECISION;
    this._groupSize = -1;
    this._sym = false;
    this.setPrecision({
      bits: opts.bits ?? FULL_PRECISION,
      groupSize: opts.groupSize ?? -1,
      sym: opts.sym ?? false,
    });
  }

  /** Wraps a Linear, sharing its weight and bias tensors. */
  static fromLinear(l: nn.Linear, opts: SwitchableLinearOptions = {}): SwitchableLinear {
    return new SwitchableLinear(l.weight, l.bias, opts);
  }

  get inFeatures(): number {
    return this.weight.shape[1];
  }
  get outFeatures(): number {
    return this.weight.shape[0];
  }
  get bits(): BitWidth {
    return this._bits;
  }
  set bits(b: BitWidth) {
    checkBitWidth(b, "SwitchableLinear.bits");
    this._bits = b;
  }
  get spec(): QuantSpec {
    return { bits: this._bits, groupSize: this._groupSize, sym: this._sym };
  }

  /** Sets bits, and optionally the group size and grid symmetry. */
  setPrecision(spec: Partial<QuantSpec>): this {
    if (spec.bits !== undefined) this.bits = spec.bits;
    if (spec.groupSize !== undefined) {
      checkGroupSize(spec.groupSize, "SwitchableLinear.setPrecision");
      this._groupSize = spec.groupSize;
    }
    if (spec.sym !== undefined) this._sym = spec.sym;
    return this;
  }

  /** Adds one LoRA adapter per width in `bits` (a width that has one keeps it). */
  addAdapters(bits: readonly BitWidth[], opts: LoraOptions): this {
    for (const b of bits) {
      checkBitWidth(b, "SwitchableLinear.addAdapters");
      if (this.adapters.has(b)) continue;
      this.adapters.set(b, this.child(`lora_${b}`, new LoraAdapter(this.inFeatures, this.outFeatures, opts)));
    }
    return this;
  }

  /** The adapter a width uses, if any. */
  adapter(bits: BitWidth = this._bits): LoraAdapter | undefined {
    return this.adapters.get(bits);
  }

  get adapterBits(): BitWidth[] {
    return [...this.adapters.keys()];
  }

  /**
   * Gives each width in `bits` a learned step size (LSQ), initialised from the current weight's
   * min-max grid under the current group size and symmetry; the zero points stay fixed. Reads
   * the weight synchronously: for a layer on "cuda" use learnStepSizesAsync.
   */
  learnStepSizes(bits: readonly BitWidth[]): this {
    const wanted = this.stepsToAdd(bits, "learnStepSizes");
    if (wanted.length) this.addSteps(wanted, this.weight.dataSync() as Float32Array);
    return this;
  }

  /**
   * learnStepSizes for a layer wherever it lives: the weight is read once (awaited), the grid
   * is computed on the host, and each step is created on the weight's device.
   */
  async learnStepSizesAsync(bits: readonly BitWidth[]): Promise<this> {
    const wanted = this.stepsToAdd(bits, "learnStepSizesAsync");
    if (wanted.length) this.addSteps(wanted, (await this.weight.data()) as Float32Array);
    return this;
  }

  /** The quantized widths in `bits` that have no learned step yet (checked, de-duplicated). */
  private stepsToAdd(bits: readonly BitWidth[], caller: string): BitWidth[] {
    const out: BitWidth[] = [];
    for (const b of bits) {
      checkBitWidth(b, `SwitchableLinear.${caller}`);
      if (isQuantized(b) && !this.steps.has(b) && !out.includes(b)) out.push(b);
    }
    return out;
  }

  private addSteps(bits: readonly BitWidth[], weight: Float32Array): void {
    for (const b of bits) {
      const spec: QuantSpec = { bits: b, groupSize: this._groupSize, sym: this._sym };
      const grid = minMaxGrid(weight, this.outFeatures, this.inFeatures, spec);
      const init = Tensor.from(grid.scale, [grid.groups, this.outFeatures], { device: this.weight.device });
      const scale = this.param(`step_${b}`, init);
      this.steps.set(b, { scale, zero: grid.zero, spec });
    }
  }

  /** The learned step size of a width, if it has one. */
  stepSize(bits: BitWidth = this._bits): { scale: Tensor; zero: Float32Array; spec: QuantSpec } | undefined {
    return this.steps.get(bits);
  }

  /** Freezes (or unfreezes) the shared weight and bias, e.g. to train only the adapters. */
  freezeBase(frozen = true): this {
    this.weight.requiresGrad_(!frozen);
    this.bias?.requiresGrad_(!frozen);
    return this;
  }

  /** The weight the layer computes with at the current width (with gradient when recording). */
  effectiveWeight(): Tensor {
    const spec = this.spec;
    if (!isQuantized(spec.bits)) return this.weight;
    const step = this.steps.get(spec.bits);
    if (step) {
      if (step.spec.groupSize !== spec.groupSize || step.spec.sym !== spec.sym) {
        throw new RangeError(
          `SwitchableLinear: the learned step for ${spec.bits} bits was made for group ${step.spec.groupSize}, sym ${step.spec.sym}; the layer is now group ${spec.groupSize}, sym ${spec.sym}`,
        );
      }
      const groupLen = spec.groupSize === -1 ? this.inFeatures : Math.min(spec.groupSize, this.inFeatures);
      const g = lsqGradScale(groupLen, spec.bits, spec.sym);
      return fakeQuantizeWithGrid(this.weight, step.scale, this.zeroFor(step), spec, { gradScale: g });
    }
    return fakeQuantize(this.weight, spec);
  }

  /** The zero points where the weight is: the host array, or its device copy, made once. */
  private zeroFor(step: LearnedStep): Float32Array | Tensor {
    const device = this.weight.device;
    if (device === "cpu") return step.zero;
    if (!step.deviceZero) {
      step.deviceZero = Tensor.from(step.zero, step.scale.shape, { device });
      // Made during someone's forward (inside their tidy()); it must outlive that scope.
      step.deviceZero.persistent = true;
    }
    return step.deviceZero;
  }

  protected override onMoved(): void {
    for (const step of this.steps.values()) {
      step.deviceZero?.dispose();
      step.deviceZero = undefined;
    }
  }

  forward(x: Tensor): Tensor {
    const y = linear(x, this.effectiveWeight(), this.bias);
    const a = this.adapters.get(this._bits);
    return a ? y.add(a.call(x)) : y;
  }

  /** The quantized weight as a plain tensor, with no gradient (for export and inspection). */
  quantizedWeight(): Tensor {
    return noGrad(() => this.effectiveWeight().detach());
  }

  protected override extraRepr(): string {
    const adapters = this.adapters.size ? `, adapters=[${[...this.adapters.keys()].join(", ")}]` : "";
    return `in=${this.inFeatures}, out=${this.outFeatures}, bits=${this._bits}, group=${this._groupSize}, sym=${this._sym}${adapters}`;
  }
}

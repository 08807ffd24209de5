/**
 * y = layer(x) for every linear-like layer a compressed model may hold, each as the ops that
 * compute it: a float Linear as MatMul, a GPTQ/RTN QuantLinear as MatMulNBits, grouped and
 * low-rank layers as their two or three matmuls. Anything else is refused by name: exporting a
 * layer whose forward we do not know as a plain MatMul would be a silently wrong model.
 */
import { QuantLinear } from "@shrinkray/gptq";
import type { nn, Tensor } from "@shrinkray/tensor-cuda";
import { UnsupportedLayerError } from "../errors.js";
import type { GraphBuilder } from "../graph/builder.js";
import { floatLinear, isPlainLinear } from "./float-linear.js";
import { quantLinear } from "./quant-linear.js";
import { groupedLinear, isGrouped, isLowRank, lowRank, sumOfChildren } from "./sparse.js";

export interface LayerExport {
  /** Dotted module path, e.g. model.layers.0.mlp.down_proj. */
  name: string;
  kind: "float" | "matmulnbits" | "dequantized" | "grouped" | "low-rank" | "sum";
  /** Code width of a quantized layer (as trained: 2, 3, 4 or 8). */
  bits?: number;
  /** A quantized layer with act-order (desc_act) groups, exported with its inputs gathered. */
  actOrder?: boolean;
  /** Why a quantized layer was stored as float. */
  reason?: string;
}

/** Lowers layers into one graph; shares weights between uses of the same tensor. */
export class LinearLowering {
  readonly layers: LayerExport[] = [];
  private readonly shared = new Map<string, Map<Tensor, string>>();

  constructor(
    readonly g: GraphBuilder,
    private readonly onLayer?: (layer: LayerExport) => void,
  ) {}

  private record(layer: LayerExport): void {
    this.layers.push(layer);
    this.onLayer?.(layer);
  }

  /** An initializer for `t` laid out by `make`, made once per (tensor, layout). */
  async sharedWeight(t: Tensor, layout: string, make: () => Promise<string>): Promise<string> {
    let byTensor = this.shared.get(layout);
    if (!byTensor) this.shared.set(layout, (byTensor = new Map()));
    let name = byTensor.get(t);
    if (name === undefined) {
      name = await make();
      byTensor.set(t, name);
    }
    return name;
  }

  async apply(name: string, m: nn.AnyModule, x: string): Promise<string> {
    return this.g.scoped(name, () => this.lower(name, m, x));
  }

  private async lower(name: string, m: nn.AnyModule, x: string): Promise<string> {
    if (m instanceof QuantLinear) {
      const r = await quantLinear(this, name, m, x);
      this.record({ name, kind: r.kind, bits: m.bits, actOrder: r.actOrder, reason: r.reason });
      return r.y;
    }
    if (isPlainLinear(m)) {
      this.record({ name, kind: "float" });
      return floatLinear(this, name, m, x);
    }
    if (isGrouped(m)) {
      this.record({ name, kind: "grouped" });
      return groupedLinear(this, name, m, x);
    }
    if (isLowRank(m)) {
      this.record({ name, kind: "low-rank" });
      return lowRank(this, name, m, x);
    }
    const parts = sumOfChildren(m);
    if (parts) {
      this.record({ name, kind: "sum" });
      const ys: string[] = [];
      for (const [child, sub] of parts) ys.push(await this.apply(`${name}.${child}`, sub, x));
      return this.g.op("Add", ys);
    }
    throw new UnsupportedLayerError(
      name,
      m.constructor.name,
      m.constructor.name === "SwitchableLinear"
        ? "fix its bit-width and write it as a GPTQ checkpoint first (switchable-quant's export), then export that"
        : "supported: Linear, QuantLinear (GPTQ/RTN), GroupedLinear, LowRankAdapter, GroupedLoRALinear, LoRALinear",
    );
  }
}

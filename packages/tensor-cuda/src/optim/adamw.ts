import { getBackend } from "../backend/registry.js";
import { fmt, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { type BaseHyper, definedOnly, Optimizer, type ParamGroupSpec } from "./optimizer.js";

export interface AdamWHyper extends BaseHyper {
  betas: [number, number];
  eps: number;
  /** Decoupled decay: p ← p·(1 - lr·wd) before the Adam step, as torch.optim.AdamW. */
  weightDecay: number;
}

/**
 * torch.optim.AdamW (amsgrad off). Each step is one fused backend kernel per parameter that
 * updates p, m and v in place, so a step allocates nothing and the tensors an optimizer or a
 * model hold stay the same objects.
 */
export class AdamW extends Optimizer<AdamWHyper> {
  constructor(params: Iterable<Tensor> | ParamGroupSpec<AdamWHyper>[], opts: Partial<AdamWHyper> = {}) {
    const defaults: AdamWHyper = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      ...definedOnly(opts),
    };
    const [b1, b2] = defaults.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
      throw new RangeError(`AdamW: betas must be in [0, 1), got [${b1}, ${b2}]`);
    super(params, defaults);
  }

  step(): void {
    for (const group of this.paramGroups) {
      const [beta1, beta2] = group.betas;
      for (const p of group.params) {
        const g = p.grad;
        if (!g) continue;
        if (!sameShape(g.shape, p.shape)) {
          throw new Error(`AdamW: gradient ${fmt(g.shape)} does not match its parameter ${fmt(p.shape)}`);
        }
        let st = this.state.get(p);
        if (!st) {
          st = { step: 0, expAvg: this.zerosLike(p), expAvgSq: this.zerosLike(p) };
          this.state.set(p, st);
        }
        st.step = (st.step as number) + 1;
        const gs = g.dtype === p.dtype && g.device === p.device ? g : g.cast(p.dtype).to(p.device);
        getBackend(p.device).adamwStep(
          p.storage,
          gs.storage,
          (st.expAvg as Tensor).storage,
          (st.expAvgSq as Tensor).storage,
          {
            lr: group.lr,
            beta1,
            beta2,
            eps: group.eps,
            weightDecay: group.weightDecay,
            step: st.step,
          },
        );
      }
    }
  }
}

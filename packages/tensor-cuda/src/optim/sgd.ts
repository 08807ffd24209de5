import { noGrad } from "../autograd/grad-mode.js";
import { tidy } from "../scope.js";
import type { Tensor } from "../tensor.js";
import { type BaseHyper, definedOnly, Optimizer, type ParamGroupSpec } from "./optimizer.js";

export interface SGDHyper extends BaseHyper {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** L2 penalty added to the gradient (coupled, as torch.optim.SGD's weight_decay). */
  weightDecay: number;
}

/**
 * torch.optim.SGD, same update:
 *   d = g + wd·p;  b = d (first step) or μ·b + (1-τ)·d;  d = nesterov ? d + μ·b : b;  p -= lr·d
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: Iterable<Tensor> | ParamGroupSpec<SGDHyper>[], opts: Partial<SGDHyper> = {}) {
    const defaults: SGDHyper = {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      ...definedOnly(opts),
    };
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new RangeError("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
    super(params, defaults);
  }

  step(): void {
    // tidy frees the temporaries; results are copied into the long-lived tensors with assign.
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) {
          const { lr, momentum, dampening, nesterov, weightDecay } = group;
          for (const p of group.params) {
            if (!p.grad) continue;
            let d = p.grad.cast(p.dtype);
            if (weightDecay !== 0) d = d.add(p.mul(weightDecay));
            if (momentum !== 0) {
              let st = this.state.get(p);
              if (!st) {
                st = { momentumBuffer: this.zerosLike(p).assign(d) };
                this.state.set(p, st);
              } else {
                const buf = st.momentumBuffer as Tensor;
                buf.assign(buf.mul(momentum).add(d.mul(1 - dampening)));
              }
              const buf = st.momentumBuffer as Tensor;
              d = nesterov ? d.add(buf.mul(momentum)) : buf;
            }
            p.assign(p.sub(d.mul(lr)));
          }
        }
      }),
    );
  }
}

import { type nn, noGrad, type optim, type Tensor } from "@shrinkray/tensor-cuda";
import { type BitWidth, checkBitWidth, FULL_PRECISION } from "./bits.js";
import { klDistillLoss } from "./kl.js";
import { applyAssignment, currentAssignment, setAllBits, switchableLayers } from "./make-switchable.js";
import type { BitSchedule } from "./schedules.js";

export interface QatBatch<I, T> {
  input: I;
  target: T;
}

export interface DistillOptions {
  /** Weight of the distillation term: loss = (1 − w)·task + w·distill. */
  weight: number;
  temperature?: number;
  /** Replaces the built-in KL on logits (e.g. a kd-losses function wired in by the caller). */
  loss?: (student: Tensor, teacher: Tensor) => Tensor;
}

export interface QatOptions<I, T> {
  model: nn.AnyModule;
  optimizer: optim.Optimizer<any>;
  steps: number;
  /** The batch of step t. */
  batch: (step: number) => QatBatch<I, T>;
  /** The model's output (logits, predictions) for an input; default model.call(input). */
  forward?: (model: nn.AnyModule, input: I) => Tensor;
  /** The task loss of an output against the target. */
  loss: (output: Tensor, target: T) => Tensor;
  /** One width per step (static, CPT, random), or ... */
  schedule?: BitSchedule;
  /** ... every width each step, the losses averaged (the "averaged-loss" objective). */
  widths?: readonly BitWidth[];
  /** Distil each width from the same model at full precision (teacher computed without grad). */
  distill?: DistillOptions;
  /** Called after each step; an LR scheduler's step() belongs here. */
  onStep?: (info: QatStepInfo) => void;
}

export interface QatStepInfo {
  step: number;
  widths: BitWidth[];
  /** Loss per width, in `widths` order. */
  losses: number[];
  loss: number;
}

/**
 * Quantization-aware training over bit-widths. Each step sets every switchable layer to the
 * step's width(s), runs forward and sums the (distilled) losses averaged over widths, then one
 * backward and one optimizer step: with per-width LoRA adapters each adapter gets the gradient
 * of its own width only. The layers' configuration is restored afterwards. Asynchronous: the
 * step's losses are read back with `await` (on a GPU, without stalling on each one).
 */
export async function trainQat<I, T>(o: QatOptions<I, T>): Promise<QatStepInfo[]> {
  if (!o.schedule === !o.widths) throw new RangeError("trainQat: give exactly one of schedule and widths");
  if (o.widths?.length === 0) throw new RangeError("trainQat: widths is empty");
  const layers = switchableLayers(o.model);
  if (layers.size === 0)
    throw new RangeError("trainQat: the model has no SwitchableLinear (run makeSwitchable first)");
  const forward = o.forward ?? ((m: nn.AnyModule, x: I) => m.call(x) as Tensor);
  const original = currentAssignment(layers);
  const history: QatStepInfo[] = [];
  o.model.train();
  try {
    for (let t = 0; t < o.steps; t++) {
      const widths = o.schedule ? [o.schedule(t)] : [...(o.widths as BitWidth[])];
      for (const b of widths) checkBitWidth(b, `trainQat step ${t}`);
      const { input, target } = o.batch(t);
      let teacher: Tensor | null = null;
      if (o.distill) {
        setAllBits(layers, FULL_PRECISION);
        teacher = noGrad(() => forward(o.model, input).detach());
      }
      let total: Tensor | null = null;
      const lossTensors: Tensor[] = [];
      for (const b of widths) {
        setAllBits(layers, b);
        const out = forward(o.model, input);
        let l = o.loss(out, target);
        if (o.distill && teacher) {
          const w = o.distill.weight;
          const kd = o.distill.loss
            ? o.distill.loss(out, teacher)
            : klDistillLoss(out, teacher, o.distill.temperature);
          l = l.mul(1 - w).add(kd.mul(w));
        }
        lossTensors.push(l.detach());
        const scaled = l.div(widths.length);
        total = total ? total.add(scaled) : scaled;
      }
      (total as Tensor).backward();
      o.optimizer.step();
      o.model.zeroGrad();
      const losses: number[] = [];
      for (const l of lossTensors) {
        losses.push(Number((await l.data())[0]));
        l.dispose();
      }
      const info = { step: t, widths, losses, loss: losses.reduce((a, b) => a + b, 0) / losses.length };
      history.push(info);
      o.onStep?.(info);
    }
  } finally {
    applyAssignment(layers, original);
  }
  return history;
}

/** The optimizer and LR schedule a run uses, from an instance or a short spec. */
import { optim, type Tensor } from "@shrinkray/tensor-cuda";

type AnyOptimizer = optim.Optimizer<optim.BaseHyper>;

/** An optimizer over the student's parameters, or AdamW hyperparameters. */
export type OptimizerSpec = AnyOptimizer | Partial<optim.AdamWHyper>;

/** A multiplier per step, "constant", or cosine decay after a warmup (the default). */
export type ScheduleSpec = optim.Schedule | "constant" | { warmupSteps?: number; minLrRatio?: number };

export function makeOptimizer(spec: OptimizerSpec | undefined, params: Tensor[]): AnyOptimizer {
  if (spec instanceof optim.Optimizer) return spec as AnyOptimizer;
  return new optim.AdamW(params, { lr: 1e-3, weightDecay: 0, ...spec }) as unknown as AnyOptimizer;
}

export function makeScheduler(
  spec: ScheduleSpec | undefined,
  opt: AnyOptimizer,
  totalSteps: number,
): optim.LRScheduler | null {
  if (spec === "constant") return null;
  const schedule =
    typeof spec === "function"
      ? spec
      : optim.cosineWithWarmup({
          warmupSteps: Math.min(totalSteps, spec?.warmupSteps ?? Math.floor(totalSteps * 0.05)),
          totalSteps,
          minLrRatio: spec?.minLrRatio ?? 0,
        });
  return new optim.LRScheduler(opt, schedule);
}

export function clipGradNormIfAny(params: Tensor[], maxNorm: number): void {
  if (maxNorm > 0 && params.some((p) => p.grad)) optim.clipGradNorm(params, maxNorm).dispose();
}

export function stepOptimizer(opt: AnyOptimizer, scheduler: optim.LRScheduler | null): void {
  opt.step();
  opt.zeroGrad();
  scheduler?.step();
}

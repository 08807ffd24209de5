import type { BaseHyper, Optimizer } from "./optimizer.js";

/** A learning-rate multiplier as a function of the step (0-based), as LambdaLR takes. */
export type Schedule = (step: number) => number;

export interface WarmupOptions {
  warmupSteps: number;
}

export interface DecayOptions extends WarmupOptions {
  totalSteps: number;
}

export interface CosineOptions extends DecayOptions {
  /** The multiplier the cosine decays to (transformers' min_lr_rate); default 0. */
  minLrRatio?: number;
  /** Number of cosine periods over the decay; default 0.5 (one half-wave down to the minimum). */
  numCycles?: number;
}

function checkSteps(name: string, warmup: number, total?: number): void {
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new RangeError(`${name}: warmupSteps must be an integer >= 0, got ${warmup}`);
  if (total !== undefined && (!Number.isInteger(total) || total < warmup)) {
    throw new RangeError(`${name}: totalSteps must be an integer >= warmupSteps (${warmup}), got ${total}`);
  }
}

// Warmup as in transformers: step / max(1, warmup), so step 0 runs at lr 0.
const warm = (step: number, warmup: number) => step / Math.max(1, warmup);

/** transformers' get_constant_schedule_with_warmup: linear ramp to 1, then 1. */
export function constantWithWarmup({ warmupSteps }: WarmupOptions): Schedule {
  checkSteps("constantWithWarmup", warmupSteps);
  return (step) => (step < warmupSteps ? warm(step, warmupSteps) : 1);
}

/** transformers' get_linear_schedule_with_warmup: ramp to 1, then linearly to 0 at totalSteps. */
export function linearWithWarmup({ warmupSteps, totalSteps }: DecayOptions): Schedule {
  checkSteps("linearWithWarmup", warmupSteps, totalSteps);
  return (step) =>
    step < warmupSteps
      ? warm(step, warmupSteps)
      : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/**
 * transformers' get_cosine_schedule_with_warmup (get_cosine_with_min_lr_schedule_with_warmup
 * when minLrRatio > 0): ramp to 1, then 0.5·(1 + cos(2π·cycles·progress)) rescaled to
 * [minLrRatio, 1]. Past totalSteps the multiplier holds at its final value, where transformers
 * would start the cosine rising again.
 */
export function cosineWithWarmup({
  warmupSteps,
  totalSteps,
  minLrRatio = 0,
  numCycles = 0.5,
}: CosineOptions): Schedule {
  checkSteps("cosineWithWarmup", warmupSteps, totalSteps);
  if (!(minLrRatio >= 0 && minLrRatio <= 1))
    throw new RangeError(`cosineWithWarmup: minLrRatio must be in [0, 1], got ${minLrRatio}`);
  return (step) => {
    if (step < warmupSteps) return warm(step, warmupSteps);
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    const factor = 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress));
    return Math.max(0, factor * (1 - minLrRatio) + minLrRatio);
  };
}

/**
 * Sets each group's lr to initialLr × schedule(step), as torch's LambdaLR: the constructor applies
 * step 0, and each step() call (after optimizer.step()) advances by one.
 */
export class LRScheduler {
  private lastStep = 0;

  constructor(
    readonly optimizer: Optimizer<BaseHyper>,
    readonly schedule: Schedule,
  ) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.apply();
  }

  step(): void {
    this.lastStep++;
    this.apply();
  }

  /** The step count the current lr belongs to. */
  get currentStep(): number {
    return this.lastStep;
  }

  /** The lr of each group, as last set. */
  lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): { lastStep: number } {
    return { lastStep: this.lastStep };
  }

  loadStateDict(sd: { lastStep: number }): void {
    this.lastStep = sd.lastStep;
    this.apply();
  }

  private apply(): void {
    const m = this.schedule(this.lastStep);
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr! * m;
  }
}

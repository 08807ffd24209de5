import { Generator, manualSeed, type nn } from "@shrinkray/tensor-cuda";

/** What a metric callback is given besides the model: a generator seeded the same for every call. */
export interface MetricContext {
  seed: number;
  generator: Generator;
}

/** A task metric of the model in its current configuration (accuracy, −perplexity, R², ...). */
export type Metric = (model: nn.AnyModule, ctx: MetricContext) => Promise<number> | number;

/**
 * Measures `metric` with every source of randomness reset to `seed`: the generator handed to
 * the callback and tensor-cuda's default generator (dropout, sampling that uses it). The same
 * configuration thus measures the same however many configurations were measured before it.
 * The model runs in eval mode; its training flag is restored afterwards.
 */
export async function measure(model: nn.AnyModule, metric: Metric, seed: number): Promise<number> {
  const training = model.training;
  model.eval();
  try {
    manualSeed(seed);
    const v = await metric(model, { seed, generator: new Generator(seed) });
    if (!Number.isFinite(v)) throw new RangeError(`metric returned ${v}; a finite number is needed`);
    return v;
  } finally {
    model.train(training);
  }
}

/** A higher-is-better form: the drop from `baseline` to `value` (positive = worse). */
export function dropFrom(baseline: number, value: number, higherIsBetter: boolean): number {
  return higherIsBetter ? baseline - value : value - baseline;
}

import type { nn, Tensor } from "@shrinkray/tensor-cuda";

/**
 * The true-sequential order of a block's Linear layers, read off one forward pass rather than
 * from per-architecture name lists: layers are bucketed by the input tensor they were called
 * with (q/k/v share the normed hidden state, gate/up share another), and buckets are ordered by
 * their first call. Llama gives [q, k, v] → [o] → [gate, up] → [down]; GPT-2 [c_attn] →
 * [attn.c_proj] → [c_fc] → [mlp.c_proj]; OPT [q, k, v] → [out_proj] → [fc1] → [fc2]. A bucket
 * is one Hessian (its layers see the same inputs) and one step: later steps are calibrated on
 * the outputs of the earlier ones already quantized, as the reference's `true_sequential`.
 *
 * `run` performs one forward of the block; `modules` maps each Linear to its name. Layers the
 * forward never calls are returned in `uncalled` (they get no calibration data).
 */
export function linearCallOrder(
  modules: Map<nn.AnyModule, string>,
  run: () => void,
): { buckets: string[][]; uncalled: string[] } {
  const byInput = new Map<Tensor, string[]>();
  const called = new Set<string>();
  const removers = [...modules].map(([m, name]) =>
    m.registerForwardHook((_m, args) => {
      if (called.has(name)) return;
      called.add(name);
      const x = args[0] as Tensor;
      const bucket = byInput.get(x);
      if (bucket) bucket.push(name);
      else byInput.set(x, [name]);
    }),
  );
  try {
    run();
  } finally {
    for (const remove of removers) remove();
  }
  return { buckets: [...byInput.values()], uncalled: [...modules.values()].filter((n) => !called.has(n)) };
}

/**
 * The steps of quantization: one bucket per step when true-sequential, else all buckets in one
 * step (every layer calibrated on the float block's activations).
 */
export function sequentialSteps(buckets: string[][], trueSequential: boolean): string[][][] {
  return trueSequential ? buckets.map((b) => [b]) : buckets.length ? [buckets] : [];
}

import type { nn } from "@shrinkray/tensor-cuda";

/**
 * Runs `f` with `model` on `device` and brings it back to the CPU afterwards (even on error).
 * Models live on the CPU between steps, where round-to-nearest, sparsity and saving read them;
 * only the work that gains from a GPU (evaluation, samples, layer-wise fitting, distillation,
 * GPTQ) moves them.
 */
export async function withModelsOn<T>(
  device: "cpu" | "cuda",
  models: readonly nn.AnyModule[],
  f: () => Promise<T>,
): Promise<T> {
  if (device === "cpu") return f();
  for (const m of models) m.to(device);
  try {
    return await f();
  } finally {
    for (const m of models) await m.toAsync("cpu");
  }
}

import type { nn, Tensor } from "@shrinkray/tensor-cuda";

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

/**
 * withModelsOn for a step that also reads calibration batches: they are copied to `device` for
 * the step and those copies freed after it.
 */
export async function withModelsAndBatchesOn<T>(
  device: "cpu" | "cuda",
  models: readonly nn.AnyModule[],
  batches: readonly Tensor[],
  f: (batches: Tensor[]) => Promise<T>,
): Promise<T> {
  return withModelsOn(device, models, async () => {
    const onDevice = batches.map((b) => b.to(device));
    try {
      return await f(onDevice);
    } finally {
      if (device !== "cpu") for (const b of onDevice) b.dispose();
    }
  });
}

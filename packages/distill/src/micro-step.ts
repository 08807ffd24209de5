/**
 * One micro-batch: student forward, loss against the teacher, backward. Runs inside tidy() so the
 * activations are freed at once (the parameters' gradients outlive it). The batch and the
 * teacher's outputs are moved to the student's device first, so the same loop trains on the CPU
 * or on "cuda". Returns the (unscaled) loss, read without a synchronous device read.
 */
import { type Tensor, tidy } from "@shrinkray/tensor-cuda";
import type { Batch } from "./batches.js";
import type { LossFunction } from "./loss.js";
import type { TeacherOutput } from "./teacher-source.js";

export async function microStep(
  student: { forward(ids: Tensor): Tensor },
  params: Tensor[],
  batch: Batch,
  teacher: TeacherOutput,
  loss: LossFunction,
  accumulation: number,
): Promise<number> {
  const device = params[0]?.device ?? "cpu";
  const here = (t: Tensor) => (t.device === device ? t : t.to(device));
  const value = tidy(() => {
    const onDevice = Object.fromEntries(
      Object.entries(teacher).map(([k, t]) => [k, here(t as Tensor)]),
    ) as unknown as TeacherOutput;
    const logits = student.forward(here(batch.inputIds));
    const l = loss(logits, onDevice, { labels: here(batch.labels), mask: here(batch.lossMask) });
    // A batch with nothing to learn (e.g. on-policy samples that ended at once) adds no gradient.
    if (batch.lossTokens > 0 && l.requiresGrad) {
      // Each micro-batch's mean counts 1/n, so n micro-batches make one batch-sized step.
      (accumulation > 1 ? l.div(accumulation) : l).backward();
    }
    return l.detach();
  });
  for (const t of Object.values(teacher) as Tensor[]) t.dispose();
  const v = Number((await value.data())[0]);
  value.dispose();
  return v;
}

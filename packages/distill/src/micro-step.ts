/**
 * One micro-batch: student forward, loss against the teacher, backward. Run inside tidy() so the
 * activations are freed at once; the parameters' gradients are returned from it, which is what
 * keeps tidy from freeing them too. Returns the (unscaled) loss.
 */
import { type Tensor, tidy } from "@shrinkray/tensor-cuda";
import type { Batch } from "./batches.js";
import type { LossFunction } from "./loss.js";
import type { TeacherOutput } from "./teacher-source.js";

export function microStep(
  student: { forward(ids: Tensor): Tensor },
  params: Tensor[],
  batch: Batch,
  teacher: TeacherOutput,
  loss: LossFunction,
  accumulation: number,
): number {
  let value = 0;
  tidy(() => {
    const logits = student.forward(batch.inputIds);
    const l = loss(logits, teacher, { labels: batch.labels, mask: batch.lossMask });
    value = l.item();
    // A batch with nothing to learn (e.g. on-policy samples that ended at once) adds no gradient.
    if (batch.lossTokens > 0 && l.requiresGrad) {
      // Each micro-batch's mean counts 1/n, so n micro-batches make one batch-sized step.
      (accumulation > 1 ? l.div(accumulation) : l).backward();
    }
    return params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  });
  for (const t of Object.values(teacher) as Tensor[]) t.dispose();
  return value;
}

import type { Tensor } from "@shrinkray/tensor-cuda";

/**
 * KL(teacher ‖ student) on logits [..., V] at temperature T, averaged over positions and scaled
 * by T² (Hinton et al.), so gradients keep their size as T changes. Written here rather than
 * taken from `kd-losses` because this package may import only tensor-cuda and gptq; pass your
 * own loss to trainQat's `distill.loss` to use another one.
 */
export function klDistillLoss(student: Tensor, teacher: Tensor, temperature = 1): Tensor {
  const logP = teacher.detach().div(temperature).logSoftmax(-1);
  const logQ = student.div(temperature).logSoftmax(-1);
  const rows = student.size / student.shape[student.rank - 1];
  return logP
    .exp()
    .mul(logP.sub(logQ))
    .sum()
    .mul((temperature * temperature) / rows);
}

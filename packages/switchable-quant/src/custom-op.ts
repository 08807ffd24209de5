import { isGradEnabled, type Tensor } from "@shrinkray/tensor-cuda";

/**
 * Attaches a backward rule to `out`, the contract of tensor-cuda's internal `recordOp` written
 * against the Tensor's public autograd fields: that function is not part of tensor-cuda's public
 * surface, and this package may import nothing else. If tensor-cuda exports it one day, this file
 * becomes a re-export.
 */
export function recordCustomOp(
  op: string,
  inputs: readonly Tensor[],
  out: Tensor,
  backward: (g: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = { op, inputs, backward };
  // tidy() must keep what the tape still reads.
  out.heldByGraph = true;
  for (const t of inputs) t.heldByGraph = true;
  return out;
}

/*
 * Parameter and FLOP counts as closed formulas, so a policy can be priced before any layer is
 * built (the Qwen-sized bench) and tests can hold the modules to them exactly.
 *
 * FLOPs are per token (one input row) for a forward pass: a multiply-add counts 2, a bias add,
 * the scale of the low-rank path (applied to its r-wide intermediate) and the sum of the two
 * paths count 1 per element. Dropout is a training-time cost and is not counted.
 */

function checkGroups(inFeatures: number, outFeatures: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || inFeatures % groups !== 0 || outFeatures % groups !== 0) {
    throw new RangeError(
      `groups = ${groups} must be a positive integer dividing in = ${inFeatures} and out = ${outFeatures}`,
    );
  }
}

export function linearParams(inFeatures: number, outFeatures: number, bias: boolean): number {
  return inFeatures * outFeatures + (bias ? outFeatures : 0);
}

export function linearFlops(inFeatures: number, outFeatures: number, bias: boolean): number {
  return 2 * inFeatures * outFeatures + (bias ? outFeatures : 0);
}

/** g blocks of (in/g × out/g): in·out/g weights. */
export function groupedParams(
  inFeatures: number,
  outFeatures: number,
  groups: number,
  bias: boolean,
): number {
  checkGroups(inFeatures, outFeatures, groups);
  return (inFeatures * outFeatures) / groups + (bias ? outFeatures : 0);
}

export function groupedFlops(inFeatures: number, outFeatures: number, groups: number, bias: boolean): number {
  checkGroups(inFeatures, outFeatures, groups);
  return (2 * inFeatures * outFeatures) / groups + (bias ? outFeatures : 0);
}

/** A [r, in] and B [out, r]. */
export function lowRankParams(inFeatures: number, outFeatures: number, rank: number): number {
  return rank * (inFeatures + outFeatures);
}

export function lowRankFlops(inFeatures: number, outFeatures: number, rank: number): number {
  return 2 * rank * (inFeatures + outFeatures) + rank;
}

/** A dense base plus the adapter; `trainableOnly` leaves out a frozen base. */
export function loraParams(
  inFeatures: number,
  outFeatures: number,
  rank: number,
  bias: boolean,
  opts: { trainableOnly?: boolean; trainBase?: boolean } = {},
): number {
  const base = opts.trainableOnly && !opts.trainBase ? 0 : linearParams(inFeatures, outFeatures, bias);
  return base + lowRankParams(inFeatures, outFeatures, rank);
}

export function loraFlops(inFeatures: number, outFeatures: number, rank: number, bias: boolean): number {
  return (
    linearFlops(inFeatures, outFeatures, bias) + lowRankFlops(inFeatures, outFeatures, rank) + outFeatures
  );
}

export function groupedLoraParams(
  inFeatures: number,
  outFeatures: number,
  groups: number,
  rank: number,
  bias: boolean,
): number {
  return groupedParams(inFeatures, outFeatures, groups, bias) + lowRankParams(inFeatures, outFeatures, rank);
}

export function groupedLoraFlops(
  inFeatures: number,
  outFeatures: number,
  groups: number,
  rank: number,
  bias: boolean,
): number {
  return (
    groupedFlops(inFeatures, outFeatures, groups, bias) +
    lowRankFlops(inFeatures, outFeatures, rank) +
    outFeatures
  );
}

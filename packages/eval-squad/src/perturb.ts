import type { SquadItem } from "./dataset.js";

/**
 * A text perturbation, deterministic in (text, index) so clean and perturbed runs are paired and
 * reruns agree; the runner passes eval-rupbench's typo generator seeded by `index`.
 */
export type Perturbation = (text: string, index: number) => string;

export type PerturbTarget = "question" | "context";

/**
 * The item with its question or context perturbed; `index` is the item's position in the
 * evaluated list (so each question of a paragraph sees its own perturbed copy of the context).
 * Gold answers stay as they are: an answer span hit by a typo is part of what is measured.
 */
export function perturbItem(
  item: SquadItem,
  index: number,
  perturb: Perturbation,
  target: PerturbTarget,
): SquadItem {
  return { ...item, [target]: perturb(item[target], index) };
}

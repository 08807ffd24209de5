import type { SquadItem } from "./dataset.js";
import { exactMatch, f1Score, maxOverGold } from "./metrics.js";

export interface ItemResult {
  id: string;
  /** The model's answer after cutting at a stop string. */
  prediction: string;
  /** 0 or 1, best over the gold answers. */
  exactMatch: number;
  /** 0..1, best over the gold answers. */
  f1: number;
  /** Whether the perturbation changed the item's text (false on clean runs). */
  perturbed: boolean;
}

export function scorePrediction(item: SquadItem, prediction: string, perturbed = false): ItemResult {
  return {
    id: item.id,
    prediction,
    exactMatch: maxOverGold(exactMatch, prediction, item.answers),
    f1: maxOverGold(f1Score, prediction, item.answers),
    perturbed,
  };
}

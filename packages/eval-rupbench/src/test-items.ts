import type { RupItem } from "./item.js";
import { PERTURBATIONS, type Perturbation } from "./perturbation-kinds.js";

/** A small item for tests; every perturbed text is "<original> [<perturbation>]". */
export function testItem(over: Partial<RupItem> = {}): RupItem {
  const original = over.original ?? "Where is money kept?";
  return {
    id: "t1",
    dataset: "Test",
    category: "commonsense",
    original,
    perturbed: Object.fromEntries(PERTURBATIONS.map((p) => [p, `${original} [${p}]`])) as Record<
      Perturbation,
      string
    >,
    answerKind: "choice",
    options: [
      { label: "A", text: "bank" },
      { label: "B", text: "library" },
    ],
    gold: "A",
    defects: {
      noOp: [],
      redHerringEmpty: false,
      redHerringPolluted: false,
      redHerringQuoted: false,
      emptyOriginal: false,
    },
    ...over,
  };
}

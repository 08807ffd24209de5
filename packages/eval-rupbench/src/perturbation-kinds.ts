/** The nine RUPBench perturbations, in the benchmark's order, with their CSV suffix and level. */
export const PERTURBATIONS = [
  "homophones",
  "typos",
  "leetspeak",
  "itCleft",
  "whCleft",
  "compound",
  "redHerrings",
  "checklist",
  "stress",
] as const;

export type Perturbation = (typeof PERTURBATIONS)[number];

export type PerturbationLevel = "lexical" | "syntactic" | "semantic";

export const PERTURBATION_LEVELS: readonly PerturbationLevel[] = ["lexical", "syntactic", "semantic"];

export const LEVEL_OF: Record<Perturbation, PerturbationLevel> = {
  homophones: "lexical",
  typos: "lexical",
  leetspeak: "lexical",
  itCleft: "syntactic",
  whCleft: "syntactic",
  compound: "syntactic",
  redHerrings: "semantic",
  checklist: "semantic",
  stress: "semantic",
};

/** Column suffix in the released files: `<base column><suffix>`. */
export const CSV_SUFFIX: Record<Perturbation, string> = {
  homophones: "_HP",
  typos: "_typos",
  leetspeak: "_Leet",
  itCleft: "_It_cleft",
  whCleft: "_Wh_cleft",
  compound: "_comp",
  redHerrings: "_red_herrings",
  checklist: "_checklist",
  stress: "_stress",
};

/**
 * The toy world's vocabulary: people, the things they own, and the phrasings of what happens
 * to those things. Word problems and multiple-choice items draw from the same lists, so a
 * model that learns one kind of item has seen the words of the other.
 */

export interface Person {
  name: string;
  /** Subject pronoun, capitalised at a sentence start by the templates. */
  pronoun: "he" | "she";
}

export const PEOPLE: readonly Person[] = [
  ...[
    "Mia",
    "Emma",
    "Ava",
    "Lily",
    "Zoe",
    "Nora",
    "Ruby",
    "Ella",
    "Anna",
    "Sara",
    "Lucy",
    "Maya",
    "Ivy",
    "Rosa",
  ].map((name) => ({ name, pronoun: "she" as const })),
  ...[
    "Tom",
    "Sam",
    "Ben",
    "Leo",
    "Max",
    "Jack",
    "Noah",
    "Owen",
    "Eli",
    "Adam",
    "Luke",
    "Omar",
    "Ian",
    "Carl",
  ].map((name) => ({ name, pronoun: "he" as const })),
];

/** Countable things, plural, with the container they come in. */
export const THINGS: readonly { plural: string; box: string }[] = [
  { plural: "apples", box: "bags" },
  { plural: "marbles", box: "jars" },
  { plural: "stickers", box: "packs" },
  { plural: "books", box: "boxes" },
  { plural: "pencils", box: "boxes" },
  { plural: "cookies", box: "boxes" },
  { plural: "coins", box: "bags" },
  { plural: "cards", box: "packs" },
  { plural: "shells", box: "buckets" },
  { plural: "stamps", box: "sheets" },
  { plural: "balloons", box: "bags" },
  { plural: "crayons", box: "boxes" },
  { plural: "eggs", box: "cartons" },
  { plural: "flowers", box: "pots" },
  { plural: "toy cars", box: "boxes" },
  { plural: "beads", box: "jars" },
  { plural: "oranges", box: "bags" },
  { plural: "candles", box: "packs" },
  { plural: "buttons", box: "jars" },
  { plural: "rocks", box: "buckets" },
];

/** "{who} {verb} {n} more {things}": the count goes up. `other` is filled with a second name. */
export const GAIN_PHRASES: readonly string[] = [
  "buys {n} more {things}",
  "finds {n} more {things}",
  "gets {n} more {things} from {other}",
  "picks up {n} more {things}",
  "is given {n} more {things}",
  "wins {n} more {things}",
  "makes {n} more {things}",
];

/** "{who} {verb} {n} {things}": the count goes down. */
export const LOSS_PHRASES: readonly string[] = [
  "gives {n} {things} to {other}",
  "loses {n} {things}",
  "sells {n} {things}",
  "gives away {n} {things}",
  "uses {n} {things}",
  "trades {n} {things} with {other}",
];

export const MULTIPLIER_WORDS: Record<number, string> = { 2: "twice", 3: "three times", 4: "four times" };

/** Comparatives for ordering questions: [comparative, superlative, opposite superlative]. */
export const COMPARATIVES: readonly [string, string, string][] = [
  ["taller", "tallest", "shortest"],
  ["older", "oldest", "youngest"],
  ["faster", "fastest", "slowest"],
  ["stronger", "strongest", "weakest"],
  ["heavier", "heaviest", "lightest"],
];

/** Irrelevant sentences for RUPBench's red-herring perturbation. */
export const RED_HERRINGS: readonly string[] = [
  "The weather was sunny that day.",
  "The shop opens at nine in the morning.",
  "There is a park next to the school.",
  "The bus was a little late.",
  "A cat sat on the wall outside.",
  "The radio was playing a song.",
  "It rained the day before.",
  "The library has a blue door.",
];

/**
 * Multiple-choice reasoning items from the toy world in RUPBench's normalised shape (RupItem:
 * the text, its nine perturbed versions, options A–D and the gold letter), perturbed by
 * eval-rupbench's own generators. Four kinds:
 * - most/fewest: four people's counts, who has the most (or fewest);
 * - parity: which of four numbers is even (or odd);
 * - sum/difference: a one-step word problem with four candidate answers;
 * - ordering: two comparisons of three people, who is the -est (transitivity).
 */
import { perturbQuestions, type Rng, type RupItem, type SourceQuestion } from "@shrinkray/eval-rupbench";
import { type DrawOptions, drawItems } from "./splits.js";
import { COMPARATIVES, GAIN_PHRASES, LOSS_PHRASES, PEOPLE, RED_HERRINGS, THINGS } from "./world.js";

export const CHOICE_DATASET = "toy-rupbench";
export const CHOICE_KINDS = ["most", "parity", "arithmetic", "ordering"] as const;
export type ChoiceKind = (typeof CHOICE_KINDS)[number];

const LETTERS = ["A", "B", "C", "D"];

/** A question with its options in a random order; `gold` is the text of the right one. */
function withOptions(
  rng: Rng,
  base: Omit<SourceQuestion, "options" | "gold">,
  gold: string,
  wrong: string[],
): SourceQuestion {
  const options = rng.sample([gold, ...wrong], 4);
  return { ...base, options, gold: LETTERS[options.indexOf(gold)], answerKind: "choice" };
}

function listOf(parts: string[]): string {
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** Distinct integers in [lo, hi]. */
function distinct(rng: Rng, k: number, lo: number, hi: number): number[] {
  const all = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return rng.sample(all, k);
}

function most(rng: Rng, id: string): SourceQuestion {
  const people = rng.sample(PEOPLE, 4);
  const { plural } = rng.pick(THINGS);
  const counts = distinct(rng, 4, 1, 30);
  const fewest = rng.next() < 0.5;
  const best = counts.indexOf(fewest ? Math.min(...counts) : Math.max(...counts));
  const text = `${listOf(people.map((p, i) => `${p.name} has ${counts[i]} ${plural}`))}. Who has the ${fewest ? "fewest" : "most"} ${plural}?`;
  const names = people.map((p) => p.name);
  return withOptions(
    rng,
    { id, dataset: CHOICE_DATASET, category: "numerical", text },
    names[best],
    names.filter((_, i) => i !== best),
  );
}

function parity(rng: Rng, id: string): SourceQuestion {
  const even = rng.next() < 0.5;
  const pool = (want: boolean) =>
    Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => (n % 2 === 0) === want);
  const gold = rng.pick(pool(even));
  const wrong = rng.sample(pool(!even), 3);
  const text = `Which of these numbers is ${even ? "even" : "odd"}?`;
  return withOptions(
    rng,
    { id, dataset: CHOICE_DATASET, category: "numerical", text },
    String(gold),
    wrong.map(String),
  );
}

function arithmetic(rng: Rng, id: string): SourceQuestion {
  const who = rng.pick(PEOPLE);
  const other = rng.pick(PEOPLE.filter((p) => p !== who));
  const { plural } = rng.pick(THINGS);
  const start = rng.between(2, 20);
  const gain = rng.next() < 0.5;
  const n = gain ? rng.between(1, 20) : rng.between(1, start - 1);
  const phrase = rng
    .pick(gain ? GAIN_PHRASES : LOSS_PHRASES)
    .replace(/\{(\w+)\}/g, (_, k: string) => (k === "n" ? String(n) : k === "things" ? plural : other.name));
  const answer = gain ? start + n : start - n;
  const text = `${who.name} has ${start} ${plural}. ${who.pronoun === "he" ? "He" : "She"} ${phrase}. How many ${plural} does ${who.name} have now?`;
  const near = rng.sample(
    [-3, -2, -1, 1, 2, 3, 10].map((d) => answer + d).filter((x) => x >= 0),
    3,
  );
  return withOptions(
    rng,
    { id, dataset: CHOICE_DATASET, category: "arithmetic", text },
    String(answer),
    near.map(String),
  );
}

function ordering(rng: Rng, id: string): SourceQuestion {
  const [a, b, c, d] = rng.sample(PEOPLE, 4);
  const [comparative, top, bottom] = rng.pick(COMPARATIVES);
  const facts = [
    `${a.name} is ${comparative} than ${b.name}.`,
    `${b.name} is ${comparative} than ${c.name}.`,
  ];
  if (rng.next() < 0.5) facts.reverse();
  const askTop = rng.next() < 0.5;
  const text = `${facts.join(" ")} Who is the ${askTop ? top : bottom}?`;
  const gold = askTop ? a : c;
  const wrong = [a, b, c, d].filter((p) => p !== gold).map((p) => p.name);
  return withOptions(rng, { id, dataset: CHOICE_DATASET, category: "logical", text }, gold.name, wrong);
}

const MAKERS: Record<ChoiceKind, (rng: Rng, id: string) => SourceQuestion> = {
  most,
  parity,
  arithmetic,
  ordering,
};

/** Source questions (before perturbation), kinds in rotation. */
export function choiceQuestions(draw: DrawOptions): SourceQuestion[] {
  return drawItems(
    CHOICE_DATASET,
    draw,
    (rng, i) => MAKERS[CHOICE_KINDS[i % CHOICE_KINDS.length]](rng, `${CHOICE_DATASET}-${draw.split}-${i}`),
    (q) => `${q.text}\n${(q.options as string[]).join("\n")}`,
  );
}

/** RUPBench items: each question with its nine perturbations, from the same seed. */
export function choiceItems(draw: DrawOptions): RupItem[] {
  return perturbQuestions(choiceQuestions(draw), { seed: draw.seed, redHerrings: RED_HERRINGS });
}

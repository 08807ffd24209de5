import { wordProblems } from "../src/toy/tasks/arithmetic.js";
import { choiceItems } from "../src/toy/tasks/choice.js";
const w = wordProblems({ split: "heldout", seed: 1, count: 5 });
for (const p of w) console.log(p.question, "\n---\n" + p.answer + "\n");
const c = choiceItems({ split: "train", seed: 1, count: 4 });
for (const i of c) console.log(JSON.stringify({ o: i.original, opts: i.options, gold: i.gold, cat: i.category, typos: i.perturbed.typos, leet: i.perturbed.leetspeak, rh: i.perturbed.redHerrings, cl: i.perturbed.checklist }, null, 1));

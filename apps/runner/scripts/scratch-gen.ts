import { extractAnswer } from "@shrinkray/answer-extract";
import { wordProblems } from "../src/toy/tasks/arithmetic.js";
import { DEFAULT_RECIPE, encodeExamples, learnTokenizer, trainingExamples } from "../src/toy/train.js";

const w = wordProblems({ split: "heldout", seed: 1, count: 200 });
let ok = 0;
for (const p of w) if (extractAnswer(p.answer).value === p.gold) ok++;
console.log("extract on gold answers", ok, "/", w.length, extractAnswer(w[0].answer));
console.time("corpus");
const r = { ...DEFAULT_RECIPE, wordProblems: 6000, choiceQuestions: 2000 };
const ex = trainingExamples(r);
console.timeEnd("corpus");
console.time("bpe");
const tok = learnTokenizer(ex, r);
console.timeEnd("bpe");
console.log(tok.vocabSize);
const enc = encodeExamples(tok, ex, 256);
const g = enc.slice(0, 6000),
  c = enc.slice(6000);
console.log(
  "gsm mean",
  g.reduce((a, e) => a + e.ids.length, 0) / g.length,
  "choice mean",
  c.reduce((a, e) => a + e.ids.length, 0) / c.length,
  "max",
  Math.max(...enc.map((e) => e.ids.length)),
);
const ids = tok.tokenizer.encode(ex[0].prompt + ex[0].completion);
console.log(ids.map((i) => tok.tokenizer.idToToken(i)).join("|"));
console.log(JSON.stringify(tok.tokenizer.decode(ids)));
const last = ex[ex.length - 1];
console.log(
  tok.tokenizer
    .encode(last.prompt + last.completion)
    .map((i) => tok.tokenizer.idToToken(i))
    .join("|"),
);

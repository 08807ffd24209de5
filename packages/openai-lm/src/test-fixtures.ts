/*
 * Test support (not exported): a small multiple-choice set, the vocabulary that covers it, and
 * the reference scorer that reads log-likelihoods straight off the mock model's table, the way an
 * in-process model adapter would, without HTTP or offsets.
 */
import { TableModel } from "./mock-server.js";

export const MC_ITEMS = [
  {
    context: "Question: What is the capital of France?\nAnswer:",
    choices: [" Paris", " London", " Rome", " New York"],
  },
  { context: "Question: Which animal barks?\nAnswer:", choices: [" a dog", " a cat", " the big fish"] },
  { context: "Q: 2 + 2 =", choices: [" 4", " 5", " 22"] },
  { context: "The sky is", choices: [" blue.", " green.", " made of cheese."] },
];

// Every extra token starts with whitespace, so generated text re-tokenises into the same tokens.
const EXTRA = [" the", " a", " and", " of", " is", " it", " yes", " no"];

export function mcModel(): TableModel {
  const m = new TableModel([]);
  const words = MC_ITEMS.flatMap((it) => [it.context, ...it.choices].flatMap((t) => m.tokenize(t)));
  return new TableModel([...words, ...EXTRA]);
}

/** Log-likelihood of `continuation` after `context`, tokenised separately and read off the table. */
export function referenceLoglikelihood(model: TableModel, context: string, continuation: string) {
  const ctx = model.tokenize(context);
  const cont = model.tokenize(continuation);
  let logprob = 0;
  let greedy = true;
  cont.forEach((tok, j) => {
    const dist = model.logprobs([...ctx, ...cont.slice(0, j)]);
    const lp = dist[model.id(tok)];
    logprob += lp;
    if (lp < Math.max(...dist)) greedy = false;
  });
  return { logprob, greedy };
}

/**
 * The model's own greedy continuation of `context`, `n` tokens long, or undefined when its text
 * would tokenise differently (a token without leading whitespace merges with the one before).
 */
export function greedyContinuation(model: TableModel, context: string, n: number): string | undefined {
  const tokens = model.tokenize(context);
  const generated: string[] = [];
  for (let i = 0; i < n; i++) {
    const dist = model.logprobs([...tokens, ...generated]);
    generated.push(model.vocab[dist.indexOf(Math.max(...dist))]);
  }
  const text = generated.join("");
  const again = model.tokenize(context + text);
  return again.length === tokens.length + n && again.slice(tokens.length).every((t, i) => t === generated[i])
    ? text
    : undefined;
}

export const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

/** Options that make retries instant and deterministic. */
export const fastRetries = { backoff: { initialMs: 1, maxMs: 4 }, random: () => 0 };

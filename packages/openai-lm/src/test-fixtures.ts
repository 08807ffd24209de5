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

/** Options that make retries instant and silent (no stderr lines from the default retry log). */
export const quietFastRetries = { ...fastRetries, onRetry: () => {} };

/**
 * A `fetch` that answers every POST with `answer(body)` (a recorded response shape) and keeps the
 * request bodies: the client's HTTP layer runs unchanged, with no socket.
 */
export function replayFetch(answer: (body: Record<string, any>) => unknown, status = 200) {
  const requests: Record<string, any>[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Record<string, any>;
    requests.push(body);
    return new Response(JSON.stringify(answer(body)), {
      status,
      headers: { "content-type": "application/json" },
    });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

/**
 * A tokenizer over a fixed word vocabulary (each token carries the whitespace before it), with an
 * optional BOS id put first, as a real tokenizer's `encode(text)` does for Llama models.
 */
export function wordTokenizer(vocab: Record<string, number>, bos?: number) {
  return {
    encode(text: string): number[] {
      const words = text.match(/\s*\S+|\s+$/g) ?? [];
      const ids = words.map((w) => {
        const id = vocab[w];
        if (id === undefined) throw new Error(`wordTokenizer: ${JSON.stringify(w)} is not in the vocabulary`);
        return id;
      });
      return bos === undefined ? ids : [bos, ...ids];
    },
  };
}

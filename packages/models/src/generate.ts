/**
 * Batched decoding with a KV cache: prompts are left-padded to one length, prefilled once,
 * then extended a token per step; each row stops on its own (EOS, a stop string, or its token
 * budget) and finished rows are fed padding until the whole batch is done.
 */
import { Generator, noGrad, Tensor, tidy } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import { nextToken, type SamplingOptions } from "./sampling.js";
import type { Tokenizer } from "./tokenizer.js";

export interface GenerateOptions extends SamplingOptions {
  /** New tokens per row: one budget for all, or one per prompt. */
  maxNewTokens: number | number[];
  /** Stop strings (needs a tokenizer): for all rows, or one list per prompt. */
  stop?: string[] | string[][];
  /** Default: the model's generation_config, then its tokenizer's eos_token. */
  eosTokenIds?: number[];
  padTokenId?: number;
  seed?: number;
  generator?: Generator;
  tokenizer?: Tokenizer | null;
}

export type FinishReason = "eos" | "stop" | "length";

export interface GenerateResult {
  /** New tokens per row, without the EOS token that ended it. */
  tokens: number[][];
  /** The decoded new text, cut before a stop string (when a tokenizer is known). */
  texts: string[] | null;
  finishReasons: FinishReason[];
}

function perRow<T>(v: T | T[] | undefined, n: number, isList: (x: unknown) => boolean): (T | undefined)[] {
  if (v === undefined) return new Array(n).fill(undefined);
  return isList(v) ? (v as T[]) : new Array(n).fill(v);
}

export async function generateTokens(
  model: CausalLM,
  prompts: number[][],
  opts: GenerateOptions,
): Promise<GenerateResult> {
  const B = prompts.length;
  if (B === 0) return { tokens: [], texts: [], finishReasons: [] };
  if (prompts.some((p) => p.length === 0))
    throw new RangeError("generate: every prompt needs at least one token");
  const tokenizer = opts.tokenizer ?? model.tokenizer;
  const gen = opts.generator ?? new Generator(opts.seed ?? 0);
  const budgets = perRow(opts.maxNewTokens, B, Array.isArray) as number[];
  const stops = perRow<string[]>(opts.stop as string[] | undefined, B, (x) =>
    Array.isArray((x as unknown[])[0]),
  );
  if (stops.some((s) => s?.length) && !tokenizer)
    throw new TypeError("generate: stop strings need a tokenizer");
  const eos = new Set(
    opts.eosTokenIds ??
      (model.generationConfig?.eosTokenIds.length
        ? model.generationConfig.eosTokenIds
        : [tokenizer?.specialTokenId("eos")]
      ).filter((x): x is number => typeof x === "number"),
  );
  const pad =
    opts.padTokenId ??
    model.generationConfig?.padTokenId ??
    tokenizer?.specialTokenId("pad") ??
    [...eos][0] ??
    0;

  const L = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(B * L).fill(pad);
  const mask = new Array<number[]>(B);
  prompts.forEach((p, b) => {
    ids.set(p, b * L + L - p.length);
    mask[b] = Array.from({ length: L }, (_, t) => (t >= L - p.length ? 1 : 0));
  });
  const padded = prompts.some((p) => p.length < L);

  const out: number[][] = prompts.map(() => []);
  const texts: string[] = prompts.map(() => "");
  const reasons: (FinishReason | null)[] = budgets.map((n) => (n <= 0 ? "length" : null));
  const cache = model.newCache();
  try {
    let logits = noGrad(() =>
      tidy(() =>
        model.forward(Tensor.from(ids, [B, L], { device: model.device }), {
          cache,
          attentionMask: padded ? mask : null,
          logitsToKeep: 1,
        }),
      ),
    );
    while (reasons.some((r) => r === null)) {
      const rows = (await logits.data()) as Float32Array;
      logits.dispose();
      const V = rows.length / B;
      const next = new Int32Array(B).fill(pad);
      for (let b = 0; b < B; b++) {
        if (reasons[b] !== null) continue;
        const tok = nextToken(rows.subarray(b * V, (b + 1) * V), opts, gen);
        next[b] = tok;
        if (eos.has(tok)) {
          reasons[b] = "eos";
          continue;
        }
        out[b].push(tok);
        if (stops[b]?.length && tokenizer) {
          const text = tokenizer.decode(out[b], { skipSpecialTokens: true });
          const cut = firstStop(text, stops[b]!);
          if (cut >= 0) {
            texts[b] = text.slice(0, cut);
            reasons[b] = "stop";
            continue;
          }
        }
        if (out[b].length >= budgets[b]) reasons[b] = "length";
      }
      if (reasons.every((r) => r !== null)) break;
      logits = noGrad(() =>
        tidy(() => model.forward(Tensor.from(next, [B, 1], { device: model.device }), { cache })),
      );
    }
  } finally {
    cache.dispose();
  }
  const decoded = tokenizer
    ? out.map((t, b) => (reasons[b] === "stop" ? texts[b] : tokenizer.decode(t, { skipSpecialTokens: true })))
    : null;
  return { tokens: out, texts: decoded, finishReasons: reasons as FinishReason[] };
}

function firstStop(text: string, stops: string[]): number {
  let cut = -1;
  for (const s of stops) {
    const i = s ? text.indexOf(s) : -1;
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut;
}

/** Text in, text out: prompts are encoded with the model's tokenizer (or the one given). */
export async function generateText(
  model: CausalLM,
  prompts: string[],
  opts: GenerateOptions & { addSpecialTokens?: boolean },
): Promise<string[]> {
  const tokenizer = opts.tokenizer ?? model.tokenizer;
  if (!tokenizer)
    throw new TypeError("generateText: the model has no tokenizer (tokenizer.json was not in its directory)");
  const ids = prompts.map((p) => tokenizer.encode(p, { addSpecialTokens: opts.addSpecialTokens ?? true }));
  return (await generateTokens(model, ids, { ...opts, tokenizer })).texts!;
}

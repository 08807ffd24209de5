/**
 * The LanguageModel protocol of DESIGN.md (lm-evaluation-harness's generate_until and
 * loglikelihood) over a loaded model: requests are sorted by length and run in batches with
 * left padding, so a batch wastes little on padding and answers come back in request order.
 */
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import type { CausalLM } from "./causal-lm.js";
import { type GenerateOptions, generateTokens } from "./generate.js";
import type { SamplingOptions } from "./sampling.js";
import type { Tokenizer } from "./tokenizer.js";

export interface GenerateRequest {
  prompt: string;
  maxNewTokens: number;
  stop?: string[];
}

export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface LoglikelihoodResult {
  logprob: number;
  /** Every continuation token was the argmax (lm-eval's is_greedy). */
  greedy: boolean;
}

export interface LanguageModelOptions {
  tokenizer?: Tokenizer;
  batchSize?: number;
  /** Longest input; longer contexts lose their oldest tokens (default: the config's limit or 2048). */
  maxLength?: number;
  /** Decoding settings for generate (default greedy). */
  sampling?: SamplingOptions & { seed?: number };
}

/** Request indices sorted by a key, longest first, cut into batches. */
function batchesByLength(lengths: number[], size: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

export class ModelLanguageModel {
  readonly tokenizer: Tokenizer;
  readonly batchSize: number;
  readonly maxLength: number;

  constructor(
    readonly model: CausalLM,
    private readonly opts: LanguageModelOptions = {},
  ) {
    const tok = opts.tokenizer ?? model.tokenizer;
    if (!tok) throw new TypeError("ModelLanguageModel: the model has no tokenizer; pass one in the options");
    this.tokenizer = tok;
    this.batchSize = opts.batchSize ?? 8;
    const c = model.config;
    const limit = c.max_position_embeddings ?? c.n_positions;
    this.maxLength = opts.maxLength ?? (typeof limit === "number" ? limit : 2048);
  }

  async generate(reqs: GenerateRequest[]): Promise<string[]> {
    const prompts = reqs.map((r) => this.tokenizer.encode(r.prompt));
    const out = new Array<string>(reqs.length);
    for (const batch of batchesByLength(
      prompts.map((p) => p.length),
      this.batchSize,
    )) {
      const budgets = batch.map((i) => reqs[i].maxNewTokens);
      // Keep the newest tokens when a prompt and its budget would not fit the model.
      const ids = batch.map((i, j) => prompts[i].slice(-Math.max(1, this.maxLength - budgets[j])));
      const opts: GenerateOptions = {
        ...this.opts.sampling,
        maxNewTokens: budgets,
        stop: batch.map((i) => reqs[i].stop ?? []),
        tokenizer: this.tokenizer,
      };
      const res = await generateTokens(this.model, ids, opts);
      batch.forEach((i, j) => {
        out[i] = res.texts![j];
      });
    }
    return out;
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    const encoded = reqs.map((r) => this.encodePair(r.context, r.continuation));
    const out = new Array<LoglikelihoodResult>(reqs.length);
    const lengths = encoded.map(([c, x]) => Math.min(c.length + x.length - 1, this.maxLength));
    for (const batch of batchesByLength(lengths, this.batchSize)) {
      const rows = batch.map((i) => {
        const [ctx, cont] = encoded[i];
        // The model reads ctx + cont minus the last token; logits at the last |cont| positions score cont.
        const input = [...ctx, ...cont].slice(0, -1).slice(-this.maxLength);
        return { input, cont };
      });
      const L = Math.max(...rows.map((r) => r.input.length));
      const ids = new Int32Array(batch.length * L);
      const mask = rows.map((r) => Array.from({ length: L }, (_, t) => (t >= L - r.input.length ? 1 : 0)));
      rows.forEach((r, b) => {
        ids.set(r.input, b * L + L - r.input.length);
      });
      const padded = rows.some((r) => r.input.length < L);
      // Position L − |cont| + j predicts cont[j]; every other position is left unscored.
      const targets = new Int32Array(batch.length * L).fill(-100);
      rows.forEach((r, b) => {
        targets.set(r.cont, b * L + L - r.cont.length);
      });
      const scored = noGrad(() =>
        this.model.scoreTargets(Tensor.from(ids, [batch.length, L]), targets, {
          attentionMask: padded ? mask : null,
        }),
      );
      const logprobs = (await scored.logprobs.data()) as Float32Array;
      const greedy = (await scored.greedy.data()) as Uint8Array;
      scored.logprobs.dispose();
      scored.greedy.dispose();
      let at = 0;
      rows.forEach((r, b) => {
        let logprob = 0;
        let isGreedy = true;
        for (let j = 0; j < r.cont.length; j++, at++) {
          logprob += logprobs[at];
          isGreedy &&= greedy[at] === 1;
        }
        out[batch[b]] = { logprob, greedy: isGreedy };
      });
    }
    return out;
  }

  /**
   * lm-eval's split: trailing spaces of the context move to the continuation, then the
   * continuation's tokens are those of the whole string beyond the context's tokens (so a
   * merge across the boundary is scored as the tokenizer would produce it).
   */
  private encodePair(context: string, continuation: string): [number[], number[]] {
    const spaces = context.length - context.trimEnd().length;
    if (spaces > 0) {
      continuation = context.slice(context.length - spaces) + continuation;
      context = context.slice(0, context.length - spaces);
    }
    let ctx = this.tokenizer.encode(context);
    const whole = this.tokenizer.encode(context + continuation);
    let cont = whole.slice(ctx.length);
    if (context === "" || ctx.length === 0) {
      // No context: condition on the end-of-text token, as lm-eval does.
      const eot = this.tokenizer.specialTokenId("eos") ?? this.model.generationConfig?.eosTokenIds[0] ?? 0;
      ctx = [eot];
      cont = this.tokenizer.encode(continuation);
    }
    return [ctx, cont];
  }
}

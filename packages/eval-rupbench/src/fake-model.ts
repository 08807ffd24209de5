import type { GenerateRequest, LanguageModel, LoglikelihoodRequest } from "./model.js";

/** A scripted LanguageModel for tests: answers come from functions, and calls are recorded. */
export function scriptedModel(script: {
  loglikelihood?: (req: LoglikelihoodRequest) => number;
  generate?: (req: GenerateRequest) => string;
}): LanguageModel & { calls: { generate: GenerateRequest[][]; loglikelihood: LoglikelihoodRequest[][] } } {
  const calls = { generate: [] as GenerateRequest[][], loglikelihood: [] as LoglikelihoodRequest[][] };
  return {
    calls,
    async generate(reqs) {
      calls.generate.push(reqs);
      return reqs.map((r) => script.generate?.(r) ?? "");
    },
    async loglikelihood(reqs) {
      calls.loglikelihood.push(reqs);
      return reqs.map((r) => ({ logprob: script.loglikelihood?.(r) ?? -1, greedy: false }));
    },
  };
}

/**
 * The language-model protocol shared by ShrinkRay's evaluation packages (DESIGN.md), declared
 * here rather than imported so this package depends on no model or tensor library: our models,
 * an ONNX session or a remote server satisfy it structurally.
 */
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
  greedy: boolean;
}

export interface LanguageModel {
  generate(reqs: GenerateRequest[]): Promise<string[]>;
  loglikelihood(reqs: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]>;
}

/** A window over the token stream: tokens [start, end), scored from `start + scoreFrom`. */
export interface WindowSpan {
  start: number;
  end: number;
  /** Relative to `start`; always ≥ 1 (the window's first token has no context). */
  scoreFrom: number;
}

function checkPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

/**
 * The GPTQ paper's windows: ⌊n / seqLen⌋ non-overlapping windows, the incomplete tail dropped
 * (`nsamples = testenc.numel() // seqlen` in IST-DASLab/gptq). Each scores its last seqLen − 1
 * tokens: GPTQ shifts logits against labels inside the window, so its first token is context only.
 */
export function gptqWindows(numTokens: number, seqLen: number): WindowSpan[] {
  checkPositive("seqLen", seqLen);
  if (seqLen < 2) throw new RangeError("seqLen must be at least 2: a window scores seqLen - 1 tokens");
  const count = Math.floor(numTokens / seqLen);
  return Array.from({ length: count }, (_, i) => ({
    start: i * seqLen,
    end: (i + 1) * seqLen,
    scoreFrom: 1,
  }));
}

/**
 * Hugging Face's strided recipe ("Perplexity of fixed-length models"): windows of at most seqLen
 * starting every `stride` tokens; each scores only the tokens the previous window did not reach
 * (the first scores all but its first token), so with stride < seqLen every token after the first
 * is scored exactly once with at least seqLen − stride tokens of context. The last window may be
 * short; nothing is dropped. With stride = seqLen a window's first token is context only (HF's
 * labels shift inside the window), so that variant is GPTQ's plus the tail.
 */
export function slidingWindows(numTokens: number, seqLen: number, stride: number): WindowSpan[] {
  checkPositive("seqLen", seqLen);
  checkPositive("stride", stride);
  if (stride > seqLen) throw new RangeError(`stride (${stride}) must not exceed seqLen (${seqLen})`);
  const spans: WindowSpan[] = [];
  let prevEnd = 0;
  for (let start = 0; start < numTokens; start += stride) {
    const end = Math.min(start + seqLen, numTokens);
    const newTokens = end - prevEnd;
    const scoreFrom = Math.max(1, end - start - newTokens);
    if (scoreFrom < end - start) spans.push({ start, end, scoreFrom });
    prevEnd = end;
    if (end === numTokens) break;
  }
  return spans;
}

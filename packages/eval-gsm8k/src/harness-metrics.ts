// lm-evaluation-harness's two GSM8K scores, reproduced for comparison with published numbers:
// a regex picks a string, both it and the reference are normalised (case, ",", "$", a trailing
// ".", everything up to "#### "), and the strings must be equal. "18.00" therefore does not
// match "18" here, although `sameNumber` says it does.

/** gsm8k's "#### N", or gsm8k-cot's "The answer is N." */
export type StrictStyle = "gsm8k" | "cot";

const STRICT: Record<StrictStyle, RegExp> = {
  gsm8k: /#### (-?[0-9.,]+)/,
  cot: /The answer is (-?[0-9.,]+)\./,
};
const FLEXIBLE = /(-?[$0-9.,]{2,})|(-?[0-9]+)/g;

function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s\S]*#### /, "")
    .replace(/,/g, "")
    .replace(/\$/g, "")
    .replace(/\.$/, "")
    .trim();
}

/** The harness's strict-match filter: the first regex match, or null ("[invalid]"). */
export function strictMatchAnswer(output: string, style: StrictStyle): string | null {
  return STRICT[style].exec(output)?.[1] ?? null;
}

/** The harness's flexible-extract filter: the last number-like run, or null. */
export function flexibleExtractAnswer(output: string): string | null {
  let last: string | null = null;
  for (const m of output.matchAll(FLEXIBLE)) last = m[1] ?? m[2];
  return last;
}

/** Exact match after the harness's normalisation; `goldAnswer` is GSM8K's full answer field. */
export function harnessMatch(predicted: string | null, goldAnswer: string): boolean {
  return predicted !== null && normalise(predicted) === normalise(goldAnswer);
}

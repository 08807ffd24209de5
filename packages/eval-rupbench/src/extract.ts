/*
 * Answer extraction for generation scoring. Kept local (eval-rupbench has no arrow to
 * answer-extract in DESIGN.md's graph); small, and specific to option letters and number words.
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The option label a response chooses: an explicit "answer is X" / "Answer: X" first, then a
 * label at the start ("B", "(B)", "B:"), then a lone label anywhere, then an option's full text.
 * Undefined when nothing matches: counted wrong, never guessed.
 */
export function extractChoice(
  response: string,
  options: readonly { label: string; text: string }[],
): string | undefined {
  const labels = options.map((o) => o.label);
  const alt = labels.map(escapeRegExp).join("|");
  const text = response.trim();
  const patterns = [
    // Labels are matched case-sensitively so that "the answer is a bank" does not read as A.
    new RegExp(`[Aa]nswer\\s*(?:is|:)?\\s*(?:[Oo]ption\\s*)?[(\\[]?(${alt})(?![\\p{L}\\p{N}])`, "u"),
    new RegExp(`^[(\\[]?(${alt})(?:[)\\]:.,]|\\s|$)`, "u"),
    // Elsewhere only a marked label: "(B)", "[B]", "B)" or "B:"; a bare "A" is usually an article.
    new RegExp(`(?<![\\p{L}\\p{N}])(?:[(\\[](${alt})[)\\]]|(${alt})[):])`, "u"),
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    const hit = m?.[1] ?? m?.[2];
    if (hit) return hit;
  }
  const lower = text.toLowerCase();
  const byText = options.filter((o) => o.text.trim() !== "" && lower.includes(o.text.trim().toLowerCase()));
  // Only when exactly one option's text appears; several mean the model listed them.
  return byText.length === 1 ? byText[0].label : undefined;
}

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** The first candidate word in a response; digits 0-10 count as their words. */
export function extractWord(response: string, candidates: readonly string[]): string | undefined {
  const tokens = response.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const t of tokens) {
    const word = /^\d+$/.test(t) && Number(t) <= 10 ? DIGIT_WORDS[Number(t)] : t;
    if (candidates.includes(word)) return word;
  }
  return undefined;
}

/** The final number of a response (after "####" or "answer is" when present), commas removed. */
export function extractNumber(response: string): number | undefined {
  const marked = /(?:####|answer\s*is\s*:?|answer\s*:)\s*\$?\s*(-?[\d,]*\.?\d+)/i.exec(response);
  const raw = marked?.[1] ?? response.match(/-?[\d,]*\.?\d+/g)?.pop();
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/,/g, ""));
  return Number.isFinite(n) ? n : undefined;
}

// The official SQuAD v1.1 evaluation script's `normalize_answer`, ported step for step:
// lower-case, remove punctuation, remove articles, collapse whitespace.

/** Python's `string.punctuation`: ASCII only, so "“" or "—" survive, as in the official script. */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

// Python 3's `\b` on str is Unicode-aware (a word character is a letter, digit or "_"), so the
// boundary is spelled with Unicode classes: JavaScript's `\b` would see "é" as a non-word char.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  let noPunct = "";
  for (const ch of lower) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return noPunct.replace(ARTICLES, " ").split(/\s+/).filter(Boolean).join(" ");
}

/** `normalize_answer(s).split()`. */
export const answerTokens = (s: string): string[] => {
  const n = normalizeAnswer(s);
  return n === "" ? [] : n.split(" ");
};

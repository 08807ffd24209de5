/** A whitespace-delimited word of a text and where it sits, so edits keep all other characters. */
export interface WordSpan {
  start: number;
  end: number;
  text: string;
}

export function wordSpans(text: string): WordSpan[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    text: m[0],
  }));
}

/** Replaces some words (by span index); spans not in `replacements` are left byte-for-byte. */
export function replaceWords(text: string, spans: WordSpan[], replacements: Map<number, string>): string {
  let out = "";
  let at = 0;
  spans.forEach((s, i) => {
    const r = replacements.get(i);
    if (r === undefined) return;
    out += text.slice(at, s.start) + r;
    at = s.end;
  });
  return out + text.slice(at);
}

/**
 * Inserts phrases at word boundaries: boundary k is before word k, and k = words.length is the
 * end of the text. Several insertions at one boundary keep their given order.
 */
export function insertAtBoundaries(text: string, insertions: { boundary: number; phrase: string }[]): string {
  const spans = wordSpans(text);
  const byBoundary = new Map<number, string[]>();
  for (const { boundary, phrase } of insertions) {
    const b = Math.max(0, Math.min(spans.length, boundary));
    byBoundary.set(b, [...(byBoundary.get(b) ?? []), phrase]);
  }
  let out = "";
  let at = 0;
  for (let k = 0; k <= spans.length; k++) {
    const phrases = byBoundary.get(k);
    if (!phrases) continue;
    if (k < spans.length) {
      out += text.slice(at, spans[k].start) + phrases.join(" ") + " ";
      at = spans[k].start;
    } else {
      const trimmed = text.replace(/\s+$/, "");
      out +=
        trimmed.slice(at) + (trimmed.length > 0 ? " " : "") + phrases.join(" ") + text.slice(trimmed.length);
      at = text.length;
    }
  }
  return out + text.slice(at);
}

/** Splits a word into leading punctuation, a core of letters/digits/apostrophes, and the rest. */
export function splitPunctuation(word: string): { pre: string; core: string; post: string } {
  const m = /^([^\p{L}\p{N}]*)([\p{L}\p{N}][\p{L}\p{N}'’-]*[\p{L}\p{N}]|[\p{L}\p{N}]?)(.*)$/su.exec(word)!;
  return { pre: m[1], core: m[2], post: m[3] };
}

/** Copies the capitalisation pattern of `like` (Title, UPPER or lower) onto `word`. */
export function matchCase(word: string, like: string): string {
  if (like.length > 1 && like === like.toUpperCase() && like !== like.toLowerCase())
    return word.toUpperCase();
  if (like[0] && like[0] !== like[0].toLowerCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}

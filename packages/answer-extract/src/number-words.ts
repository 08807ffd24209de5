// Small numbers written as words ("twelve", "two hundred and five", "a dozen"). Only read where
// they are unambiguous: right after an answer cue, inside \boxed{}, or when a text has no digits
// at all. Elsewhere "one" is usually a pronoun ("each one costs $3").

// Index in the list is the value: "zero" is 0, "twenty" is TENS[2] * 10.
const UNIT_WORDS =
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(
    " ",
  );
const TEN_WORDS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split(" ");
const UNITS: Record<string, number> = Object.fromEntries(UNIT_WORDS.map((w, i) => [w, i]));
const TENS: Record<string, number> = Object.fromEntries(TEN_WORDS.map((w, i) => [w, i * 10]).slice(2));
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };

export interface WordNumber {
  value: number;
  start: number;
  end: number;
  /** How many number words it spans ("two hundred" is 2); a lone "one" is the ambiguous case. */
  words: number;
}

const WORD = /[a-z]+/iy;

function wordAt(text: string, i: number): { word: string; end: number } | null {
  WORD.lastIndex = i;
  const m = WORD.exec(text);
  return m ? { word: m[0].toLowerCase(), end: i + m[0].length } : null;
}

/** Parses a number written in words starting exactly at `start`, or returns null. */
export function parseNumberWords(text: string, start: number, to = text.length): WordNumber | null {
  let total = 0;
  let group = 0;
  let words = 0;
  let end = start;
  let i = start;
  let pendingA = false;
  while (i < to) {
    const w = wordAt(text, i);
    if (!w || w.end > to) break;
    const { word } = w;
    if (word in UNITS) group += UNITS[word];
    else if (word in TENS) group += TENS[word];
    else if (word === "hundred") group = (group || (pendingA ? 1 : 0)) * 100;
    else if (word === "dozen") group = (group || (pendingA ? 1 : 0)) * 12;
    else if (word in SCALES) {
      total += (group || (pendingA ? 1 : 0)) * SCALES[word];
      group = 0;
    } else if ((word === "a" && words === 0) || (word === "and" && words > 0)) {
      // "a hundred", "two hundred and five": glue words, not numbers on their own.
      pendingA = word === "a";
      const sep = skipSeparator(text, w.end, to);
      if (sep === w.end) break;
      i = sep;
      continue;
    } else break;
    if (word !== "a" && word !== "and") {
      words++;
      end = w.end;
      pendingA = false;
    }
    const next = skipSeparator(text, w.end, to);
    if (next === w.end) break;
    i = next;
  }
  if (words === 0) return null;
  return { value: total + group, start, end, words };
}

function skipSeparator(text: string, i: number, to: number): number {
  return i < to && (text[i] === " " || text[i] === "-") ? i + 1 : i;
}

/** The last number written in words in text[from, to), skipping the lone pronoun-like "one". */
export function lastNumberWords(text: string, from: number, to: number): WordNumber | null {
  const re = /[a-z]+/gi;
  re.lastIndex = from;
  let last: WordNumber | null = null;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    if (m.index > 0 && /[a-z]/i.test(text[m.index - 1])) continue;
    const parsed = parseNumberWords(text, m.index, to);
    if (!parsed) continue;
    const lone = parsed.words === 1 && /^(one|a)$/i.test(text.slice(parsed.start, parsed.end));
    if (!lone) last = parsed;
    re.lastIndex = parsed.end;
  }
  return last;
}

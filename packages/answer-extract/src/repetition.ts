// A degenerate output ends in a loop ("18. 18. 18. …", the same sentence over and over) that ran
// until the token limit. Found as the shortest period p such that the end of the text repeats
// itself with period p for more than MIN_COPIES - 1 copies (the last one may be cut off, or lose
// its trailing newline) and MIN_CHARS characters; a unit cut off at the end ("18. 18. 1") still
// matches, since a prefix of the unit agrees with the unit.

/** Longest repeating unit looked for: a sentence or two. */
const MAX_PERIOD = 200;
const MIN_COPIES = 4;
const MIN_CHARS = 40;

export interface RepetitionTail {
  /** Length of the repeating unit, in UTF-16 code units. */
  period: number;
  /** Where the repetition starts; it runs to the end of the text examined (less trailing space). */
  start: number;
}

/** The repetition that text[0, to) ends in, or null. Linear in its length. */
export function repetitionTail(text: string, to = text.length): RepetitionTail | null {
  let end = to;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  for (let p = 1; p <= MAX_PERIOD && 2 * p <= end; p++) {
    const needed = Math.max((MIN_COPIES - 1) * p + 1, MIN_CHARS) - p;
    let run = 0;
    while (run < needed && end - 1 - run - p >= 0 && text[end - 1 - run] === text[end - 1 - run - p]) run++;
    if (run < needed) continue;
    // The smallest qualifying period is the unit; only now scan the whole repetition.
    while (end - 1 - run - p >= 0 && text[end - 1 - run] === text[end - 1 - run - p]) run++;
    return { period: p, start: end - run - p };
  }
  return null;
}

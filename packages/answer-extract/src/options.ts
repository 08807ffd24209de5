import { scanNumbers } from "./numbers.js";
import type { NumberToken } from "./types.js";

// Models sometimes invent multiple-choice options for a GSM8K question ("A) 40  B) 60  C) 20")
// and then answer with a letter ("The answer is C."). The letter means the value the model itself
// gave that option; a person grading reads 20.

const OPTION_LETTERS = "ABCDE";

/** Where an option "C) 20", "(C) $20", "C. 20" or "C: 20" is defined: the letter, then the number. */
function optionPattern(letter: string): RegExp {
  return new RegExp(`(?:^|[\\s(*])\\(?${letter}(?:\\)|\\.|:)[ \\t*]*\\$?`, "gm");
}
const PATTERNS = new Map([...OPTION_LETTERS].map((l) => [l, optionPattern(l)]));

/** Whether `ch` can be an option letter that an answer cue names. */
export function isOptionLetter(ch: string | undefined): boolean {
  return ch !== undefined && ch.length === 1 && OPTION_LETTERS.includes(ch);
}

/** The value of the model's own option `letter` defined in text[from, to), or null. */
export function optionValue(text: string, letter: string, from: number, to: number): NumberToken | null {
  const re = PATTERNS.get(letter);
  if (!re) return null;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const at = m.index + m[0].length;
    const [first] = scanNumbers(text, at, Math.min(to, at + 40));
    if (first && first.start === at) return first;
  }
  return null;
}

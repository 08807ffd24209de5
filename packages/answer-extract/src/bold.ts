import { isBareAnswer, lastNonEmptyLine } from "./first-line.js";
import { isHeading } from "./non-answers.js";
import { scanNumbers } from "./numbers.js";
import type { NumberToken } from "./types.js";

// Chat models state the result in bold on their closing line ("so Janet makes **$18** every
// day (9 eggs × $2)"), and the plain last number of that line is often an operand. Only a bold
// run that is a bare answer on the last line counts; "**Step 2: 16 - 3**" does not.
const BOLD = /\*\*([^*\n]{1,80})\*\*/g;

export function boldAnswer(text: string, from: number, to: number): NumberToken | null {
  const line = lastNonEmptyLine(text, from, to);
  if (!line) return null;
  let found: NumberToken | null = null;
  BOLD.lastIndex = line.start;
  for (let m = BOLD.exec(text); m && m.index + m[0].length <= line.end; m = BOLD.exec(text)) {
    const inner = { start: m.index + 2, end: m.index + m[0].length - 2 };
    const nums = scanNumbers(text, inner.start, inner.end);
    // "**4.**" alone after an item "3." is the next item's number, cut off by the token limit.
    if (nums.length === 1 && isBareAnswer(text, inner, nums) && !isHeading(text, nums[0], line.start))
      found = nums[0];
  }
  return found;
}

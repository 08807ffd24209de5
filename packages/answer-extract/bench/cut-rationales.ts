// GSM8K reference rationales turned into outputs with no stated answer: the "<<a*b=c>>"
// calculator annotations and the "#### N" line removed, and the text cut at a seeded random
// point, as the token limit cuts a model's output. What a careful person reads there is the
// result of the last computation completed before the cut, which the annotations give exactly.
// Real text the rules were not written against, for the cut-off-tail fallback.

export interface CutRationale {
  text: string;
  /** The last annotated result whose digits are all before the cut. */
  lastResult: number;
}

const ANNOTATION = /<<[^<>]*=[^<>=]*>>([\d.,]+)/g;

/** One cut per rationale with at least two annotated results (cut after the first). */
export function cutRationales(answers: readonly string[], seed = 7): CutRationale[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const out: CutRationale[] = [];
  for (const answer of answers) {
    const body = answer.slice(0, answer.lastIndexOf("####")).trimEnd();
    let clean = "";
    let last = 0;
    const results: { end: number; value: number }[] = [];
    ANNOTATION.lastIndex = 0;
    for (let m = ANNOTATION.exec(body); m; m = ANNOTATION.exec(body)) {
      clean += body.slice(last, m.index) + m[1];
      results.push({ end: clean.length, value: Number(m[1].replaceAll(",", "").replace(/\.$/, "")) });
      last = m.index + m[0].length;
    }
    clean += body.slice(last);
    if (results.length < 2) continue;
    const lo = results[0].end + 1;
    const hi = clean.length - 1;
    if (hi <= lo) continue;
    const cut = lo + Math.floor(random() * (hi - lo));
    const done = results.filter((r) => r.end <= cut);
    if (done.length > 0) out.push({ text: clean.slice(0, cut), lastResult: done[done.length - 1].value });
  }
  return out;
}

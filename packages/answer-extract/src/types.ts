/** Which rule produced an extraction, in order of precedence. */
export type ExtractRule = "boxed" | "first-line" | "answer-cue" | "bold" | "last-number" | "none";

/** Half-open range [start, end) of UTF-16 offsets into the text given to `extractAnswer`. */
export interface Span {
  start: number;
  end: number;
}

export interface Extraction {
  /** The extracted number, or null when no rule found one (the study wrote -1). */
  value: number | null;
  rule: ExtractRule;
  /** Where the answer was read: the number itself, or the whole `\boxed{...}`. */
  span?: Span;
}

export interface ExtractOptions {
  /**
   * "refined" (default) adds guards that real outputs need; "study" applies the four rules
   * exactly as the study wrote them, for comparison. See the README for the differences.
   */
  mode?: "refined" | "study";
}

/** A number found in text, with its span in that text. */
export interface NumberToken {
  value: number;
  start: number;
  end: number;
  /** The digits as written, without sign, `$`, `%` or scale word (used to spot truncation). */
  digits: string;
}

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

/** How far to trust an extraction; the criteria are in the README ("Confidence"). */
export type ConfidenceLevel = "high" | "medium" | "low";

/** A number some rule would read from the text, whether or not that rule won. */
export interface Candidate {
  rule: Exclude<ExtractRule, "none">;
  value: number;
  span: Span;
}

export interface Confidence {
  level: ConfidenceLevel;
  /**
   * In [0, 1], increasing with trust: low in [0, 0.4), medium in [0.4, 0.7), high in [0.7, 1].
   * Within a level it orders items by the rule's reliability and the number of problems.
   */
  score: number;
  /** The rule that produced the value. */
  rule: ExtractRule;
  /** Candidates from any rule that disagree with the value ("the cue says 18, the box 20"). */
  conflicts: Candidate[];
  /** Generation stopped at the token limit: as reported by the caller, or seen in the text. */
  truncated: boolean;
  /** The output ends in a repetition loop ("18. 18. 18. …"). */
  degenerate: boolean;
  /** One line per problem found, for a person reading a review file; empty when level is high. */
  reasons: string[];
}

export interface ConfidenceOptions extends ExtractOptions {
  /**
   * Whether generation stopped at the token limit rather than at a stop string or end of text,
   * when the caller knows (a finish reason "length"). Unknown (default): inferred from the text
   * (a number or `\boxed{` cut off at the end).
   */
  truncated?: boolean;
}

export interface ExtractionWithConfidence extends Extraction {
  confidence: Confidence;
}

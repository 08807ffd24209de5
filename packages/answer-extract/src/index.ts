export { extractWithConfidence } from "./confidence.js";
export { extractAnswer } from "./extract.js";
export { extractGold, GoldAnswerError, sameNumber } from "./gold.js";
export type {
  Candidate,
  Confidence,
  ConfidenceLevel,
  ConfidenceOptions,
  Extraction,
  ExtractionWithConfidence,
  ExtractOptions,
  ExtractRule,
  Span,
} from "./types.js";

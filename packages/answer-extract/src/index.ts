export { extractAnswer } from "./extract.js";
export { extractGold, GoldAnswerError, sameNumber } from "./gold.js";
export type { Extraction, ExtractOptions, ExtractRule, Span } from "./types.js";

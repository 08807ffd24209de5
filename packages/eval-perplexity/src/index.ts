export { type C4Options, loadC4Text, parseTextJsonl } from "./c4.js";
export { PerplexityDataError, ScorerProtocolError } from "./errors.js";
export { evaluatePerplexity, type PerplexityOptions, type PerplexityReport } from "./perplexity.js";
export { formatProgress, type Progress, type ProgressCallback, stderrProgress } from "./progress.js";
export { formatReportMarkdown, writeReport } from "./report.js";
export type { ScoreWindow, TokenScorer, WindowNll } from "./token-scorer.js";
export { loadWikitext, wikitextEvalText, wikitextRows } from "./wikitext.js";
export { gptqWindows, slidingWindows, type WindowSpan } from "./windows.js";

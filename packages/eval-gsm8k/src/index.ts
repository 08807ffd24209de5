export { COT_EXEMPLARS, type CotExemplar } from "./cot-exemplars.js";
export { type Gsm8kItem, loadGsm8k, loadGsm8kJsonl, loadGsm8kParquet, parseGsm8kJsonl } from "./dataset.js";
export { Gsm8kDataError } from "./errors.js";
export {
  flexibleExtractAnswer,
  harnessMatch,
  type StrictStyle,
  strictMatchAnswer,
} from "./harness-metrics.js";
export type {
  GenerateRequest,
  Generation,
  Generator,
  LanguageModel,
  LoglikelihoodRequest,
} from "./language-model.js";
export { formatProgress, type Progress, type ProgressCallback, stderrProgress } from "./progress.js";
export {
  type BuiltPrompt,
  buildPrompt,
  type ChatMessage,
  type ChatTemplate,
  type PromptFormat,
  type PromptOptions,
} from "./prompt.js";
export {
  type Accuracy,
  buildReport,
  type Failure,
  formatReportMarkdown,
  type Gsm8kReport,
  type ReviewContext,
  type ReviewSummary,
  type RuleCount,
  writeReport,
} from "./report.js";
export { readResults } from "./results-log.js";
export {
  applyReview,
  type Correction,
  type ReviewOutcome,
  type ReviewRow,
  type ReviewSelection,
  readReviewFile,
  reviewRow,
  selectForReview,
  writeReviewFile,
} from "./review.js";
export {
  type EvaluateOptions,
  type Evaluation,
  evaluateGsm8k,
  ModelProtocolError,
  type ReviewOptions,
} from "./run.js";
export { type AppliedReview, type ItemResult, type ScoreOptions, scoreOutput } from "./score.js";
export { type Interval, wilsonInterval } from "./wilson.js";

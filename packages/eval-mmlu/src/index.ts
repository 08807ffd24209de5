export {
  bySubject,
  LETTERS,
  type LoadOptions,
  loadMmluSplit,
  type MmluItem,
  parseMmluCsv,
} from "./dataset.js";
export { MmluDataError, ModelProtocolError } from "./errors.js";
export type {
  GenerateRequest,
  LanguageModel,
  LoglikelihoodRequest,
  LoglikelihoodScorer,
} from "./language-model.js";
export { formatProgress, type Progress, type ProgressCallback, stderrProgress } from "./progress.js";
export {
  buildChatPrompt,
  buildPrompt,
  type ChatMessage,
  type ChatTemplate,
  CONTINUATIONS,
  formatQuestion,
  subjectTitle,
} from "./prompt.js";
export { type Accuracy, buildReport, formatReportMarkdown, type MmluReport, writeReport } from "./report.js";
export { readResults } from "./results-log.js";
export { type EvaluateOptions, type Evaluation, evaluateMmlu } from "./run.js";
export { type ItemResult, scoreItem } from "./score.js";
export {
  categoryOf,
  MMLU_CATEGORIES,
  MMLU_SUBCATEGORIES,
  MMLU_SUBJECTS,
  type MmluCategory,
} from "./subjects.js";
export { type Interval, wilsonInterval } from "./wilson.js";

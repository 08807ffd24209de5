export { loadSquad, parseSquad, type SquadItem } from "./dataset.js";
export { ModelProtocolError, SquadDataError } from "./errors.js";
export type { GenerateRequest, Generator, LanguageModel, LoglikelihoodRequest } from "./language-model.js";
export { exactMatch, f1Score, maxOverGold } from "./metrics.js";
export { answerTokens, normalizeAnswer } from "./normalize.js";
export { type Perturbation, type PerturbTarget, perturbItem } from "./perturb.js";
export { formatProgress, type Progress, type ProgressCallback, stderrProgress } from "./progress.js";
export { cutAtStop, DEFAULT_TEMPLATE, fillTemplate, type PromptOptions } from "./prompt.js";
export {
  buildReport,
  formatReportMarkdown,
  type RobustnessReport,
  type SquadReport,
  writeReport,
} from "./report.js";
export { readResults } from "./results-log.js";
export {
  compareSquadRobustness,
  type EvaluateOptions,
  type Evaluation,
  evaluateSquad,
  type RobustnessOptions,
} from "./run.js";
export { type ItemResult, scorePrediction } from "./score.js";
export { type Interval, wilsonInterval } from "./wilson.js";

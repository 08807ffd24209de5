// The public surface of @shrinkray/eval-rupbench: loaders, generators, scoring, reports.

export { type CsvRecord, CsvSyntaxError, parseCsv } from "./csv.js";
export { countDefects, type DefectCounts } from "./defect-summary.js";
export { type LoadIssue, RupbenchDataError } from "./errors.js";
export { extractChoice, extractNumber, extractWord } from "./extract.js";
export type { AnswerKind, ItemDefects, RupItem, RupOption } from "./item.js";
export { isDefective } from "./item.js";
export { detectDefects, isPollutedRedHerring } from "./load/defects.js";
export {
  type LoadResult,
  loadRupbenchDir,
  loadRupbenchFile,
  type ParseOptions,
  parseRupbenchZip,
} from "./load/load.js";
export { parseRupbenchCsv } from "./load/parse-table.js";
export { FILE_SCHEMAS, type FileSchema, NUMBER_WORDS, RELEASED_FILES } from "./load/schemas.js";
export { headlineToMarkdown, reportToMarkdown } from "./markdown.js";
export type { GenerateRequest, LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from "./model.js";
export { CHECKLIST_HANDLES, CHECKLIST_URLS, type ChecklistOptions, checklist } from "./perturb/checklist.js";
export { itCleft, whCleft } from "./perturb/cleft.js";
export { compound, QUANTIFIERS, SUBORDINATORS } from "./perturb/compound.js";
export { type PerturbOptions, perturbAll, perturbText } from "./perturb/generate.js";
export { HOMOPHONE_GROUPS } from "./perturb/homophone-list.js";
export { type HomophoneOptions, homophones } from "./perturb/homophones.js";
export { perturbQuestions, type SourceQuestion } from "./perturb/items.js";
export { LEET_TABLE, type LeetOptions, leetspeak } from "./perturb/leetspeak.js";
export { NoRedHerringsError, type RedHerringOptions, redHerring } from "./perturb/red-herring.js";
export { type StressOptions, stress, TAUTOLOGIES } from "./perturb/stress.js";
export { type TypoOperation, type TypoOptions, typoInWord, typos } from "./perturb/typos.js";
export {
  CSV_SUFFIX,
  LEVEL_OF,
  PERTURBATION_LEVELS,
  PERTURBATIONS,
  type Perturbation,
  type PerturbationLevel,
} from "./perturbation-kinds.js";
export { createRng, hashSeed, type Rng } from "./prng.js";
export { buildPrompt, type PromptFormat, promptFormat, RUPBENCH_PROMPT } from "./prompt.js";
export {
  PythonLiteralError,
  type PyValue,
  parseNumpyStringArray,
  parsePythonLiteral,
} from "./python-literal.js";
export {
  buildReport,
  type DatasetReport,
  type HeadlineRow,
  headlineRow,
  type LevelStats,
  type PerturbationStats,
  type ReportOptions,
  type RupReport,
} from "./report.js";
export {
  type ContinuationStyle,
  type GenerationOptions,
  type LoglikelihoodOptions,
  type ScoredItem,
  type ScoreOptions,
  scoreByGeneration,
  scoreByLoglikelihood,
  UnscorableItemError,
  type Variant,
  type VariantScore,
} from "./score.js";
export { type Interval, wilsonInterval } from "./stats.js";
export { reportToJson, writeFileAtomic, writeReport } from "./write.js";

export { type Batch, collate, type DataCursor } from "./batches.js";
export { CACHE_INDEX, type CacheIndex, type CacheShard } from "./cache-format.js";
export { type CacheTeacherOptions, cacheTeacher } from "./cache-teacher.js";
export { type CachedTeacher, openTeacherCache } from "./cached-teacher.js";
export { findCheckpoint, type TrainState } from "./checkpoint.js";
export { type DistillOptions, type DistillResult, distill } from "./distill.js";
export { type EncodeOptions, encodeExample, textSequence } from "./encode.js";
export { CheckpointError, DatasetRowError, DistillConfigError, TeacherCacheError } from "./errors.js";
export { type EvalResult, evaluate } from "./evaluate.js";
export {
  ALPACA_PROMPT_NO_INPUT,
  ALPACA_PROMPT_WITH_INPUT,
  alpacaFormat,
  type ChatRenderer,
  type ChatTurn,
  chatFormat,
  type InstructionRow,
  type PromptResponse,
} from "./instruction.js";
export type { KdLossSpec, LossFunction, LossInputs, LossSpec } from "./loss.js";
export { alignedLogits, type LogitsModel, type ModelTeacherOptions, modelTeacher } from "./model-teacher.js";
export type { OnPolicyOptions } from "./on-policy.js";
export type { OptimizerSpec, ScheduleSpec } from "./optimizer-setup.js";
export { type PackResult, packSequences } from "./pack.js";
export type { Progress } from "./progress.js";
export { alignOnResponse, type PromptedExample, promptedSequences, type TextEncoder } from "./prompted.js";
export {
  type Row,
  readInstructionFile,
  readJsonl,
  readParquet,
  readRows,
  toInstructionRows,
} from "./read-data.js";
export { type Sequence, teacherPositions } from "./sequence.js";
export {
  checkVocabularies,
  type TeacherOutput,
  type TeacherRequest,
  type TeacherSource,
} from "./teacher-source.js";
export {
  type TopkAdapterOptions,
  type TopkPositionLike,
  type TopkProvider,
  topkTeacher,
} from "./topk-adapter.js";

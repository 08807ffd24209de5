// The embedded default's world: task generators, the teacher's tokenizer and recipe, and scoring.
export {
  ANSWER_TOKENS,
  type ChoiceScore,
  type GsmScore,
  heldOut,
  scoreChoices,
  scoreWordProblems,
} from "./evaluate.js";
export { choiceExample, type Example, GSM_STOP, gsmExample, gsmPrompt } from "./format.js";
export { haveToyTeacher, TOY_SEED, TOY_TEACHER_DIR } from "./paths.js";
export {
  type ArithmeticOptions,
  DATASET as TOY_GSM8K_DATASET,
  type Operation,
  type Step,
  toGsm8kJsonl,
  type WordProblem,
  wordProblems,
} from "./tasks/arithmetic.js";
export {
  CHOICE_DATASET as TOY_RUPBENCH_DATASET,
  CHOICE_KINDS,
  choiceItems,
  choiceQuestions,
} from "./tasks/choice.js";
export { type DrawOptions, type Split, splitOf } from "./tasks/splits.js";
export { createTeacher, DEFAULT_SHAPE, type TeacherShape, teacherConfig, toyTokenizer } from "./teacher.js";
export { SPECIAL_TOKENS, tokenizerConfig, tokenizerJson, trainBpe } from "./tokenizer.js";
export { DEFAULT_RECIPE, runRecipe, type ToyRecipe, type TrainProgress, trainTeacher } from "./train.js";

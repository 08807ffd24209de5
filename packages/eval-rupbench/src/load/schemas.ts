import type { AnswerKind, RupOption } from "../item.js";
import {
  goldIndex,
  goldLetter,
  goldWord,
  optionsFromChoicesDict,
  optionsFromColumns,
  optionsFromList,
  optionsFromNumpyLettered,
  type Row,
} from "./fields.js";

/** NumerSense's answer vocabulary: its gold answers are these words (`no` meaning none). */
export const NUMBER_WORDS = [
  "no",
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
] as const;

/** How one released file stores an item; see SCHEMAS.md beside the data. */
export interface FileSchema {
  dataset: string;
  /** The benchmark's reasoning category, or a function of the row when the file has a column. */
  category: string | ((row: Row) => string);
  /** The column whose text is perturbed; the nine variants are `<base><suffix>`. */
  baseColumn: string;
  idColumn?: string;
  /** An unperturbed question column shown after the (perturbed) context. */
  questionColumn?: string;
  answerKind: AnswerKind;
  options: (row: Row) => RupOption[];
  gold: (row: Row, options: RupOption[]) => string;
}

const numberWordOptions = (): RupOption[] => NUMBER_WORDS.map((w) => ({ label: w, text: w }));

/** Keyed by file name (for TRAM, the CSV names inside the zip). */
export const FILE_SCHEMAS: Record<string, FileSchema> = {
  "AQuA_RUP.csv": {
    dataset: "AQuA",
    category: "arithmetic",
    baseColumn: "question",
    answerKind: "choice",
    options: optionsFromNumpyLettered("options"),
    gold: goldLetter("correct"),
  },
  "ART_RUP.csv": {
    dataset: "ART",
    category: "logical",
    baseColumn: "combined_observations",
    answerKind: "choice",
    options: optionsFromColumns("hypothesis_1", "hypothesis_2"),
    gold: goldIndex("label", 1),
  },
  "CommonsenseQA_RUP.csv": {
    dataset: "CommonsenseQA",
    category: "commonsense",
    baseColumn: "question_stem",
    idColumn: "id",
    answerKind: "choice",
    options: optionsFromChoicesDict("question"),
    gold: goldLetter("answerKey"),
  },
  "NumerSense_RUP.csv": {
    dataset: "NumerSense",
    category: "commonsense",
    baseColumn: "Question",
    answerKind: "open",
    options: numberWordOptions,
    gold: goldWord("Answer", NUMBER_WORDS),
  },
  "PIQA_RUP.csv": {
    dataset: "PIQA",
    category: "commonsense",
    baseColumn: "goal",
    answerKind: "choice",
    options: optionsFromColumns("sol1", "sol2"),
    gold: goldIndex("answer", 0),
  },
  "QASC_RUP.csv": {
    dataset: "QASC",
    category: "commonsense",
    baseColumn: "question_stem",
    idColumn: "id",
    answerKind: "choice",
    options: optionsFromChoicesDict("question"),
    gold: goldLetter("answerKey"),
  },
  "ReClor_RUP.csv": {
    dataset: "ReClor",
    category: "logical",
    baseColumn: "context",
    idColumn: "id_string",
    questionColumn: "question",
    answerKind: "choice",
    options: optionsFromList("answers"),
    gold: goldIndex("label", 0),
  },
  "RiddleSense_RUP.csv": {
    dataset: "RiddleSense",
    category: "commonsense",
    baseColumn: "question_stem",
    idColumn: "id",
    answerKind: "choice",
    options: optionsFromChoicesDict("question"),
    gold: goldLetter("answerKey"),
  },
  "Social_IQA_RUP.csv": {
    dataset: "Social IQA",
    category: "commonsense",
    baseColumn: "context",
    questionColumn: "question",
    answerKind: "choice",
    options: optionsFromColumns("answerA", "answerB", "answerC"),
    gold: goldIndex("answer", 1),
  },
};

function tramSchema(): FileSchema {
  return {
    dataset: "TRAM",
    category: (row) => row("Category").trim().toLowerCase() || "temporal",
    baseColumn: "Question",
    answerKind: "choice",
    options: optionsFromColumns("Option A", "Option B", "Option C"),
    gold: goldLetter("Answer"),
  };
}

for (const subset of ["duration", "frequency", "ordering", "typical_time"]) {
  FILE_SCHEMAS[`TRAM_${subset}_RUP.csv`] = tramSchema();
}

/** The released files, in the order the loader reads them. */
export const RELEASED_FILES = [
  "AQuA_RUP.csv",
  "ART_RUP.csv",
  "CommonsenseQA_RUP.csv",
  "NumerSense_RUP.csv",
  "PIQA_RUP.csv",
  "QASC_RUP.csv",
  "ReClor_RUP.csv",
  "RiddleSense_RUP.csv",
  "Social_IQA_RUP.csv",
  "TRAM_RUP.zip",
] as const;

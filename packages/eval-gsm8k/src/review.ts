import { readFile } from "node:fs/promises";
import { type ConfidenceLevel, sameNumber } from "@shrinkray/answer-extract";
import { writeFileAtomic } from "./atomic-write.js";
import { Gsm8kDataError } from "./errors.js";
import type { ItemResult } from "./score.js";

// Human review of uncertain extractions. The study sent about 120 of 1,319 answers to a person.
// Low-confidence items go to a JSONL file, one item a line, with an empty "corrected" field; the
// person fills it with the number the output gives as its answer, or "none". Re-scoring reads the
// file back and the person's value replaces the automatic one for that id.

/** One line of the review file. Every field but `corrected` is for the person to read. */
export interface ReviewRow {
  id: string;
  question: string;
  gold: number;
  output: string;
  extracted: number | null;
  rule: ItemResult["rule"];
  level: ConfidenceLevel;
  score: number;
  reasons: string[];
  /** Left "" for the person: the right extracted number, or "none". */
  corrected: string | number;
}

/** A filled-in `corrected` field, with where it came from. */
export interface Correction {
  value: number | null;
  /** The field as the person wrote it, kept when the file is written again. */
  raw: string | number;
  /** The output the person read; a correction of another output is stale and not applied. */
  output: string;
  line: number;
}

export interface ReviewSelection {
  /** At most this many items go to the person, lowest confidence first. Default: no limit. */
  maxReview?: number;
  /** Which levels are reviewed; default ["low"]. */
  levels?: readonly ConfidenceLevel[];
}

const LEVEL_ORDER: Record<ConfidenceLevel, number> = { low: 0, medium: 1, high: 2 };

/** Results needing review, lowest confidence first (ties in input order), capped at `maxReview`. */
export function selectForReview(results: readonly ItemResult[], options: ReviewSelection = {}): ItemResult[] {
  const levels = new Set(options.levels ?? ["low"]);
  const ranked = results
    .filter((r) => levels.has(r.confidence.level))
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        LEVEL_ORDER[a.r.confidence.level] - LEVEL_ORDER[b.r.confidence.level] ||
        a.r.confidence.score - b.r.confidence.score ||
        a.i - b.i,
    );
  return ranked.slice(0, Math.max(0, options.maxReview ?? Number.POSITIVE_INFINITY)).map((x) => x.r);
}

export function reviewRow(result: ItemResult, question: string, corrected: string | number = ""): ReviewRow {
  const { confidence: c } = result;
  const extracted = result.review ? result.review.autoPredicted : result.predicted;
  return {
    id: result.id,
    question,
    gold: result.gold,
    output: result.output,
    extracted,
    rule: result.rule,
    level: c.level,
    score: c.score,
    reasons: c.reasons,
    corrected,
  };
}

/** Writes the rows as JSONL, atomically: a person's editor never sees a half-written file. */
export function writeReviewFile(file: string, rows: readonly ReviewRow[]): Promise<void> {
  return writeFileAtomic(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** "18", "1,000", "$18.50", 18 → the number; "none" → null; "" or null → not reviewed. */
function parseCorrected(raw: unknown): number | null | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : Number.NaN;
  if (typeof raw !== "string") return Number.NaN;
  const s = raw.trim();
  if (s === "") return undefined;
  if (s.toLowerCase() === "none") return null;
  const plain = s.replace(/[,$]/g, "");
  return NUMBER.test(plain) ? Number(plain) : Number.NaN;
}

/**
 * The person's corrections, by id (none when the file is absent). Rows whose `corrected` is
 * still empty are skipped. A malformed row is a `Gsm8kDataError` naming the file and line.
 */
export async function readReviewFile(file: string): Promise<Map<string, Correction>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === "ENOENT") return new Map();
    throw err;
  }
  const out = new Map<string, Correction>();
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const fail = (detail: string) => new Gsm8kDataError(file, i + 1, detail);
    let row: Partial<ReviewRow>;
    try {
      row = JSON.parse(lines[i]);
    } catch (err) {
      throw fail(`malformed review row (${(err as Error).message})`);
    }
    if (
      typeof row !== "object" ||
      row === null ||
      typeof row.id !== "string" ||
      typeof row.output !== "string"
    ) {
      throw fail('expected a review row with string "id" and "output"');
    }
    if (seen.has(row.id)) throw fail(`id ${JSON.stringify(row.id)} appears twice`);
    seen.add(row.id);
    const value = parseCorrected(row.corrected);
    if (Number.isNaN(value)) {
      throw fail(`"corrected" must be a number, "none" or empty; got ${JSON.stringify(row.corrected)}`);
    }
    if (value !== undefined) out.set(row.id, { value, raw: row.corrected!, output: row.output, line: i + 1 });
  }
  return out;
}

export interface ReviewOutcome {
  /** The results with corrections applied (`predicted`, `correct` and `review` set). */
  results: ItemResult[];
  /** Ids whose correction was made for a different output (the item was generated again). */
  stale: string[];
}

/** Overrides the automatic extraction with the person's value for each corrected id. */
export function applyReview(
  results: readonly ItemResult[],
  corrections: Map<string, Correction>,
): ReviewOutcome {
  const stale: string[] = [];
  const out = results.map((r) => {
    const c = corrections.get(r.id);
    if (!c) return r;
    if (c.output !== r.output) {
      stale.push(r.id);
      return r;
    }
    const review = { corrected: c.value, autoPredicted: r.predicted, autoCorrect: r.correct };
    return { ...r, predicted: c.value, correct: sameNumber(c.value, r.gold), review };
  });
  return { results: out, stale };
}

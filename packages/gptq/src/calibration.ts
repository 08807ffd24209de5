import { Generator, Tensor } from "@shrinkray/tensor-cuda";

export interface CalibrationOptions {
  /** Calibration sequences; default 128, the GPTQ paper's. */
  nsamples?: number;
  /** Tokens per sequence; default 2048 in the paper, use what the model and memory allow. */
  seqLen: number;
  /** Seed of the window positions (tensor-cuda's Generator: the same windows on every machine). */
  seed?: number;
  /** Sequences per batch tensor; default 1 (as the reference feeds them). */
  batchSize?: number;
}

/**
 * GPTQ's calibration recipe on one long text (the reference's WikiText-2 loader): tokenize it
 * once and cut `nsamples` windows of `seqLen` tokens at seeded random offsets. Returns int32
 * [batchSize, seqLen] batches for quantizeModel.
 */
export function calibrationFromText(
  text: string,
  tokenize: (text: string) => readonly number[],
  opts: CalibrationOptions,
): Tensor[] {
  const { nsamples, seqLen, g } = check(opts, "calibrationFromText");
  const ids = tokenize(text);
  if (ids.length <= seqLen)
    throw new RangeError(
      `calibrationFromText: the text has ${ids.length} tokens, fewer than seqLen + 1 = ${seqLen + 1}`,
    );
  const windows = Array.from({ length: nsamples }, () => {
    const at = g.int(ids.length - seqLen);
    return ids.slice(at, at + seqLen);
  });
  return batch(windows, seqLen, opts.batchSize ?? 1);
}

/**
 * GPTQ's recipe for a corpus of documents (the reference's C4 loader): draw a random row until
 * one has more than `seqLen` tokens, then take a random window of it. `rows` are strings or
 * objects whose `field` (default "text") holds one; shorter rows are passed over.
 */
export function calibrationFromRows(
  rows: readonly (string | Record<string, unknown>)[],
  tokenize: (text: string) => readonly number[],
  opts: CalibrationOptions & { field?: string },
): Tensor[] {
  const { nsamples, seqLen, g } = check(opts, "calibrationFromRows");
  const field = opts.field ?? "text";
  const text = (i: number): string => {
    const row = rows[i];
    const v = typeof row === "string" ? row : row?.[field];
    if (typeof v !== "string")
      throw new TypeError(
        `calibrationFromRows: row ${i} has no string ${typeof row === "string" ? "" : `"${field}" `}field`,
      );
    return v;
  };
  const tokens = new Map<number, readonly number[]>();
  const windows: (readonly number[])[] = [];
  // Bounded so a corpus of short rows is an error, not an endless loop.
  for (let tries = 0; windows.length < nsamples; tries++) {
    if (rows.length === 0 || tries > 100 * nsamples + rows.length)
      throw new RangeError(`calibrationFromRows: too few rows longer than seqLen = ${seqLen} tokens`);
    const i = g.int(rows.length);
    if (!tokens.has(i)) tokens.set(i, tokenize(text(i)));
    const ids = tokens.get(i)!;
    if (ids.length <= seqLen) continue;
    const at = g.int(ids.length - seqLen);
    windows.push(ids.slice(at, at + seqLen));
  }
  return batch(windows, seqLen, opts.batchSize ?? 1);
}

function check(opts: CalibrationOptions, where: string): { nsamples: number; seqLen: number; g: Generator } {
  const nsamples = opts.nsamples ?? 128;
  const { seqLen } = opts;
  for (const [name, v] of [
    ["nsamples", nsamples],
    ["seqLen", seqLen],
    ["batchSize", opts.batchSize ?? 1],
  ] as const) {
    if (!(Number.isInteger(v) && v > 0))
      throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
  }
  return { nsamples, seqLen, g: new Generator(opts.seed ?? 0) };
}

function batch(windows: (readonly number[])[], seqLen: number, size: number): Tensor[] {
  const out: Tensor[] = [];
  for (let s = 0; s < windows.length; s += size) {
    const rows = windows.slice(s, s + size);
    out.push(Tensor.from(Int32Array.from(rows.flat()), [rows.length, seqLen]));
  }
  return out;
}

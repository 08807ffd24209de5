import { byteSize, type DType } from "../dtype.js";
import { SafetensorsError } from "./errors.js";

/*
 * The safetensors header, both directions. The file is: an 8-byte little-endian u64 N, N bytes
 * of UTF-8 JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {k: v}}),
 * then the data, with offsets relative to the start of the data. Validation follows the
 * reference (Rust) implementation, so a file we accept is one transformers accepts too.
 */

/** What `info(name)` reports without reading any tensor data. */
export interface TensorInfo {
  dtype: DType;
  shape: number[];
  byteLength: number;
}

/** A tensor's place in the data section (offsets relative to its start). */
export interface HeaderEntry extends TensorInfo {
  name: string;
  begin: number;
  end: number;
}

export interface Header {
  /** In data-offset order, which is also the order a sequential reader wants. */
  entries: HeaderEntry[];
  byName: Map<string, HeaderEntry>;
  /** Absent and empty differ on disk, and a byte-exact round trip must keep the difference. */
  metadata: Record<string, string> | undefined;
}

/** The reference implementation's cap: a larger length is corruption, not a header. */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = "__metadata__";

// Declaration order is the Rust `Dtype` enum's order, which is increasing alignment: the writer
// sorts by it (descending) so that every tensor's data starts aligned to its element size.
const CODES: [DType, string][] = [
  ["bool", "BOOL"],
  ["uint8", "U8"],
  ["int8", "I8"],
  ["float16", "F16"],
  ["bfloat16", "BF16"],
  ["int32", "I32"],
  ["float32", "F32"],
  ["float64", "F64"],
  ["int64", "I64"],
];
const TO_CODE = new Map(CODES);
const FROM_CODE = new Map(CODES.map(([d, c]) => [c, d]));
const ALIGN_RANK = new Map(CODES.map(([d], i) => [d, i]));

export function safetensorsDtype(dtype: DType): string {
  return TO_CODE.get(dtype)!;
}

/** The u64 in the first 8 bytes, checked against the file's size before anything trusts it. */
export function readHeaderLength(prefix: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(file, `truncated: ${fileSize} bytes, shorter than the 8-byte header length`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      file,
      `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt file?)`,
    );
  }
  if (8n + n > BigInt(fileSize)) {
    throw new SafetensorsError(
      file,
      `header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`,
    );
  }
  return Number(n);
}

/**
 * Parses and validates the JSON header. `dataBytes` is the size of the data section: every
 * tensor must lie inside it, match dtype × shape, and the tensors must tile it exactly (no
 * overlap, no gap, nothing after the last) as the reference reader requires.
 */
export function parseHeader(json: Uint8Array, file: string, dataBytes: number): Header {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(json);
  } catch {
    throw new SafetensorsError(file, "header is not valid UTF-8");
  }
  // Writers pad to a multiple of 8 with spaces; tolerate NULs too, which some write instead.
  text = text.replace(/[\s\0]+$/, "");
  if (!text.startsWith("{")) throw new SafetensorsError(file, "header is not a JSON object");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SafetensorsError(file, "header is not a JSON object");
  }
  // JSON.parse keeps the last of two equal keys; two tensors claiming one name is corruption.
  const dup = firstDuplicateKey(text);
  if (dup !== undefined) throw new SafetensorsError(file, "appears twice in the header", { tensor: dup });

  const obj = parsed as Record<string, unknown>;
  const metadata = Object.hasOwn(obj, METADATA_KEY) ? parseMetadata(obj[METADATA_KEY], file) : undefined;
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(obj)) {
    if (name !== METADATA_KEY) entries.push(parseEntry(name, value, file, dataBytes));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkTiling(entries, file, dataBytes);
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), metadata };
}

/** Offsets must tile the data section exactly: no overlap, no gap, nothing after the last. */
function checkTiling(sorted: readonly HeaderEntry[], file: string, dataBytes: number): void {
  let cursor = 0;
  for (const e of sorted) {
    const where = { tensor: e.name, field: "data_offsets" };
    if (e.begin < cursor) {
      throw new SafetensorsError(
        file,
        `[${e.begin}, ${e.end}] overlap the previous tensor (ends at ${cursor})`,
        where,
      );
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(
        file,
        `begin ${e.begin} leaves a gap after the previous tensor (ends at ${cursor})`,
        where,
      );
    }
    cursor = e.end;
  }
  if (cursor !== dataBytes) {
    throw new SafetensorsError(
      file,
      `${dataBytes - cursor} bytes after the last tensor (tensors cover ${cursor} of ${dataBytes})`,
    );
  }
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SafetensorsError(file, "must be an object of strings", { field: METADATA_KEY });
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw new SafetensorsError(file, `value of ${JSON.stringify(k)} is not a string`, {
        field: METADATA_KEY,
      });
    }
  }
  return { ...(value as Record<string, string>) };
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function parseEntry(name: string, value: unknown, file: string, dataBytes: number): HeaderEntry {
  const fail = (field: string, msg: string) => new SafetensorsError(file, msg, { tensor: name, field });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail("(entry)", "header entry is not an object");
  }
  const { dtype: code, shape, data_offsets: offsets } = value as Record<string, unknown>;
  const dtype = typeof code === "string" ? FROM_CODE.get(code) : undefined;
  if (dtype === undefined) {
    throw fail(
      "dtype",
      `unknown or unsupported dtype ${JSON.stringify(code)} (supported: ${[...FROM_CODE.keys()].join(", ")})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail("shape", `shape ${JSON.stringify(shape)} is not a list of sizes`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw fail("data_offsets", `data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw fail("data_offsets", `data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) {
    throw fail(
      "data_offsets",
      `data_offsets [${begin}, ${end}] run past the ${dataBytes}-byte data section (truncated file?)`,
    );
  }
  const n = (shape as number[]).reduce((a, d) => a * d, 1);
  const byteLength = n * byteSize(dtype);
  if (!Number.isSafeInteger(byteLength) || byteLength !== end - begin) {
    throw fail(
      "data_offsets",
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${code} ${JSON.stringify(shape)} needs ${byteLength}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], byteLength, begin, end };
}

/** The first key repeated at the top level of a JSON object text, found with a string-aware scan. */
function firstDuplicateKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      expectKey = c === "{" && depth === 1;
    } else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 1) expectKey = true;
  }
  return undefined;
}

// ---- writing ----

export interface EntrySpec {
  name: string;
  dtype: DType;
  shape: readonly number[];
}

/** Rust's `String` order is byte order of the UTF-8, which differs from JS's UTF-16 `<`. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Lays out tensors as the reference writer does — descending dtype alignment, then name — and
 * encodes the header, length prefix included. Metadata goes first and its keys are sorted:
 * JSON.parse reorders integer-like keys, so insertion order would not survive read → write.
 */
export function encodeHeader(
  specs: readonly EntrySpec[],
  metadata: Record<string, string> | undefined,
  file: string,
): { bytes: Uint8Array; entries: HeaderEntry[] } {
  for (const s of specs) checkSpec(s, file);
  const sorted = [...specs].sort(
    (a, b) => ALIGN_RANK.get(b.dtype)! - ALIGN_RANK.get(a.dtype)! || compareUtf8(a.name, b.name),
  );
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"${METADATA_KEY}":${encodeMetadata(metadata, file)}`);
  const entries: HeaderEntry[] = [];
  let offset = 0;
  for (const [i, s] of sorted.entries()) {
    if (i > 0 && s.name === sorted[i - 1].name) {
      throw new SafetensorsError(file, "is given twice", { tensor: s.name });
    }
    const byteLength = s.shape.reduce((a, d) => a * d, 1) * byteSize(s.dtype);
    const [begin, end] = [offset, offset + byteLength];
    entries.push({ name: s.name, dtype: s.dtype, shape: [...s.shape], byteLength, begin, end });
    const code = TO_CODE.get(s.dtype);
    parts.push(
      `${JSON.stringify(s.name)}:{"dtype":"${code}","shape":[${s.shape.join(",")}],"data_offsets":[${begin},${end}]}`,
    );
    offset = end;
  }
  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  // Padding to 8 keeps the data section (and so every tensor) 8-byte aligned in a mapped file.
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  return { bytes, entries };
}

function checkSpec(s: EntrySpec, file: string): void {
  if (s.name === METADATA_KEY) {
    throw new SafetensorsError(file, "is reserved for metadata", { tensor: s.name });
  }
  if (!TO_CODE.has(s.dtype)) {
    throw new SafetensorsError(file, `dtype ${s.dtype} cannot be stored`, { tensor: s.name });
  }
  if (s.shape.some((d) => !isCount(d))) {
    throw new SafetensorsError(file, `shape [${s.shape.join(", ")}] is not a list of sizes`, {
      tensor: s.name,
    });
  }
}

function encodeMetadata(metadata: Record<string, string>, file: string): string {
  const keys = Object.keys(metadata).sort(compareUtf8);
  for (const k of keys) {
    if (typeof metadata[k] !== "string") {
      throw new SafetensorsError(file, `value of ${JSON.stringify(k)} is not a string`, {
        field: METADATA_KEY,
      });
    }
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`;
}

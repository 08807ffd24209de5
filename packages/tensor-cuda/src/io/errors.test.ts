import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import "../index.js";
import { Tensor } from "../tensor.js";
import { SafetensorsError, SafetensorsFile, saveSafetensors } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "shrinkray-io-err-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** A file with this header text (padded to 8 unless `length` overrides the prefix) and data. */
function craft(header: string | object, dataBytes = 0, length?: bigint): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(padded.length));
  const p = join(dir, `bad-${counter++}.safetensors`);
  writeFileSync(p, Buffer.concat([prefix, padded, Buffer.alloc(dataBytes)]));
  return p;
}

function rawFile(bytes: Uint8Array | number[]): string {
  const p = join(dir, `raw-${counter++}.safetensors`);
  writeFileSync(p, Uint8Array.from(bytes));
  return p;
}

async function openError(p: string): Promise<SafetensorsError> {
  const err = await SafetensorsFile.open(p).then(
    () => undefined,
    (e) => e,
  );
  expect(err, `opening ${p} should fail`).toBeInstanceOf(SafetensorsError);
  expect(err.file).toBe(p);
  expect(err.message.startsWith(`${p}: `)).toBe(true);
  return err;
}

const f32 = (shape: number[], begin: number, end: number) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, end],
});

describe("corrupt files raise SafetensorsError naming the file and the fault", () => {
  test("empty and shorter than the length prefix", async () => {
    expect((await openError(rawFile([]))).message).toMatch(/truncated: 0 bytes/);
    expect((await openError(rawFile([1, 2, 3, 4, 5]))).message).toMatch(/truncated: 5 bytes/);
  });

  test("header length beyond the file size", async () => {
    expect((await openError(craft({}, 0, 1000n))).message).toMatch(
      /header length 1000 runs past the end of the 16-byte file/,
    );
  });

  test("absurd header length (e.g. a random file)", async () => {
    expect((await openError(craft({}, 0, 2n ** 62n))).message).toMatch(/exceeds the 100000000-byte limit/);
  });

  test("malformed JSON, non-object JSON, invalid UTF-8", async () => {
    expect((await openError(craft('{"a": {"dtype": "F32",'))).message).toMatch(/not valid JSON/);
    expect((await openError(craft("[1, 2, 3]"))).message).toMatch(/not a JSON object/);
    const bad = Buffer.from('{"\xff\xfe":{}}', "latin1");
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(bad.length));
    expect((await openError(rawFile(Buffer.concat([prefix, bad])))).message).toMatch(/not valid UTF-8/);
  });

  test("unknown and unsupported dtypes name the tensor", async () => {
    const e = await openError(craft({ w: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, 4));
    expect(e.tensor).toBe("w");
    expect(e.field).toBe("dtype");
    expect(e.message).toMatch(/tensor "w", field dtype: unknown or unsupported dtype "F33"/);
    expect(
      (await openError(craft({ q: { dtype: "I16", shape: [2], data_offsets: [0, 4] } }, 4))).tensor,
    ).toBe("q");
  });

  test("bad shape and bad data_offsets fields", async () => {
    expect(
      (await openError(craft({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4))).field,
    ).toBe("shape");
    expect(
      (await openError(craft({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, 4))).field,
    ).toBe("shape");
    expect((await openError(craft({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, 4))).field).toBe(
      "data_offsets",
    );
    expect((await openError(craft({ w: { dtype: "F32", shape: [1] } }, 4))).field).toBe("data_offsets");
    expect((await openError(craft({ w: f32([0], 4, 0) }, 4))).message).toMatch(/end before they begin/);
    expect((await openError(craft({ w: 3 }, 0))).tensor).toBe("w");
  });

  test("data_offsets out of range (a truncated data section)", async () => {
    const e = await openError(craft({ a: f32([2], 0, 8), w: f32([4], 8, 24) }, 20));
    expect(e.tensor).toBe("w");
    expect(e.message).toMatch(/\[8, 24\] run past the 20-byte data section/);
  });

  test("a real file cut short", async () => {
    const p = join(dir, `cut-${counter++}.safetensors`);
    await saveSafetensors(p, { a: Tensor.ones([16]), b: Tensor.ones([16]) });
    const full = readFileSync(p);
    writeFileSync(p, full.subarray(0, full.length - 3));
    expect((await openError(p)).tensor).toBe("b");
    writeFileSync(p, full.subarray(0, 20));
    expect((await openError(p)).message).toMatch(/runs past the end/);
  });

  test("data_offsets not matching dtype × shape", async () => {
    const e = await openError(craft({ w: f32([2, 3], 0, 20) }, 20));
    expect(e.message).toMatch(/tensor "w", field data_offsets: .*hold 20 bytes, but F32 \[2,3\] needs 24/);
  });

  test("overlapping tensors, gaps and trailing bytes", async () => {
    const overlap = await openError(craft({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12));
    expect(overlap.tensor).toBe("b");
    expect(overlap.message).toMatch(/overlap/);
    expect((await openError(craft({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12))).message).toMatch(/gap/);
    expect((await openError(craft({ a: f32([1], 0, 4) }, 12))).message).toMatch(
      /8 bytes after the last tensor/,
    );
  });

  test("a tensor name given twice", async () => {
    const entry = JSON.stringify(f32([1], 0, 4));
    const e = await openError(craft(`{"w":${entry},"w":${entry}}`, 4));
    expect(e.tensor).toBe("w");
    expect(e.message).toMatch(/twice/);
  });

  test("__metadata__ that is not a map of strings", async () => {
    expect((await openError(craft({ __metadata__: { n: 1 } }))).field).toBe("__metadata__");
    expect((await openError(craft({ __metadata__: ["pt"] }))).field).toBe("__metadata__");
  });

  test("a missing file, and a missing tensor", async () => {
    const missing = join(dir, "nope.safetensors");
    expect((await openError(missing)).message).toMatch(/cannot open/);
    const f = await SafetensorsFile.open(craft({ a: f32([1], 0, 4) }, 4));
    expect(() => f.info("b")).toThrow(SafetensorsError);
    await expect(f.tensor("b")).rejects.toMatchObject({ tensor: "b", name: "SafetensorsError" });
    await f.close();
  });
});

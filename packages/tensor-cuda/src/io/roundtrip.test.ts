import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import "../index.js";
import type { DType, TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { loadSafetensors, rawToTensor, SafetensorsError, SafetensorsFile, saveSafetensors } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "shrinkray-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tmp = (name = "t") => join(dir, `${name}-${counter++}.safetensors`);

const bytesOf = (a: TypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// Bit patterns chosen to catch any accidental float round trip: NaN payloads, -0, subnormals.
const SAMPLES: [DType, TypedArray][] = [
  [
    "float32",
    new Float32Array(new Uint32Array([0, 0x80000000, 0x3f800000, 0x7f800000, 0x7fc00001, 0x00000001]).buffer),
  ],
  [
    "float64",
    Float64Array.from([0, -0, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, Number.NEGATIVE_INFINITY]),
  ],
  [
    "float16",
    Uint16Array.from([0x0000, 0x8000, 0x3c00, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0x0001, 0x03ff, 0x7bff]),
  ],
  [
    "bfloat16",
    Uint16Array.from([0x0000, 0x8000, 0x3f80, 0x7f80, 0xff80, 0x7fc1, 0x7f81, 0x0001, 0x7f7f, 0xc049]),
  ],
  ["int32", Int32Array.from([0, -1, 2147483647, -2147483648, 123456789])],
  ["int64", BigInt64Array.from([0n, -1n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n])],
  ["int8", Int8Array.from([0, -1, 127, -128, 42])],
  ["uint8", Uint8Array.from([0, 1, 128, 255])],
  ["bool", Uint8Array.from([0, 1, 1, 0, 1, 0])],
];

function sampleTensors(): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  for (const [dtype, arr] of SAMPLES) m.set(`t.${dtype}`, Tensor.from(arr.slice(), [arr.length], { dtype }));
  m.set(
    "matrix",
    Tensor.from(
      Float32Array.from({ length: 12 }, (_, i) => i - 5.5),
      [3, 4],
    ),
  );
  m.set("scalar", Tensor.from(Float32Array.of(2.5), []));
  m.set("empty", Tensor.from(new Float32Array(0), [0, 7]));
  return m;
}

describe("round trip", () => {
  test("every dtype keeps its exact bits and its storage dtype", async () => {
    const p = tmp();
    await saveSafetensors(p, sampleTensors());
    const back = await loadSafetensors(p);
    for (const [dtype, arr] of SAMPLES) {
      const t = back.get(`t.${dtype}`)!;
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual([arr.length]);
      expect(bytesOf(t.dataSync()).equals(bytesOf(arr))).toBe(true);
    }
    expect(back.get("matrix")!.toArray()).toEqual(sampleTensors().get("matrix")!.toArray());
    expect(back.get("scalar")!.shape).toEqual([]);
    expect(back.get("scalar")!.item()).toBe(2.5);
    expect(back.get("empty")!.shape).toEqual([0, 7]);
  });

  test("int64 values beyond 2^53 survive", async () => {
    const p = tmp();
    await saveSafetensors(p, {
      big: Tensor.from(BigInt64Array.of(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n), [3]),
    });
    expect([...((await loadSafetensors(p)).get("big")!.dataSync() as BigInt64Array)]).toEqual([
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 53n + 1n,
    ]);
  });

  test("metadata round trips, and absent stays absent", async () => {
    const meta = { format: "pt", "1": "one", ünï: 'ç\n"q"', empty: "" };
    const p = tmp();
    await saveSafetensors(p, { x: Tensor.zeros([2]) }, meta);
    const f = await SafetensorsFile.open(p);
    expect(f.metadata()).toEqual(meta);
    await f.close();
    const q = tmp();
    await saveSafetensors(q, { x: Tensor.zeros([2]) });
    const g = await SafetensorsFile.open(q);
    expect(g.metadata()).toBeUndefined();
    await g.close();
  });

  test("read → write reproduces our files byte for byte (through raw and through tensors)", async () => {
    const p = tmp();
    await saveSafetensors(p, sampleTensors(), { format: "pt", b: "2", "10": "x" });
    const f = await SafetensorsFile.open(p);
    const raws = new Map();
    const tensors = new Map();
    for (const k of f.keys()) {
      raws.set(k, await f.raw(k));
      tensors.set(k, await f.tensor(k));
    }
    const viaRaw = tmp();
    const viaTensor = tmp();
    await saveSafetensors(viaRaw, raws, f.metadata());
    await saveSafetensors(viaTensor, tensors, f.metadata());
    await f.close();
    expect(readFileSync(viaRaw).equals(readFileSync(p))).toBe(true);
    expect(readFileSync(viaTensor).equals(readFileSync(p))).toBe(true);
  });

  test("the header is padded to 8 and every tensor starts aligned to its element size", async () => {
    const p = tmp();
    await saveSafetensors(p, sampleTensors());
    const buf = readFileSync(p);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    for (const [name, e] of Object.entries<{ dtype: string; data_offsets: number[] }>(header)) {
      const size = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2 }[e.dtype] ?? 1;
      expect(e.data_offsets[0] % size, name).toBe(0);
    }
  });

  test("tensor(name, {dtype}) casts after reading; bfloat16 → float32 is exact", async () => {
    const p = tmp();
    const bits = Uint16Array.from([0x3f80, 0xc049, 0x0001, 0x7f7f]);
    await saveSafetensors(p, { w: Tensor.from(bits, [2, 2], { dtype: "bfloat16" }) });
    const f = await SafetensorsFile.open(p);
    const t = await f.tensor("w", { dtype: "float32" });
    expect(t.dtype).toBe("float32");
    expect(t.shape).toEqual([2, 2]);
    const u32 = new Uint32Array((t.dataSync() as Float32Array).buffer);
    expect([...u32]).toEqual([...bits].map((b) => (b << 16) >>> 0));
    expect((await f.tensor("w")).dtype).toBe("bfloat16");
    await f.close();
  });

  test("rawToTensor copies a slice that is not aligned to its element size", () => {
    const backing = new Uint8Array(9);
    new DataView(backing.buffer).setFloat32(1, 1.5, true);
    new DataView(backing.buffer).setFloat32(5, -2, true);
    const t = rawToTensor({ dtype: "float32", shape: [2], bytes: backing.subarray(1) });
    expect(t.toArray()).toEqual([1.5, -2]);
  });
});

describe("lazy reads", () => {
  test("open reads only the 8-byte length and the header; tensor() reads only its own bytes", async () => {
    const p = tmp();
    const big = Tensor.from(new Float32Array(1 << 18).fill(1), [512, 512]);
    await saveSafetensors(p, { a: big, b: Tensor.from(Int32Array.of(7, 8, 9), [3]), c: big });
    const n = Number(readFileSync(p).readBigUInt64LE(0));
    const f = await SafetensorsFile.open(p);
    expect(f.bytesRead).toBe(8 + n);
    expect(f.info("b")).toEqual({ dtype: "int32", shape: [3], byteLength: 12 });
    expect(f.bytesRead).toBe(8 + n);
    expect((await f.tensor("b")).toArray()).toEqual([7, 8, 9]);
    expect(f.bytesRead).toBe(8 + n + 12);
    await f.close();
  });

  test("a tensor at the end of a 512 MiB file is read without touching the rest", async () => {
    const p = tmp("sparse");
    const hole = 512 * 1024 * 1024;
    const header = Buffer.from(
      JSON.stringify({
        hole: { dtype: "U8", shape: [hole], data_offsets: [0, hole] },
        tail: { dtype: "F32", shape: [2], data_offsets: [hole, hole + 8] },
      }).padEnd(160, " "),
    );
    const fh = await open(p, "w");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    await fh.write(len, 0, 8, 0);
    await fh.write(header, 0, header.length, 8);
    await fh.truncate(8 + header.length + hole + 8); // sparse: the hole costs no disk
    await fh.write(Buffer.from(Float32Array.of(3, 4).buffer), 0, 8, 8 + header.length + hole);
    await fh.close();
    const f = await SafetensorsFile.open(p);
    expect(f.info("hole").byteLength).toBe(hole);
    expect((await f.tensor("tail")).toArray()).toEqual([3, 4]);
    expect(f.bytesRead).toBe(8 + header.length + 8);
    await f.close();
    rmSync(p);
  });

  test("reads after close() fail with a SafetensorsError", async () => {
    const p = tmp();
    await saveSafetensors(p, { x: Tensor.zeros([1]) });
    const f = await SafetensorsFile.open(p);
    await f.close();
    await expect(f.tensor("x")).rejects.toThrow(SafetensorsError);
    await expect(f.tensor("x")).rejects.toThrow(/after close/);
  });
});

describe("atomic write", () => {
  const leftovers = (sub: string) => readdirSync(sub);

  test("a tensor that fails mid-write leaves neither the file nor a temp file", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const bad = Tensor.zeros([4]);
    bad.dispose();
    const p = join(sub, "model.safetensors");
    const err = await saveSafetensors(p, { a: Tensor.ones([1000]), z: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(SafetensorsError);
    expect(err.file).toBe(p);
    expect(leftovers(sub)).toEqual([]);
  });

  test("a failed write keeps the previous file intact", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const p = join(sub, "model.safetensors");
    await saveSafetensors(p, { a: Tensor.ones([3]) });
    const before = readFileSync(p);
    const bad = { dtype: "float32" as const, shape: [4], bytes: new Uint8Array(15) };
    await expect(saveSafetensors(p, { a: Tensor.zeros([3]), bad })).rejects.toThrow(/"bad".*15 bytes/);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(leftovers(sub)).toEqual(["model.safetensors"]);
  });

  test("invalid input is refused before any file is created", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const p = join(sub, "x.safetensors");
    await expect(saveSafetensors(p, { a: Tensor.ones([1]) }, { n: 1 as unknown as string })).rejects.toThrow(
      SafetensorsError,
    );
    await expect(saveSafetensors(p, { a: 3 as unknown as Tensor })).rejects.toThrow(/neither a Tensor/);
    expect(leftovers(sub)).toEqual([]);
  });

  test("an unwritable destination is a SafetensorsError naming it", async () => {
    const p = join(dir, "no-such-dir", "x.safetensors");
    const err = await saveSafetensors(p, { a: Tensor.ones([1]) }).catch((e) => e);
    expect(err).toBeInstanceOf(SafetensorsError);
    expect(err.message).toContain(p);
  });

  test("the file is replaced whole: a reader opened before the save still sees the old bytes", async () => {
    const p = tmp();
    await saveSafetensors(p, { a: Tensor.from(Float32Array.of(1, 2), [2]) });
    const old = await SafetensorsFile.open(p);
    await saveSafetensors(p, { a: Tensor.from(Float32Array.of(5, 6), [2]) });
    expect((await old.tensor("a")).toArray()).toEqual([1, 2]);
    await old.close();
    expect((await loadSafetensors(p)).get("a")!.toArray()).toEqual([5, 6]);
  });
});

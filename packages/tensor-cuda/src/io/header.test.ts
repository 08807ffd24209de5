import { describe, expect, test } from "vitest";
import { byteSize } from "../dtype.js";
import { SafetensorsError } from "./errors.js";
import { encodeHeader, parseHeader, readHeaderLength } from "./header.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

describe("encodeHeader", () => {
  // Byte vectors from the reference implementation's own tests (safetensors/src/tensor.rs).
  test("matches the reference writer: one F32 tensor", () => {
    const { bytes } = encodeHeader([{ name: "attn.0", dtype: "float32", shape: [1, 2, 3] }], undefined, "t");
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect([...bytes.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(text(bytes.subarray(8))).toBe(json);
  });

  test("matches the reference writer: padding with spaces to a multiple of 8", () => {
    const { bytes } = encodeHeader(
      [{ name: "attn0", dtype: "float32", shape: [1, 1, 2, 3] }],
      undefined,
      "t",
    );
    expect(bytes[0]).toBe(72);
    expect(text(bytes.subarray(8))).toBe(
      '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ',
    );
  });

  test("matches the reference writer: empty, and metadata only", () => {
    expect([...encodeHeader([], undefined, "t").bytes]).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    const { bytes } = encodeHeader([], { framework: "pt" }, "t");
    expect(bytes[0]).toBe(40);
    expect(text(bytes.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  test("orders by descending dtype alignment, then name (UTF-8 byte order)", () => {
    const { entries } = encodeHeader(
      [
        { name: "b", dtype: "uint8", shape: [3] },
        { name: "a", dtype: "uint8", shape: [1] },
        { name: "z", dtype: "int64", shape: [1] },
        { name: "h", dtype: "float16", shape: [2] },
        { name: "g", dtype: "bfloat16", shape: [2] },
        { name: "\u{1F600}", dtype: "float32", shape: [1] },
        { name: "\uFF21", dtype: "float32", shape: [1] },
        { name: "f", dtype: "float64", shape: [1] },
        { name: "m", dtype: "bool", shape: [5] },
        { name: "i", dtype: "int32", shape: [2] },
        { name: "j", dtype: "int8", shape: [2] },
      ],
      undefined,
      "t",
    );
    // U+FF21 is 3 UTF-8 bytes (EF BC A1) and sorts before the emoji's F0 9F..., though as
    // UTF-16 the emoji's high surrogate D83D would sort first.
    expect(entries.map((e) => e.name)).toEqual([
      "z",
      "f",
      "\uFF21",
      "\u{1F600}",
      "i",
      "g",
      "h",
      "j",
      "a",
      "b",
      "m",
    ]);
    for (const e of entries) expect(e.begin % byteSize(e.dtype)).toBe(0);
    expect(entries.at(-1)!.end).toBe(8 + 8 + 4 + 4 + 8 + 4 + 4 + 2 + 1 + 3 + 5);
  });

  test("sorts metadata keys, so JSON.parse's integer-key reordering cannot change a re-save", () => {
    const { bytes } = encodeHeader([], { b: "1", "10": "x", a: "2", "2": "y" }, "t");
    expect(text(bytes.subarray(8)).trimEnd()).toBe('{"__metadata__":{"10":"x","2":"y","a":"2","b":"1"}}');
  });

  test("rejects reserved and repeated names and non-string metadata", () => {
    expect(() =>
      encodeHeader([{ name: "__metadata__", dtype: "uint8", shape: [1] }], undefined, "t"),
    ).toThrow(SafetensorsError);
    expect(() =>
      encodeHeader(
        [
          { name: "x", dtype: "uint8", shape: [1] },
          { name: "x", dtype: "uint8", shape: [1] },
        ],
        undefined,
        "t",
      ),
    ).toThrow(/twice/);
    expect(() => encodeHeader([], { n: 3 as unknown as string }, "t")).toThrow(/not a string/);
  });
});

describe("parseHeader", () => {
  test("reads back what encodeHeader wrote, in offset order", () => {
    const { bytes } = encodeHeader(
      [
        { name: "w", dtype: "float32", shape: [2, 3] },
        { name: "ids", dtype: "int64", shape: [4] },
        { name: "s", dtype: "float32", shape: [] },
      ],
      { format: "pt" },
      "t",
    );
    const n = readHeaderLength(bytes, "t", bytes.length + 60);
    const h = parseHeader(bytes.subarray(8, 8 + n), "t", 60);
    expect(h.entries.map((e) => [e.name, e.dtype, e.shape, e.begin, e.end])).toEqual([
      ["ids", "int64", [4], 0, 32],
      ["s", "float32", [], 32, 36],
      ["w", "float32", [2, 3], 36, 60],
    ]);
    expect(h.metadata).toEqual({ format: "pt" });
  });

  test("keeps an absent __metadata__ apart from an empty one", () => {
    const enc = (s: string) => new Uint8Array(Buffer.from(s));
    expect(parseHeader(enc("{}"), "t", 0).metadata).toBeUndefined();
    expect(parseHeader(enc('{"__metadata__":{}}'), "t", 0).metadata).toEqual({});
  });

  test("finds a duplicate top-level key even when nested keys repeat it", () => {
    const enc = (s: string) => new Uint8Array(Buffer.from(s));
    const e = '{"dtype":"U8","shape":[1],"data_offsets":[0,1]}';
    expect(() =>
      parseHeader(enc(`{"a":${e},"b\\"":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}}`), "t", 1),
    ).not.toThrow();
    expect(() => parseHeader(enc(`{"a":${e},"a":${e}}`), "t", 1)).toThrow(/"a".*twice/);
  });
});

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collate } from "./batches.js";
import { encodeExample } from "./encode.js";
import { DatasetRowError } from "./errors.js";
import { alpacaFormat, chatFormat } from "./instruction.js";
import { packSequences } from "./pack.js";
import { alignOnResponse } from "./prompted.js";
import { readInstructionFile } from "./read-data.js";
import { checkSequence, teacherPositions } from "./sequence.js";
import { tinyParquet } from "./tiny-parquet.fixture.js";

// Byte-level stand-in tokenizer: one id per UTF-16 unit.
const tok = { encode: (s: string) => [...s].map((c) => c.charCodeAt(0)) };

describe("instruction formats", () => {
  it("Alpaca / Platypus, with and without input", () => {
    const a = alpacaFormat({ instruction: "Add $1 and 2.", input: "", output: "3" });
    expect(a.prompt).toBe(
      "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
        "### Instruction:\nAdd $1 and 2.\n\n### Response:\n",
    );
    expect(a.response).toBe("3");
    const b = alpacaFormat({ instruction: "Translate.", input: "chat", output: "cat" });
    expect(b.prompt).toContain("### Input:\nchat\n\n### Response:\n");
  });

  it("chat template: the last assistant turn is the response", () => {
    const render = (msgs: { role: string; content: string }[], o: { addGenerationPrompt?: boolean }) =>
      msgs.map((m) => `<${m.role}>${m.content}</${m.role}>`).join("") +
      (o.addGenerationPrompt ? "<assistant>" : "");
    const ex = chatFormat(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "2+2?" },
        { role: "assistant", content: "4" },
      ],
      render,
    );
    expect(ex).toEqual({ prompt: "<system>Be brief.</system><user>2+2?</user><assistant>", response: "4" });
    expect(() => chatFormat([{ role: "user", content: "hi" }], render)).toThrow(/assistant/);
  });

  it("only response tokens (and EOS) are learned", () => {
    const s = encodeExample({ prompt: "Q:", response: "ab" }, tok, { eos: 0, bos: 1 });
    expect(s.ids).toEqual([1, 81, 58, 97, 98, 0]);
    expect(s.targets).toEqual([0, 0, 0, 1, 1, 1]);
    const b = collate([s], [0]);
    expect(b.labels.toArray()).toEqual([[-100, -100, 97, 98, 0, -100]]);
    expect(b.lossMask.toArray()).toEqual([[0, 0, 1, 1, 1, 0]]);
    expect(b.lossTokens).toBe(3);
  });
});

describe("packing", () => {
  it("fills rows greedily up to maxLength and truncates longer rows", () => {
    const rows = [3, 4, 2, 9, 1].map((n, i) => ({ ids: Array(n).fill(i + 1), targets: Array(n).fill(1) }));
    const { rows: packed, truncated } = packSequences(rows, 8);
    expect(packed.map((r) => r.ids)).toEqual([[1, 1, 1, 2, 2, 2, 2], [3, 3], [4, 4, 4, 4, 4, 4, 4, 4], [5]]);
    expect(truncated).toBe(1);
  });

  it("keeps each part's teacher alignment", () => {
    const a = alignOnResponse([5], [9, 9, 5], [6, 7]);
    const b = { ids: [1, 2], targets: [0, 1] };
    const c = alignOnResponse([5, 5], [8, 5, 5], [6]);
    const { rows } = packSequences([a, b, c], 16);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    checkSequence(r, "packed");
    expect(r.ids).toEqual([5, 6, 7, 1, 2, 5, 5, 6]);
    expect(r.teacherIds).toEqual([9, 9, 5, 6, 7, 1, 2, 8, 5, 5, 6]);
    // Each learned student position reads the teacher position that predicts the same token.
    const pos = teacherPositions(r);
    r.targets.forEach((t, i) => {
      if (t) expect(r.teacherIds![pos[i - 1] + 1]).toBe(r.ids[i]);
    });
  });
});

describe("local files", () => {
  const rows = [
    { instruction: "Say hi.", input: "", output: "hi" },
    { instruction: "Echo.", input: "x", output: "x" },
  ];

  it("reads Alpaca rows from JSONL and Parquet alike", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-data-"));
    await writeFile(join(dir, "a.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    await writeFile(join(dir, "a.parquet"), tinyParquet(["instruction", "input", "output"], rows));
    expect(await readInstructionFile(join(dir, "a.jsonl"))).toEqual(rows);
    expect(await readInstructionFile(join(dir, "a.parquet"))).toEqual(rows);
  });

  it("names the file, row and field of a bad row", async () => {
    const dir = await mkdtemp(join(tmpdir(), "distill-data-"));
    const file = join(dir, "bad.jsonl");
    await writeFile(file, `${JSON.stringify(rows[0])}\n{"instruction": "x"}\n`);
    const err = await readInstructionFile(file).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetRowError);
    expect(err.message).toBe(`${file}, row 2, field "output": expected a string, got nothing`);
    await writeFile(file, "{not json\n");
    await expect(readInstructionFile(file)).rejects.toThrow(/row 1: not valid JSON/);
    await expect(readInstructionFile(join(dir, "x.csv"))).rejects.toThrow(/expected a \.jsonl or \.parquet/);
  });
});

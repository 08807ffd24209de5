/*
 * The round trip a user makes from the command line on the bundled toy model: quantize (GPTQ, RTN,
 * int8) and sparsify each write a complete Hugging Face model directory at --out, and eval,
 * distill, quantize and sensitivity read every one of them back.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Tensor } from "@shrinkray/tensor-cuda";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { haveToyTeacher, TOY_SEED, TOY_TEACHER_DIR, wordProblems } from "../toy/index.js";

afterEach(() => vi.restoreAllMocks());

/** Runs the CLI, returning its exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out: out.join(""), err: err.join("") };
}

/** The perplexity a model card reports. */
const perplexityIn = (card: string) => Number(/\| eval perplexity \| ([\d.]+) \|/.exec(card)?.[1]);
/** The perplexity an eval run measured, at full precision (its results.json). */
const evalPerplexity = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")).variants[0].metrics[0].value as number;

const COMPLETE = [
  "README.md",
  "config.json",
  "generation_config.json",
  "model.safetensors",
  "tokenizer.json",
  "tokenizer_config.json",
];

describe.skipIf(!haveToyTeacher())("model directories from the CLI, read back by every command", () => {
  const root = mkdtempSync(join(tmpdir(), "sr-formats-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const text = (split: "train" | "heldout", count: number) =>
    wordProblems({ split, seed: TOY_SEED, count })
      .map((p) => `Question: ${p.question}\nAnswer: ${p.answer}`)
      .join("\n\n");
  const calib = join(root, "calib.txt");
  const heldout = join(root, "heldout.txt");
  writeFileSync(calib, text("train", 64));
  writeFileSync(heldout, text("heldout", 8));
  const evalFlags = ["--task", "perplexity", "--eval-data", heldout];
  /** sparsify with one epoch of layer-wise fitting, measured on the held-out text. */
  const sparsify = (model: string, out: string) =>
    cli(
      ...["sparsify", "--model", model, "--groups", "4", "--rank", "8", "--calibration", calib],
      ...["--fit-epochs", "1", "--out", out, ...evalFlags],
    );

  const methods = [
    {
      name: "gptq",
      flags: [
        "--method",
        "gptq",
        "--bits",
        "4",
        "--group-size",
        "32",
        "--calibration",
        calib,
        "--nsamples",
        "8",
        "--seq-len",
        "64",
      ],
      bits: 4,
    },
    { name: "rtn", flags: ["--method", "rtn", "--bits", "3", "--group-size", "32", "--asym"], bits: 3 },
    { name: "int8", flags: ["--method", "int8"], bits: 8 },
  ];
  for (const m of methods) {
    it(`quantize --method ${m.name} → a complete GPTQ directory → eval reads it to the same perplexity`, async () => {
      const out = join(root, m.name);
      const q = await cli("quantize", "--model", TOY_TEACHER_DIR, ...m.flags, "--out", out, ...evalFlags);
      expect(q.code, q.err).toBe(0);
      // The model directory and nothing else: no run folder, no copy of the input.
      expect(readdirSync(out).sort()).toEqual([...COMPLETE, "quantize_config.json"].sort());
      expect(readdirSync(root).filter((f) => f.startsWith("."))).toEqual([]);
      const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
      expect(config.torch_dtype).toBe("float32"); // kept from the toy's config.json
      expect(config.quantization_config).toMatchObject({
        quant_method: "gptq",
        bits: m.bits,
        checkpoint_format: m.name === "rtn" ? "gptq_v2" : "gptq",
        sym: m.name !== "rtn",
      });
      expect(readFileSync(join(out, "tokenizer_config.json"), "utf8")).toBe(
        readFileSync(join(TOY_TEACHER_DIR, "tokenizer_config.json"), "utf8"),
      );
      const card = readFileSync(join(out, "README.md"), "utf8");
      expect(card).toMatch(new RegExp(`^# ${m.name}$`, "m"));
      const measured = perplexityIn(card);
      expect(measured).toBeGreaterThan(1);

      const e = await cli("eval", "--model", out, ...evalFlags, "--out", join(root, `eval-${m.name}`));
      expect(e.code, e.err).toBe(0);
      expect(evalPerplexity(join(root, `eval-${m.name}`))).toBeCloseTo(measured, 3);
    });
  }

  it("sparsify → a sparse directory that eval reads; distill (sparse student, GPTQ teacher), quantize and sensitivity read it", async () => {
    const sparse = join(root, "sparse");
    const s = await sparsify(TOY_TEACHER_DIR, sparse);
    expect(s.code, s.err).toBe(0);
    expect(readdirSync(sparse).sort()).toEqual([...COMPLETE, "sparsity_config.json"].sort());
    const measured = perplexityIn(readFileSync(join(sparse, "README.md"), "utf8"));
    const e = await cli("eval", "--model", sparse, ...evalFlags, "--out", join(root, "eval-sparse"));
    expect(e.code, e.err).toBe(0);
    expect(evalPerplexity(join(root, "eval-sparse"))).toBeCloseTo(measured, 3);

    const student = join(root, "distilled");
    const d = await cli(
      "distill",
      "--model",
      sparse,
      "--teacher",
      join(root, "gptq"),
      "--data",
      calib,
      "--steps",
      "2",
      "--out",
      student,
    );
    expect(d.code, d.err).toBe(0);
    expect(existsSync(join(student, "sparsity_config.json"))).toBe(true);

    // Re-quantizing a sparse student: its layers are merged to dense, then quantized.
    const requant = join(root, "sparse-rtn");
    const r = await cli(
      "quantize",
      "--model",
      sparse,
      "--method",
      "rtn",
      "--bits",
      "4",
      "--group-size",
      "32",
      "--out",
      requant,
    );
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(requant, "sparsity_config.json"))).toBe(false);
    expect(JSON.parse(readFileSync(join(requant, "config.json"), "utf8")).quantization_config.bits).toBe(4);

    // Re-quantizing a GPTQ model (int8 → 4-bit RTN): its packed layers become float first.
    const from8 = join(root, "int8-rtn4");
    const rq = await cli(
      "quantize",
      "--model",
      join(root, "int8"),
      "--method",
      "rtn",
      "--bits",
      "4",
      "--group-size",
      "32",
      "--out",
      from8,
    );
    expect(rq.code, rq.err).toBe(0);
    expect(JSON.parse(readFileSync(join(from8, "config.json"), "utf8")).quantization_config.bits).toBe(4);
    expect(readFileSync(join(from8, "README.md"), "utf8")).toContain("dequantized GPTQ + rtn 4-bit g32");

    const sens = await cli(
      "sensitivity",
      "--model",
      join(root, "int8"),
      ...evalFlags,
      "--granularity",
      "layer",
      "--out",
      join(root, "sens"),
    );
    expect(sens.code, sens.err).toBe(0);
  });

  it("a sharded bfloat16 input: torch_dtype kept, and the card reports the directory as written", async () => {
    // The toy as bf16 checkpoints come: bfloat16 tensors in two shards with an index.
    const bf16 = join(root, "toy-bf16");
    mkdirSync(bf16);
    const tensors = new Map<string, Tensor>();
    for (const [name, t] of await io.loadSafetensors(join(TOY_TEACHER_DIR, "model.safetensors")))
      tensors.set(name, t.dtype === "float32" ? t.cast("bfloat16") : t);
    await io.saveSharded(bf16, tensors, { maxShardBytes: 600_000 });
    expect(existsSync(join(bf16, "model.safetensors.index.json"))).toBe(true);
    const config = JSON.parse(readFileSync(join(TOY_TEACHER_DIR, "config.json"), "utf8"));
    writeFileSync(join(bf16, "config.json"), JSON.stringify({ ...config, torch_dtype: "bfloat16" }));
    for (const f of ["tokenizer.json", "tokenizer_config.json", "generation_config.json"])
      copyFileSync(join(TOY_TEACHER_DIR, f), join(bf16, f));

    // Fitting trains the sparse layers in float32; the directory stores them in bfloat16, so the
    // metric on the card must be measured on what was stored, as a later eval reads it.
    const sparse = join(root, "sparse-bf16");
    const s = await sparsify(bf16, sparse);
    expect(s.code, s.err).toBe(0);
    expect(JSON.parse(readFileSync(join(sparse, "config.json"), "utf8")).torch_dtype).toBe("bfloat16");
    const measured = perplexityIn(readFileSync(join(sparse, "README.md"), "utf8"));
    const e = await cli("eval", "--model", sparse, ...evalFlags, "--out", join(root, "eval-sparse-bf16"));
    expect(e.code, e.err).toBe(0);
    expect(evalPerplexity(join(root, "eval-sparse-bf16"))).toBeCloseTo(measured, 2);
    // Its bits per weight are the stored width, 16, not the float32 it computes in.
    expect(s.out).toMatch(/\| sparse-bf16 \| grouped\(g=4\)\+lowrank\(r=8\) \| 16\.00 \|/);

    const q = await cli("quantize", "--model", bf16, "--method", "int8", "--out", join(root, "int8-bf16"));
    expect(q.code, q.err).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "int8-bf16", "config.json"), "utf8")).torch_dtype).toBe(
      "bfloat16",
    );
  });

  it("an --out that is a file, or the teacher being read, is refused before any work", async () => {
    const file = join(root, "out.txt");
    writeFileSync(file, "keep");
    const q = await cli("quantize", "--model", TOY_TEACHER_DIR, "--method", "int8", "--out", file);
    expect(q.code).toBe(1);
    expect(q.err).toMatch(/out\.txt: exists and is not a directory/);
    expect(readFileSync(file, "utf8")).toBe("keep");

    const teacher = join(root, "int8");
    const before = readdirSync(teacher).sort();
    const d = await cli(
      "distill",
      "--model",
      TOY_TEACHER_DIR,
      "--teacher",
      teacher,
      "--data",
      calib,
      "--steps",
      "1",
      "--out",
      teacher,
    );
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/--out is a model directory this command reads/);
    expect(readdirSync(teacher).sort()).toEqual(before);
  });

  it("a model without a tokenizer: GPTQ calibration fails naming it, and leaves no scratch behind", async () => {
    const bare = join(root, "no-tokenizer");
    mkdirSync(bare);
    for (const f of ["config.json", "model.safetensors"])
      copyFileSync(join(TOY_TEACHER_DIR, f), join(bare, f));
    const hidden = () => readdirSync(root).filter((f) => f.startsWith("."));
    const before = hidden();
    const q = await cli(
      ...["quantize", "--model", bare, "--method", "gptq", "--calibration", calib],
      ...["--out", join(root, "bare-gptq")],
    );
    expect(q.code).toBe(1);
    expect(q.err).toContain(`${bare}: the model directory has no tokenizer.json`);
    expect(hidden()).toEqual(before);
    expect(existsSync(join(root, "bare-gptq"))).toBe(false);
    // RTN needs no text: it writes a directory without tokenizer files.
    const r = await cli("quantize", "--model", bare, "--method", "rtn", "--out", join(root, "bare-rtn"));
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(root, "bare-rtn", "tokenizer.json"))).toBe(false);
  });

  it("an unreadable directory is named: a quantization method no format reads", async () => {
    const dir = join(root, "awq");
    const q = await cli(
      "quantize",
      "--model",
      TOY_TEACHER_DIR,
      "--method",
      "rtn",
      "--bits",
      "4",
      "--group-size",
      "32",
      "--out",
      dir,
    );
    expect(q.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    config.quantization_config = { quant_method: "awq", bits: 4 };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    const e = await cli("eval", "--model", dir, ...evalFlags, "--out", join(root, "eval-awq"));
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/quant_method "awq" is not supported here/);
    // A model directory is never the output of a command run on it.
    const same = await cli(
      "quantize",
      "--model",
      join(root, "int8"),
      "--method",
      "int8",
      "--out",
      join(root, "int8"),
    );
    expect(same.code).toBe(1);
    // Nor is a folder that is not a model directory replaced, and that is found before any work.
    const notes = join(root, "notes");
    mkdirSync(notes);
    writeFileSync(join(notes, "todo.txt"), "keep");
    const over = await cli("quantize", "--model", TOY_TEACHER_DIR, "--method", "int8", "--out", notes);
    expect(over.code).toBe(1);
    expect(over.err).toMatch(/not a model directory; not replacing it/);
    expect(readdirSync(notes)).toEqual(["todo.txt"]);
  });
});

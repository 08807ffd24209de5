import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "@shrinkray/models";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { haveToyTeacher, TOY_TEACHER_DIR } from "../toy/index.js";

// An OpenAI-compatible completions endpoint on 127.0.0.1 that answers GSM8K-style prompts with
// a scripted text: no request leaves the loopback address. Token-id prompts (scoring) are
// answered as vLLM echoes them, through `scoreIds`.
const answers: Record<string, string> = {
  "2 + 3": " 2 + 3 = 5. The answer is 5.",
  "4 + 4": " The answer is 9.",
};
let endpoint = "";
const prompts: (string | number[])[] = [];
let scoreIds: ((ids: number[]) => number) | undefined;
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    const json = JSON.parse(body) as { prompt: string | string[] | number[] | number[][]; model: string };
    if (typeof (json.prompt as unknown[])[0] === "number" || Array.isArray((json.prompt as unknown[])[0])) {
      const list = (
        typeof (json.prompt as unknown[])[0] === "number" ? [json.prompt] : json.prompt
      ) as number[][];
      prompts.push(...list);
      const choices = list.map((ids, index) => {
        // Every token -1, the last one scoreIds(ids): enough to rank the choices of an item.
        const lps = ids.map((_, j) => (j === 0 ? null : j === ids.length - 1 ? scoreIds!(ids) : -1));
        return {
          index,
          text: "",
          logprobs: {
            tokens: ids.map((id) => `token_id:${id}`),
            token_logprobs: lps,
            text_offset: ids.map((_, j) => j),
            top_logprobs: lps.map((lp) => (lp === null ? null : { "token_id:0": 0 })),
          },
        };
      });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id: "x", object: "text_completion", model: json.model, choices }));
      return;
    }
    const list = (Array.isArray(json.prompt) ? json.prompt : [json.prompt]) as string[];
    prompts.push(...list);
    const choices = list.map((p, index) => {
      const key = Object.keys(answers).find((k) => p.includes(k));
      return { index, text: key ? answers[key] : " I do not know.", finish_reason: "stop" };
    });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: "x", object: "text_completion", model: json.model, choices }));
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  vi.restoreAllMocks();
  prompts.length = 0;
});

describe("shrinkray eval --endpoint", () => {
  it("evaluates a served model on GSM8K through the OpenAI-compatible API", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-endpoint-"));
    const data = join(dir, "gsm8k.jsonl");
    writeFileSync(
      data,
      [
        { question: "What is 2 + 3?", answer: "2 + 3 = 5\n#### 5" },
        { question: "What is 4 + 4?", answer: "4 + 4 = 8\n#### 8" },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const code = await main([
      "eval",
      "--endpoint",
      endpoint,
      "--served-model",
      "teacher-405b",
      "--task",
      "gsm8k",
      "--eval-data",
      data,
      "--out",
      join(dir, "run"),
    ]);
    expect(code).toBe(0);
    expect(out.join("")).toBe("eval accuracy: 0.5\n");
    expect(prompts).toEqual(["Question: What is 2 + 3?\nAnswer:", "Question: What is 4 + 4?\nAnswer:"]);
    const saved = JSON.parse(readFileSync(join(dir, "run", "results.json"), "utf8"));
    expect(saved.metrics[0].value).toBe(0.5);
  });

  it.skipIf(!haveToyTeacher())(
    "scores multiple choice from token ids with the served model's --tokenizer",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "sr-endpoint-"));
      const mmlu = join(dir, "mmlu");
      mkdirSync(mmlu);
      writeFileSync(join(mmlu, "arithmetic_test.csv"), "What is 2 + 3?,4,5,6,7,B\n");
      const tokenizer = (await Tokenizer.fromDir(TOY_TEACHER_DIR))!;
      scoreIds = (ids) => (tokenizer.decode(ids).endsWith(" B") ? -0.5 : -3);
      vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      const code = await main([
        "eval",
        "--endpoint",
        endpoint,
        "--served-model",
        "toy",
        "--task",
        "mmlu",
        "--eval-data",
        mmlu,
        "--tokenizer",
        TOY_TEACHER_DIR,
        "--out",
        join(dir, "run"),
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, "run", "results.json"), "utf8")).metrics[0].value).toBe(1);
      expect(prompts).toHaveLength(4);
      for (const p of prompts) {
        expect(Array.isArray(p)).toBe(true);
        // The tokenizer's own encoding of the prompt text, BOS first.
        expect(p).toEqual(tokenizer.encode(tokenizer.decode(p as number[], { skipSpecialTokens: true })));
      }
    },
  );
});

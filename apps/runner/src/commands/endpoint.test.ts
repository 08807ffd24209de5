import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";

// An OpenAI-compatible completions endpoint on 127.0.0.1 that answers GSM8K-style prompts with
// a scripted text: no request leaves the loopback address.
const answers: Record<string, string> = {
  "2 + 3": " 2 + 3 = 5. The answer is 5.",
  "4 + 4": " The answer is 9.",
};
let endpoint = "";
const prompts: string[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    const json = JSON.parse(body) as { prompt: string | string[]; model: string };
    const list = Array.isArray(json.prompt) ? json.prompt : [json.prompt];
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
afterEach(() => vi.restoreAllMocks());

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
});

/*
 * The evaluation options do what they say: GSM8K `shots` is lm-eval's gsm8k_cot with its first
 * k exemplars, MMLU `shots` reads the dev split beside the test one (and fails without it),
 * `chatTemplate` renders through the model's template with exemplars as turns.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COT_EXEMPLARS, type Gsm8kItem } from "@shrinkray/eval-gsm8k";
import { loadMmluSplit } from "@shrinkray/eval-mmlu";
import { describe, expect, it } from "vitest";
import type { EvalSpec } from "../experiment/schema.js";
import { type ModelHandle, runEvaluation } from "./evaluate.js";

/** A model that records its prompts and answers "The answer is 4." / scores " A" highest. */
function recorder() {
  const prompts: string[] = [];
  const contexts: string[] = [];
  const handle: ModelHandle = {
    lm: {
      async generate(reqs) {
        prompts.push(...reqs.map((r) => r.prompt));
        return reqs.map(() => " The answer is 4.");
      },
      async loglikelihood(reqs) {
        contexts.push(...reqs.map((r) => r.context));
        return reqs.map((r) => ({ logprob: r.continuation === " A" ? -1 : -2, greedy: false }));
      },
    },
    chat: (messages) => messages.map((m) => `<${m.role}>${m.content}`).join("") + "<assistant>",
  };
  return { handle, prompts, contexts };
}

const item: Gsm8kItem = { question: "What is 2 + 2?", answer: "2 + 2 = 4\n#### 4", gold: 4 } as Gsm8kItem;
const work = () => mkdtempSync(join(tmpdir(), "sr-eval-"));

describe("gsm8k shots and chat template", () => {
  const run = async (spec: Partial<Extract<EvalSpec, { task: "gsm8k" }>>) => {
    const r = recorder();
    const out = await runEvaluation(
      { task: "gsm8k", data: "g", ...spec } as EvalSpec,
      r.handle,
      { kind: "gsm8k", items: [item] },
      "g",
      work(),
    );
    return { ...r, out };
  };

  it("shots k is gsm8k_cot with its first k exemplars; none is zero-shot", async () => {
    const three = (await run({ shots: 3 })).prompts[0];
    expect(three.startsWith(`Q: ${COT_EXEMPLARS[0].question}`)).toBe(true);
    expect(three).toContain(COT_EXEMPLARS[2].question);
    expect(three).not.toContain(COT_EXEMPLARS[3].question);
    expect(three.endsWith(`Q: ${item.question}\nA:`)).toBe(true);
    const eight = (await run({ prompt: "cot" })).prompts[0];
    expect(eight).toContain(COT_EXEMPLARS[7].question);
    expect((await run({})).prompts[0]).toBe(`Question: ${item.question}\nAnswer:`);
    await expect(run({ prompt: "zero-shot", shots: 2 })).rejects.toThrow(/needs prompt "cot"/);
  });

  it("chatTemplate renders exemplars as user/assistant turns after the system prompt", async () => {
    const { prompts, out } = await run({ shots: 2, chatTemplate: true, systemPrompt: "Think step by step." });
    expect(prompts[0]).toBe(
      "<system>Think step by step." +
        `<user>Q: ${COT_EXEMPLARS[0].question}\nA:<assistant>${COT_EXEMPLARS[0].answer}` +
        `<user>Q: ${COT_EXEMPLARS[1].question}\nA:<assistant>${COT_EXEMPLARS[1].answer}` +
        `<user>Q: ${item.question}\nA:<assistant>`,
    );
    expect(out.metrics[0].value).toBe(1);
    const bare = recorder();
    bare.handle.chat = undefined;
    await expect(
      runEvaluation(
        { task: "gsm8k", data: "g", chatTemplate: true } as EvalSpec,
        bare.handle,
        { kind: "gsm8k", items: [item] },
        "g",
        work(),
      ),
    ).rejects.toThrow(/tokenizer_config.json has none/);
  });
});

describe("mmlu shots from the dev split", () => {
  const csv = (q: string, answer: string) => `"${q}",one,two,three,four,${answer}\n`;
  function mmluDir(withDev: boolean): string {
    const root = mkdtempSync(join(tmpdir(), "sr-mmlu-"));
    mkdirSync(join(root, "test"));
    writeFileSync(join(root, "test", "astronomy_test.csv"), csv("What orbits the Sun?", "A"));
    if (withDev) {
      mkdirSync(join(root, "dev"));
      writeFileSync(
        join(root, "dev", "astronomy_dev.csv"),
        csv("Dev one?", "B") + csv("Dev two?", "C") + csv("Dev three?", "D"),
      );
    }
    return join(root, "test");
  }
  const run = async (dir: string, spec: Partial<Extract<EvalSpec, { task: "mmlu" }>>) => {
    const r = recorder();
    const items = await loadMmluSplit(dir, "test");
    await runEvaluation(
      { task: "mmlu", data: "m", ...spec } as EvalSpec,
      r.handle,
      { kind: "mmlu", items, dir },
      "m",
      work(),
    );
    return r;
  };

  it("k-shot reads k exemplars from dev/ beside test/", async () => {
    const { contexts } = await run(mmluDir(true), { shots: 2 });
    expect(contexts[0]).toContain("Dev one?");
    expect(contexts[0]).toContain("Dev two?");
    expect(contexts[0]).not.toContain("Dev three?");
    expect(contexts[0]).toContain("Answer: B\n\n");
  });

  it("without a dev split, or with too few rows, k-shot is an error, never a silent 0-shot", async () => {
    await expect(run(mmluDir(false), { shots: 5 })).rejects.toThrow(
      /5-shot needs the dev split \(<subject>_dev.csv/,
    );
    await expect(run(mmluDir(true), { shots: 4 })).rejects.toThrow(/has 3 rows, fewer than shots 4/);
    const zero = await run(mmluDir(false), {});
    expect(zero.contexts[0]).not.toContain("Dev");
  });

  it("chatTemplate puts the description in the system turn and exemplars as turns", async () => {
    const { contexts } = await run(mmluDir(true), { shots: 1, chatTemplate: true });
    expect(contexts[0]).toBe(
      "<system>The following are multiple choice questions (with answers) about astronomy.\n\n" +
        "<user>Dev one?\nA. one\nB. two\nC. three\nD. four\nAnswer:<assistant>B" +
        "<user>What orbits the Sun?\nA. one\nB. two\nC. three\nD. four\nAnswer:<assistant>",
    );
  });
});

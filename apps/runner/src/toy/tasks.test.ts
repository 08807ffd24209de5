import { parseGsm8kJsonl } from "@shrinkray/eval-gsm8k";
import { PERTURBATIONS } from "@shrinkray/eval-rupbench";
import { describe, expect, it } from "vitest";
import { apply, type Operation, toGsm8kJsonl, wordProblems } from "./tasks/arithmetic.js";
import { CHOICE_DATASET, choiceItems, choiceQuestions } from "./tasks/choice.js";
import { splitOf } from "./tasks/splits.js";

const OPS: Record<string, Operation> = { "+": "add", "-": "sub", "*": "mul" };

describe("toy word problems", () => {
  const items = wordProblems({ split: "train", seed: 7, count: 400 });

  it("are the same for the same seed and differ for another", () => {
    expect(wordProblems({ split: "train", seed: 7, count: 400 })).toEqual(items);
    const other = wordProblems({ split: "train", seed: 8, count: 50 });
    expect(other.map((p) => p.question)).not.toEqual(items.slice(0, 50).map((p) => p.question));
  });

  it("have worked answers whose arithmetic is right and whose #### is the last result", () => {
    for (const p of items) {
      const lines = p.answer.split("\n");
      const last = lines.pop()!;
      expect(last).toBe(`#### ${p.gold}`);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeLessThanOrEqual(3);
      let previous: number | null = null;
      for (const line of lines) {
        const m = /(\d+)([+*-])(\d+)=(\d+) /.exec(line);
        expect(m, line).not.toBeNull();
        const [a, op, b, c] = [Number(m![1]), m![2], Number(m![3]), Number(m![4])];
        expect(apply(OPS[op], a, b)).toBe(c);
        // Each step works on the previous step's result.
        if (previous !== null) expect(a).toBe(previous);
        previous = c;
        expect(c).toBeGreaterThan(0);
        expect(c).toBeLessThan(200);
      }
      expect(previous).toBe(p.gold);
      expect(p.steps.at(-1)!.result).toBe(p.gold);
    }
  });

  it("use every operation, with calculator annotations on request", () => {
    const ops = new Set(items.flatMap((p) => p.steps.map((s) => s.op)));
    expect([...ops].sort()).toEqual(["add", "mul", "sub"]);
    const [annotated] = wordProblems({ split: "train", seed: 7, count: 1 }, { calculatorAnnotations: true });
    expect(annotated.answer).toMatch(/=<<\d+[+*-]\d+=\d+>>\d+ /);
    expect(annotated.gold).toBe(items[0].gold);
  });

  it("round-trip through GSM8K's JSONL and eval-gsm8k's parser", () => {
    const parsed = parseGsm8kJsonl(toGsm8kJsonl(items.slice(0, 20)), "toy.jsonl");
    expect(parsed.map((p) => [p.question, p.gold])).toEqual(
      items.slice(0, 20).map((p) => [p.question, p.gold]),
    );
  });
});

describe("toy multiple-choice items", () => {
  const items = choiceItems({ split: "train", seed: 3, count: 200 });

  it("are deterministic from the seed", () => {
    expect(choiceItems({ split: "train", seed: 3, count: 200 })).toEqual(items);
  });

  it("have four distinct options A–D, a valid gold letter and all nine perturbations", () => {
    for (const item of items) {
      expect(item.dataset).toBe(CHOICE_DATASET);
      expect(item.answerKind).toBe("choice");
      expect(item.options.map((o) => o.label)).toEqual(["A", "B", "C", "D"]);
      expect(new Set(item.options.map((o) => o.text)).size).toBe(4);
      expect(["A", "B", "C", "D"]).toContain(item.gold);
      expect(Object.keys(item.perturbed).sort()).toEqual([...PERTURBATIONS].sort());
    }
    expect(new Set(items.map((i) => i.category))).toEqual(new Set(["numerical", "arithmetic", "logical"]));
  });

  it("mark the right option as gold", () => {
    const goldText = (i: (typeof items)[number]) => i.options.find((o) => o.label === i.gold)!.text;
    for (const item of items) {
      const q = item.original;
      const counts = [...q.matchAll(/(\w+) has (\d+) /g)].map((m) => [m[1], Number(m[2])] as const);
      if (/Who has the (most|fewest)/.test(q)) {
        const values = counts.map(([, n]) => n);
        const want = q.includes("most") ? Math.max(...values) : Math.min(...values);
        expect(goldText(item)).toBe(counts.find(([, n]) => n === want)![0]);
      } else if (/numbers is (even|odd)/.test(q)) {
        expect(Number(goldText(item)) % 2).toBe(q.includes("even") ? 0 : 1);
        for (const o of item.options)
          if (o.label !== item.gold) expect(Number(o.text) % 2).toBe(q.includes("even") ? 1 : 0);
      } else if (/How many/.test(q)) {
        const start = counts[0][1];
        const change = q.split(". ")[1];
        const n = Number(/\d+/.exec(change)![0]);
        // Every gain phrase says "more"; no loss phrase does.
        const gain = /\bmore\b/.test(change);
        expect(Number(goldText(item))).toBe(gain ? start + n : start - n);
      } else {
        const [, comparative] = /is (\w+) than/.exec(q)!;
        const pairs = [...q.matchAll(/(\w+) is \w+ than (\w+)\./g)].map((m) => [m[1], m[2]]);
        const top = pairs.map(([a]) => a).find((a) => !pairs.some(([, b]) => b === a))!;
        const bottom = pairs.map(([, b]) => b).find((b) => !pairs.some(([a]) => a === b))!;
        const askTop = !/shortest|youngest|slowest|weakest|lightest/.test(q);
        expect(comparative.endsWith("er")).toBe(true);
        expect(goldText(item)).toBe(askTop ? top : bottom);
      }
    }
  });
});

describe("train and held-out splits", () => {
  it("never share a question, whatever the seeds", () => {
    const train = wordProblems({ split: "train", seed: 1, count: 3000 });
    const held = wordProblems({ split: "heldout", seed: 1, count: 300 });
    const trainQs = new Set(train.map((p) => p.question));
    expect(held.filter((p) => trainQs.has(p.question))).toEqual([]);
    expect(train.every((p) => splitOf(p.question) === "train")).toBe(true);
    expect(held.every((p) => splitOf(p.question) === "heldout")).toBe(true);
    const otherSeed = wordProblems({ split: "train", seed: 2, count: 1000 });
    expect(otherSeed.filter((p) => held.some((h) => h.question === p.question))).toEqual([]);
  });

  it("hold no duplicate within a split, and a later slice continues the stream", () => {
    const held = wordProblems({ split: "heldout", seed: 1, count: 300 });
    expect(new Set(held.map((p) => p.question)).size).toBe(held.length);
    const tail = wordProblems({ split: "heldout", seed: 1, count: 100, offset: 200 });
    expect(tail.map((p) => p.id)).toEqual(held.slice(200).map((p) => p.id));
  });

  it("keep multiple-choice questions apart too", () => {
    const key = (q: { text: string; options?: unknown[] }) =>
      `${q.text}\n${(q.options as string[]).join("\n")}`;
    const train = new Set(choiceQuestions({ split: "train", seed: 1, count: 2000 }).map(key));
    const held = choiceQuestions({ split: "heldout", seed: 1, count: 200 }).map(key);
    expect(held.filter((k) => train.has(k))).toEqual([]);
  });
});

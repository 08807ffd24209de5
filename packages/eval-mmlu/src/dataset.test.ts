import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bySubject, loadMmluSplit, parseMmluCsv } from "./dataset.js";
import { MmluDataError } from "./errors.js";
import { categoryOf, MMLU_SUBJECTS } from "./subjects.js";

const SHARED_TEST = fileURLToPath(new URL("../../../../shared/data/mmlu/test/", import.meta.url));
const haveShared = existsSync(SHARED_TEST);
if (!haveShared) console.warn(`skipping the MMLU data test: ${SHARED_TEST} is absent (it is present in CI)`);

describe("parseMmluCsv", () => {
  it("reads the hendrycks layout", () => {
    const items = parseMmluCsv(
      '"What is 1, 2?",one,two,"th""ree",four,C\nNext?,a,b,c,d,A\n',
      "x_test.csv",
      "x",
    );
    expect(items).toEqual([
      {
        id: "x-0",
        subject: "x",
        question: "What is 1, 2?",
        choices: ["one", "two", 'th"ree', "four"],
        answer: 2,
      },
      { id: "x-1", subject: "x", question: "Next?", choices: ["a", "b", "c", "d"], answer: 0 },
    ]);
  });

  it("names the file and line of a malformed row", () => {
    expect(() => parseMmluCsv("q,a,b,c,d,A\nq,a,b,c,E\n", "x_test.csv", "x")).toThrow(
      "x_test.csv:2: expected 6 fields (question, A, B, C, D, answer), got 5",
    );
    expect(() => parseMmluCsv("q,a,b,c,d,A\n\nq,a,b,c,d,E\n", "x_test.csv", "x")).toThrow(
      'x_test.csv:3: answer must be A, B, C or D, got "E"',
    );
    expect(() => parseMmluCsv('q,"a,b,c,d,A\n', "x_test.csv", "x")).toThrow(MmluDataError);
  });
});

describe("loadMmluSplit", () => {
  it("loads chosen subjects with a per-subject limit, and says which subject file is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mmlu-"));
    await writeFile(join(dir, "anatomy_dev.csv"), "q1,a,b,c,d,A\nq2,a,b,c,d,B\nq3,a,b,c,d,C\n");
    await writeFile(join(dir, "virology_dev.csv"), "v1,a,b,c,d,D\n");
    const all = await loadMmluSplit(dir, "dev");
    expect(all.map((i) => i.id)).toEqual(["anatomy-0", "anatomy-1", "anatomy-2", "virology-0"]);
    const some = await loadMmluSplit(dir, "dev", { subjects: ["anatomy"], limit: 2 });
    expect(some.map((i) => i.id)).toEqual(["anatomy-0", "anatomy-1"]);
    expect(Object.keys(bySubject(all))).toEqual(["anatomy", "virology"]);
    await expect(loadMmluSplit(dir, "dev", { subjects: ["sociology"] })).rejects.toThrow(
      /sociology_dev\.csv/,
    );
  });

  it.skipIf(!haveShared)("reads all 57 shared test files: 14042 questions", async () => {
    const items = await loadMmluSplit(SHARED_TEST, "test");
    expect(items).toHaveLength(14042);
    const subjects = Object.keys(bySubject(items));
    expect(subjects).toEqual([...MMLU_SUBJECTS].sort());
    expect(subjects.every((s) => categoryOf(s) !== undefined)).toBe(true);
    expect(bySubject(items).abstract_algebra).toHaveLength(100);
    expect(bySubject(items).professional_law).toHaveLength(1534);
  });
});

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSquad, parseSquad } from "./dataset.js";
import { SquadDataError } from "./errors.js";
import { TINY_SQUAD } from "./squad.fixture.js";

describe("loadSquad", () => {
  it("flattens data[].paragraphs[].qas[] into items with every gold answer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "squad-"));
    const file = join(dir, "dev-v1.1.json");
    await writeFile(file, JSON.stringify(TINY_SQUAD));
    const items = await loadSquad(file);
    expect(items.map((i) => i.id)).toEqual(["q1", "q2", "q3", "q4", "q5"]);
    expect(items[0]).toEqual({
      id: "q1",
      title: "Super_Bowl_50",
      context: "Super Bowl 50 was won by the Denver Broncos, who beat the Carolina Panthers 24 to 10.",
      question: "Which team won Super Bowl 50?",
      answers: ["the Denver Broncos", "Denver Broncos"],
    });
    expect(items[4].title).toBe("Paris");
  });

  it("names the file and the JSON path of a bad field", () => {
    const bad = structuredClone(TINY_SQUAD) as any;
    bad.data[1].paragraphs[0].qas[1].answers[0].text = 7;
    expect(() => parseSquad(JSON.stringify(bad), "dev.json")).toThrow(
      "dev.json at data[1].paragraphs[0].qas[1].answers[0].text: expected a string, got 7",
    );
    const noAnswers = structuredClone(TINY_SQUAD) as any;
    noAnswers.data[0].paragraphs[1].qas[0].answers = [];
    expect(() => parseSquad(JSON.stringify(noAnswers), "dev.json")).toThrow(
      "dev.json at data[0].paragraphs[1].qas[0].answers: expected at least one answer",
    );
    expect(() => parseSquad('{"data": {}}', "dev.json")).toThrow("dev.json at data: expected an array");
    expect(() => parseSquad("{oops", "dev.json")).toThrow(SquadDataError);
    expect(() => parseSquad("{oops", "dev.json")).toThrow(/^dev\.json: malformed JSON/);
  });
});

import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadC4Text, parseTextJsonl } from "./c4.js";
import { PerplexityDataError } from "./errors.js";
import { loadWikitext, wikitextEvalText, wikitextRows } from "./wikitext.js";

const WIKITEXT = fileURLToPath(new URL("../../../../shared/data/wikitext-2/", import.meta.url));
const haveShared = existsSync(join(WIKITEXT, "test.txt"));
if (!haveShared) console.warn(`skipping WikiText-2 tests: ${WIKITEXT} is absent (it is present in CI)`);

describe("wikitext", () => {
  it("splits rows as HF's loader does and joins them with a blank line, as GPTQ does", () => {
    const file = " \n = Title = \n \n Body text .\n";
    expect(wikitextRows(file)).toEqual(["", " = Title = \n", "", " Body text .\n"]);
    expect(wikitextEvalText(file)).toBe("\n\n = Title = \n\n\n\n\n Body text .\n");
  });

  it.skipIf(!haveShared)(
    "reads the shared WikiText-2 test split (4358 rows, as HF's test split)",
    async () => {
      const raw = await readFile(join(WIKITEXT, "test.txt"), "utf8");
      expect(wikitextRows(raw)).toHaveLength(4358);
      const text = await loadWikitext(join(WIKITEXT, "test.txt"));
      expect(text.startsWith("\n\n = Robert <unk> = \n\n\n\n\n Robert <unk> is an English film")).toBe(true);
    },
  );
});

describe("C4-style JSON lines", () => {
  it("joins the first documents with a space", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ppl-c4-"));
    const file = join(dir, "c4.json");
    await writeFile(file, ['{"text":"one","url":"u"}', "", '{"text":"two"}', '{"text":"three"}'].join("\n"));
    expect(await loadC4Text(file)).toBe("one two three");
    expect(await loadC4Text(file, { documents: 2 })).toBe("one two");
  });

  it("names the file and line of a bad row", () => {
    expect(() => parseTextJsonl('{"text":"a"}\n{"text": 3}\n', "c4.json")).toThrow(
      'c4.json:2: expected an object with a string "text"',
    );
    expect(() => parseTextJsonl('{"text":"a"}\n\n{oops\n', "c4.json")).toThrow(PerplexityDataError);
    expect(() => parseTextJsonl("{oops\n", "c4.json")).toThrow(/^c4\.json:1: malformed JSON/);
  });
});

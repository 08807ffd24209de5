import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads quoted commas, doubled quotes, line breaks and CRLF, with each record's first line", () => {
    const text = 'a,"b, c","say ""hi"""\r\n"two\nlines",x,\n\nlast,1,2';
    expect(parseCsv(text)).toEqual([
      { fields: ["a", "b, c", 'say "hi"'], line: 1 },
      { fields: ["two\nlines", "x", ""], line: 2 },
      { fields: ["last", "1", "2"], line: 5 },
    ]);
  });

  it("keeps a quote inside an unquoted field as text", () => {
    expect(parseCsv('5" tall,b\n')).toEqual([{ fields: ['5" tall', "b"], line: 1 }]);
  });

  it("names the line of an unterminated quote", () => {
    expect(() => parseCsv('a,b\nc,"open\n')).toThrow(/line 2: unterminated/);
    expect(() => parseCsv('"a"b,c\n')).toThrow(/line 1: unexpected "b"/);
  });
});

import { describe, expect, it } from "vitest";
import { CsvSyntaxError, parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const rows = parseCsv('a,b,c\n"x, y","say ""hi""","line1\nline2"\n');
    expect(rows.map((r) => r.fields)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "line1\nline2"],
    ]);
  });

  it("tracks the physical line each record starts on across multi-line cells", () => {
    const rows = parseCsv('h1,h2\n"a\nb\nc",1\nz,2\n');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("accepts CRLF and LF in one file, a BOM, blank lines and a missing final newline", () => {
    const rows = parseCsv("\uFEFFa,b\r\n1,2\n\n3,\r\n,4");
    expect(rows.map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", ""],
      ["", "4"],
    ]);
  });

  it("keeps a quote inside an unquoted field as text", () => {
    expect(parseCsv('it"s,x\n')[0].fields).toEqual(['it"s', "x"]);
  });

  it("keeps empty quoted fields and trailing empty fields", () => {
    expect(parseCsv('"",a,\n')[0].fields).toEqual(["", "a", ""]);
  });

  it("reports an unterminated quote with the line it opened on", () => {
    expect(() => parseCsv('a\n"open\nmore')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a\n"open\nmore')).toThrow(/line 2/);
  });

  it("rejects text after a closing quote", () => {
    expect(() => parseCsv('"a"b,c\n')).toThrow(/after a quoted field/);
  });
});

/** One parsed CSV record and the 1-based physical line it starts on (for error messages). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "CsvSyntaxError";
  }
}

const countNewlines = (s: string) => {
  let n = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return n;
};

/**
 * RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks; records end in
 * CRLF or LF (the released files mix both). A leading BOM is dropped, and a quote inside an
 * unquoted field is kept as text. Written by hand because the package takes no CSV dependency,
 * and a line split breaks on the multi-line rationale cells. Fields are sliced, not built
 * character by character, which keeps the 17 MB of released data to well under a second.
 */
export function parseCsv(text: string): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      let field: string;
      if (text[i] === '"') {
        const openLine = line;
        let start = i + 1;
        field = "";
        for (;;) {
          const q = text.indexOf('"', start);
          if (q === -1) throw new CsvSyntaxError(openLine, "unterminated quoted field");
          field += text.slice(start, q);
          if (text[q + 1] === '"') {
            field += '"';
            start = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        line += countNewlines(field);
        const after = text[i];
        if (after !== undefined && after !== "," && after !== "\n" && after !== "\r") {
          throw new CsvSyntaxError(
            line,
            `unexpected character ${JSON.stringify(after)} after a quoted field`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break; // , \n \r
          j++;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      // End of record: CRLF, LF, lone CR, or end of text.
      if (text[i] === "\r") i++;
      if (text[i] === "\n") i++;
      line++;
      break;
    }
    // A blank line is not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: recordLine });
  }
  return records;
}

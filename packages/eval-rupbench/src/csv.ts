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

/**
 * RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks; records end in
 * CRLF or LF (the released files mix both). A leading BOM is dropped. Written by hand because the
 * package takes no CSV dependency, and a regex split breaks on the multi-line rationale cells.
 */
export function parseCsv(text: string): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && !fieldStarted && field === "") {
      const openLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvSyntaxError(openLine, "unterminated quoted field");
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      fieldStarted = true;
      const after = text[i];
      if (after !== undefined && after !== "," && after !== "\n" && after !== "\r") {
        throw new CsvSyntaxError(line, `unexpected character ${JSON.stringify(after)} after a quoted field`);
      }
      continue;
    }
    if (c === ",") {
      endField();
      i++;
    } else if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (field !== "" || fieldStarted || fields.length > 0) endRecord();
  return records;
}

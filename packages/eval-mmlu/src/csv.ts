/** One CSV record and the 1-based line it starts on (for error messages). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records
 * end in LF or CRLF. Hand-written because the package takes no dependencies. Throws a plain Error
 * carrying the line; the loader wraps it with the file name.
 */
export function parseCsv(text: string): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: recordLine });
    fields = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === "") {
      // Quoted: copy runs between quotes in slices (fast on the 8 MB of MMLU), "" is one quote.
      const open = line;
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) throw new Error(`line ${open}: unterminated quoted field`);
        field += text.slice(from, q);
        if (text[q + 1] !== '"') {
          i = q + 1;
          break;
        }
        field += '"';
        from = q + 2;
      }
      for (let k = field.indexOf("\n"); k !== -1; k = field.indexOf("\n", k + 1)) line++;
      const after = text[i];
      if (after !== undefined && after !== "," && after !== "\n" && after !== "\r") {
        throw new Error(`line ${line}: unexpected ${JSON.stringify(after)} after a quoted field`);
      }
    } else if (c === ",") {
      fields.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      endRecord();
      recordLine = ++line;
    } else {
      let j = i;
      while (j < text.length && text[j] !== "," && text[j] !== "\n" && text[j] !== "\r") j++;
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== "" || fields.length > 0) endRecord();
  return records;
}

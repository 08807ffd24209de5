/** The values a Python literal in the released CSVs can hold. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export class PythonLiteralError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`at offset ${offset}: ${message}`);
    this.name = "PythonLiteralError";
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\x07",
  "0": "\0",
};

/**
 * A recursive-descent reader for the Python `repr` text that pandas wrote into the CSVs
 * (dicts, lists, tuples, str with either quote and backslash escapes, numbers, True/False/None).
 * Never `eval`: the cells are data from the internet.
 */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new PythonLiteralError(this.pos, message);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  value(): PyValue {
    const c = this.peek();
    if (c === "{") return this.dict();
    if (c === "[") return this.sequence("[", "]");
    if (c === "(") return this.sequence("(", ")");
    if (c === "'" || c === '"') return this.adjacentStrings();
    if (c !== undefined && /[-+0-9.]/.test(c)) return this.number();
    for (const [word, v] of [
      ["True", true],
      ["False", false],
      ["None", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? "unexpected end of text" : `unexpected ${JSON.stringify(c)}`);
  }

  dict(): { [key: string]: PyValue } {
    this.expect("{");
    const out: { [key: string]: PyValue } = {};
    while (this.peek() !== "}") {
      const key = this.value();
      if (typeof key !== "string" && typeof key !== "number") this.fail("dict keys must be str or number");
      this.expect(":");
      out[String(key)] = this.value();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") this.fail("expected ',' or '}'");
    }
    this.pos++;
    return out;
  }

  sequence(open: string, close: string): PyValue[] {
    this.expect(open);
    const out: PyValue[] = [];
    while (this.peek() !== close) {
      out.push(this.value());
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    return out;
  }

  /** Python joins adjacent literals ('a' 'b' == 'ab'); numpy's array repr relies on NOT doing so. */
  adjacentStrings(): string {
    let s = this.string();
    while (this.peek() === "'" || this.peek() === '"') s += this.string();
    return s;
  }

  string(): string {
    const quote = this.text[this.pos];
    const start = this.pos;
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) {
        this.pos = start;
        this.fail("unterminated string");
      }
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      if (e === undefined) this.fail("unterminated escape");
      if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
      else if (e === "\n")
        continue; // a line continuation inside the literal
      else if (e === "x" || e === "u" || e === "U") {
        const width = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) this.fail(`bad \\${e} escape`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.pos += width;
      } else out += `\\${e}`; // Python keeps unknown escapes verbatim
    }
  }

  number(): number {
    const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.text.slice(this.pos));
    if (!m) return this.fail("bad number");
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** Parses one Python literal (the whole text must be consumed). */
export function parsePythonLiteral(text: string): PyValue {
  const r = new Reader(text);
  const v = r.value();
  if (r.peek() !== undefined) r.fail("trailing text after the literal");
  return v;
}

/**
 * Parses numpy's repr of a string array, `['A)5' 'B)6'\n 'C)7']`: elements separated by spaces
 * or newlines, not commas (commas are accepted too, so a plain list also reads).
 */
export function parseNumpyStringArray(text: string): string[] {
  const r = new Reader(text);
  r.expect("[");
  const out: string[] = [];
  for (;;) {
    const c = r.peek();
    if (c === "]") break;
    if (c === ",") {
      r.pos++;
      continue;
    }
    if (c !== "'" && c !== '"') r.fail("expected a quoted string element");
    out.push(r.string());
  }
  r.pos++;
  if (r.peek() !== undefined) r.fail("trailing text after the array");
  return out;
}

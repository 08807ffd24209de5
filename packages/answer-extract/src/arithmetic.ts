// Evaluates the plain arithmetic a model writes left of an "=" ("60+120", "$2400 + $4000",
// "24 stars + 12 stars", "3 × (5 - 2)"), so that a result cut off by the token limit ("60+120=
// 1" at the very end of the output) can be told from a finished one. Units, `$` and thousands
// separators are dropped; anything else (variables, words between operands) gives null.

const OPS: Record<string, string> = {
  "+": "+",
  "-": "-",
  "−": "-",
  "*": "*",
  "×": "*",
  x: "*",
  "·": "*",
  "/": "/",
  "÷": "/",
};

function tokenize(expr: string): string[] | null {
  const s = expr
    .replace(/(\d),(?=\d{3}\b)/g, "$1")
    .replace(/\$/g, "")
    // Units after a number ("24 stars", "18kg", "$1200/ruby"); a glued single letter ("2L") is a
    // variable, and a lone "x" is multiplication.
    .replace(/(\d)(?:\s+(?!x\b)[a-z]+|[a-z]{2,})(?:\/[a-z]+)?/gi, "$1")
    .trim();
  const out: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?|\.\d+|[-+*/×x·÷−()])/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return /^\s*$/.test(s.slice(i)) ? out : null;
    out.push(m[1]);
    i = re.lastIndex;
  }
  return out;
}

/** The value of `expr`, or null when it is not plain arithmetic on at least two numbers. */
export function evaluateArithmetic(expr: string): number | null {
  const tokens = tokenize(expr);
  if (!tokens || tokens.filter((t) => /\d/.test(t)).length < 2) return null;
  let k = 0;
  const peek = () => tokens[k];
  const primary = (): number | null => {
    const t = tokens[k++];
    if (t === "(") {
      const v = sum();
      return tokens[k++] === ")" ? v : null;
    }
    if (t !== undefined && OPS[t] === "-") {
      const v = primary();
      return v === null ? null : -v;
    }
    return t !== undefined && /\d/.test(t) ? Number(t) : null;
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (OPS[peek()] === "*" || OPS[peek()] === "/")) {
      const op = OPS[tokens[k++]];
      const r = primary();
      v = r === null ? null : op === "*" ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (OPS[peek()] === "+" || OPS[peek()] === "-")) {
      const op = OPS[tokens[k++]];
      const r = product();
      v = r === null ? null : op === "+" ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  return value !== null && k === tokens.length && Number.isFinite(value) ? value : null;
}

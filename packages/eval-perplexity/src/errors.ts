/** Bad perplexity input: names the file and, for a row, its 1-based line. */
export class PerplexityDataError extends Error {
  override name = "PerplexityDataError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`);
  }
}

/** Thrown when a scorer breaks the protocol (wrong result count, token count or a non-finite NLL). */
export class ScorerProtocolError extends Error {
  override name = "ScorerProtocolError";
}

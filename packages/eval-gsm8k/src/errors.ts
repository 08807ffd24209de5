/** Bad GSM8K input: names the file and, for a row, its 1-based line or row number. */
export class Gsm8kDataError extends Error {
  override name = "Gsm8kDataError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`);
  }
}

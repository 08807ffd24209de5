/** Bad MMLU input: names the file and, for a row, its 1-based line. */
export class MmluDataError extends Error {
  override name = "MmluDataError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`);
  }
}

/** Thrown when a model breaks the protocol (a result count that does not match the requests). */
export class ModelProtocolError extends Error {
  override name = "ModelProtocolError";
}

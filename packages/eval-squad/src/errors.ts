/** Bad SQuAD input: names the file and the JSON path of the offending field. */
export class SquadDataError extends Error {
  override name = "SquadDataError";
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    detail: string,
  ) {
    super(`${file}${field === undefined ? "" : ` at ${field}`}: ${detail}`);
  }
}

/** Thrown when a model breaks the protocol (a result count that does not match the requests). */
export class ModelProtocolError extends Error {
  override name = "ModelProtocolError";
}

/** A malformed row: the file, its 1-based data row (header excluded), the line it starts on, why. */
export interface LoadIssue {
  file: string;
  row: number;
  line: number;
  message: string;
}

/** Thrown for bad input that cannot be reported row by row (missing file, header, or strict mode). */
export class RupbenchDataError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly row?: number,
    readonly line?: number,
  ) {
    super(
      `${file}${row === undefined ? "" : ` row ${row}`}${line === undefined ? "" : ` (line ${line})`}: ${message}`,
    );
    this.name = "RupbenchDataError";
  }
}

/** A problem with one field of a row; the table parser adds the file and row. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`field ${JSON.stringify(field)}: ${message}`);
    this.name = "FieldError";
  }
}

/** A dataset row that cannot be used: names the file, the 1-based row and the field. */
export class DatasetRowError extends Error {
  override name = "DatasetRowError";
  constructor(
    readonly file: string,
    readonly row: number | undefined,
    readonly field: string | undefined,
    message: string,
  ) {
    const where = [file, row !== undefined ? `row ${row}` : "", field ? `field "${field}"` : ""]
      .filter(Boolean)
      .join(", ");
    super(`${where}: ${message}`);
  }
}

/** A teacher-cache directory that is missing, incomplete or does not fit the data asked of it. */
export class TeacherCacheError extends Error {
  override name = "TeacherCacheError";
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(`${dir}: ${message}`);
  }
}

/** A checkpoint that cannot be resumed from (missing files, or a run it does not belong to). */
export class CheckpointError extends Error {
  override name = "CheckpointError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Options of distill() / cacheTeacher() that contradict each other or are out of range. */
export class DistillConfigError extends RangeError {
  override name = "DistillConfigError";
}

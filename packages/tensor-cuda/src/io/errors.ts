/**
 * The one error type of `io`. A bad checkpoint is an everyday event (a download cut short, a
 * writer with a bug), so every problem surfaces as this typed error naming the file and, where
 * there is one, the tensor or header field at fault — never as a crash or a silent misread.
 */
export class SafetensorsError extends Error {
  override readonly name = "SafetensorsError";
  readonly file: string;
  readonly tensor?: string;
  readonly field?: string;

  constructor(
    file: string,
    message: string,
    where: { tensor?: string; field?: string; cause?: unknown } = {},
  ) {
    const at = [
      where.tensor !== undefined ? `tensor ${JSON.stringify(where.tensor)}` : "",
      where.field !== undefined ? `field ${where.field}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    super(
      `${file}: ${at ? `${at}: ` : ""}${message}`,
      where.cause === undefined ? undefined : { cause: where.cause },
    );
    this.file = file;
    this.tensor = where.tensor;
    this.field = where.field;
  }
}

/** Wraps an unexpected error (I/O, a disposed tensor) so callers still get the file's name. */
export function asSafetensorsError(file: string, err: unknown, what: string): SafetensorsError {
  if (err instanceof SafetensorsError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new SafetensorsError(file, `${what}: ${msg}`, { cause: err });
}

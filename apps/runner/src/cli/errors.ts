/**
 * Errors a user can act on. The CLI prints their message on one line and exits non-zero; other
 * errors print a stack trace (they are bugs).
 */
export class RunnerError extends Error {
  override name = "RunnerError";
}

export class ConfigError extends RunnerError {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ""}${message}`);
  }
}

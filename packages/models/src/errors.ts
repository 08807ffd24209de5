/**
 * Typed errors for bad model directories. Each names the file, field or tensor at fault and
 * what was expected, so a user can fix the input without reading our source.
 */

/** `config.json` asks for something this package does not build (or is malformed). */
export class ModelConfigError extends Error {
  override name = "ModelConfigError";
  constructor(
    readonly file: string,
    message: string,
    readonly field?: string,
  ) {
    super(`${file}: ${field ? `field "${field}": ` : ""}${message}`);
  }
}

/** `model_type` names no architecture in the registry. */
export class UnknownArchitectureError extends ModelConfigError {
  override name = "UnknownArchitectureError";
  constructor(
    file: string,
    readonly modelType: string,
    readonly supported: readonly string[],
  ) {
    super(
      file,
      `unknown model_type ${JSON.stringify(modelType)}; supported: ${supported.join(", ")}`,
      "model_type",
    );
  }
}

/** The checkpoint lacks tensors the architecture needs (all of them are listed at once). */
export class MissingTensorError extends Error {
  override name = "MissingTensorError";
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
  ) {
    super(`${dir}: the checkpoint is missing ${missing.length} tensor(s): ${missing.join(", ")}`);
  }
}

/** A checkpoint tensor whose shape does not fit the architecture built from config.json. */
export class TensorShapeError extends Error {
  override name = "TensorShapeError";
  constructor(
    readonly dir: string,
    readonly tensor: string,
    readonly expected: readonly number[],
    readonly got: readonly number[],
  ) {
    super(
      `${dir}: tensor "${tensor}" has shape [${got.join(", ")}], config.json implies [${expected.join(", ")}]`,
    );
  }
}

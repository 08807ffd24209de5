/**
 * What an export refuses, named: the architecture (model_type) or the layer (its dotted path and
 * class) and what would make it exportable. Nothing is written when one is thrown.
 */

export class UnsupportedArchitectureError extends Error {
  override name = "UnsupportedArchitectureError";
  constructor(
    readonly modelType: string,
    readonly supported: readonly string[],
    detail?: string,
  ) {
    super(
      `ONNX export: model_type ${JSON.stringify(modelType)} is not supported${detail ? ` (${detail})` : ""}; supported: ${supported.join(", ")}`,
    );
  }
}

export class UnsupportedLayerError extends Error {
  override name = "UnsupportedLayerError";
  constructor(
    readonly path: string,
    readonly kind: string,
    detail: string,
  ) {
    super(`ONNX export: layer ${path} (${kind}) cannot be exported: ${detail}`);
  }
}

import { ShapeError } from "@shrinkray/tensor-cuda";

/**
 * The student and the teacher disagree about the vocabulary (student V vs teacher V, or a top-k
 * id outside [0, V)). A subclass of ShapeError so callers that already catch shape problems
 * catch this too, while distill can tell it apart and name the two models.
 */
export class VocabMismatchError extends ShapeError {
  override name = "VocabMismatchError";
}

/** A loss option outside its domain (temperature <= 0, beta or alpha outside [0, 1], ...). */
export class KdOptionError extends RangeError {
  override name = "KdOptionError";
}

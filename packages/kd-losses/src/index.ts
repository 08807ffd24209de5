export { type CeKdOptions, ceKdMixture } from "./ce-kd.js";
export { KdOptionError, VocabMismatchError } from "./errors.js";
export {
  forwardKl,
  generalizedJsd,
  kdLoss,
  reverseKl,
  skewKl,
  skewReverseKl,
  symmetricKl,
  totalVariation,
} from "./kd-loss.js";
export {
  KD_KINDS,
  type KdCommonOptions,
  type KdKind,
  type KdOptions,
  type Reduction,
  type TopkMissingMass,
} from "./options.js";
export type { DenseTeacher, Teacher, TopkTeacher } from "./teacher.js";

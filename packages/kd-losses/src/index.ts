export {
  kdLoss,
  forwardKl,
  reverseKl,
  symmetricKl,
  generalizedJsd,
  skewKl,
  skewReverseKl,
  totalVariation,
} from "./kd-loss.js";
export { ceKdMixture, type CeKdOptions } from "./ce-kd.js";
export {
  KD_KINDS,
  type KdKind,
  type KdOptions,
  type KdCommonOptions,
  type Reduction,
  type TopkMissingMass,
} from "./options.js";
export type { Teacher, DenseTeacher, TopkTeacher } from "./teacher.js";
export { VocabMismatchError, KdOptionError } from "./errors.js";

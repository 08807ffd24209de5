/**
 * Checkpoint I/O: safetensors files read lazily (header at open, one positional read per
 * tensor), written atomically, and Hugging Face sharded checkpoints behind the same API.
 */
export { SafetensorsError } from "./errors.js";
export { type TensorInfo, MAX_HEADER_BYTES } from "./header.js";
export {
  SafetensorsFile,
  type RawTensor,
  type ReadOptions,
  type TensorReader,
  loadSafetensors,
  rawToTensor,
} from "./reader.js";
export { saveSafetensors, type Storable, type StorableMap } from "./writer.js";
export {
  ShardedCheckpoint,
  type CheckpointIndex,
  type SaveShardedOptions,
  openCheckpoint,
  saveSharded,
  SINGLE_FILE,
  INDEX_FILE,
} from "./sharded.js";

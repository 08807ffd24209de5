/**
 * Checkpoint I/O: safetensors files read lazily (header at open, one positional read per
 * tensor), written atomically, and Hugging Face sharded checkpoints behind the same API.
 */

export { writeBytesAtomic } from "./atomic.js";
export { SafetensorsError } from "./errors.js";
export { MAX_HEADER_BYTES, type TensorInfo } from "./header.js";
export { ReadScratch, readIntoTensor } from "./load-into.js";
export {
  loadSafetensors,
  type RawTensor,
  type ReadOptions,
  rawToTensor,
  SafetensorsFile,
  type TensorReader,
} from "./reader.js";
export {
  type CheckpointIndex,
  INDEX_FILE,
  openCheckpoint,
  type SaveShardedOptions,
  ShardedCheckpoint,
  SINGLE_FILE,
  saveSharded,
} from "./sharded.js";
export { type Storable, type StorableMap, saveSafetensors } from "./writer.js";

import { resolve } from "node:path";
import { cacheTeacher, modelTeacher, topkTeacher } from "@shrinkray/distill";
import { createRemoteTeacher } from "@shrinkray/openai-lm";
import { numberOption, type ParsedArgs, requiredOption, stringOption, UsageError } from "../cli/args.js";
import { RunnerError } from "../cli/errors.js";
import { progress } from "../cli/progress.js";
import { datasetText } from "../steps/calibration.js";
import { loadDataset } from "../steps/data.js";
import { loadModelDir } from "../steps/model-store.js";
import { textSequences } from "../steps/sequences.js";
import { dataFromFlag } from "./adhoc.js";

/**
 * `shrinkray cache-teacher`: runs a (large) teacher once over the distillation data and writes
 * its top-k log-probabilities as safetensors shards, so students train against the cache later,
 * on another machine if need be (experiment teacher `{ "kind": "cache", "path": ... }`). The rows
 * are the student tokenizer's windows of `--seq-len` tokens, exactly as `distill` cuts them.
 */
export async function cacheTeacherCommand(args: ParsedArgs): Promise<void> {
  const student = await loadModelDir(resolve(requiredOption(args, "model")));
  if (!student.tokenizer) throw new RunnerError("cache-teacher: the --model directory has no tokenizer.json");
  const k = numberOption(args, "top-k", 20)!;
  const seqLen = numberOption(args, "seq-len", 64)!;
  const dataPath = resolve(requiredOption(args, "data"));
  const data = await loadDataset(
    "data",
    dataFromFlag(dataPath, stringOption(args, "data-kind")),
    process.cwd(),
  );
  const rows = textSequences(student.tokenizer, datasetText(data), seqLen, `cache-teacher: ${dataPath}`);
  const endpoint = stringOption(args, "endpoint");
  const teacherDir = stringOption(args, "teacher");
  let teacher: Parameters<typeof cacheTeacher>[0]["teacher"];
  if (endpoint) {
    const tokenizer = student.tokenizer;
    const remote = createRemoteTeacher(
      { endpoint, model: requiredOption(args, "teacher-model"), topK: k },
      // Teacher and student share the vocabulary; it maps token texts back to ids on servers that
      // name tokens by text (SGLang). vLLM names ids, and the index is then never built.
      { vocabulary: { size: student.vocabSize, decode: (ids) => tokenizer.decode(ids) } },
    );
    teacher = topkTeacher(remote as never, { vocabSize: student.vocabSize, k });
  } else if (teacherDir) teacher = modelTeacher(await loadModelDir(resolve(teacherDir)), { topk: k });
  else throw new UsageError("cache-teacher needs --teacher DIR or --endpoint URL --teacher-model NAME");
  const out = resolve(requiredOption(args, "out"));
  const bar = progress("cache-teacher", rows.length, "rows");
  const index = await cacheTeacher({
    teacher,
    data: rows,
    dir: out,
    k,
    onProgress: (done) => bar.update(done),
  });
  bar.finish(`${rows.length} rows of ${seqLen} tokens, top-${k}`);
  process.stdout.write(`${out} (${index.shards.length} shard(s))\n`);
}

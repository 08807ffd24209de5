/**
 * The folder is a transformers.js model: AutoModelForCausalLM loads it from disk (remote models
 * off, nothing fetched) and greedy generation gives the tokens models' generate gives.
 */
import { join } from "node:path";
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  Tensor as TjsTensor,
} from "@huggingface/transformers";
import { rtnQuantizeModel } from "@shrinkray/gptq";
import { type CausalLM, generateTokens, loadPretrained } from "@shrinkray/models";
import { beforeAll, describe, expect, it } from "vitest";
import { exportOnnx } from "./export.js";
import { FIXTURES, HAVE_FIXTURES, scratch, TOY } from "./test-helpers.js";

const NEW_TOKENS = 12;

beforeAll(() => {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
});

async function tjsGenerate(dir: string, prompt: number[]): Promise<number[]> {
  const model = (await AutoModelForCausalLM.from_pretrained(dir, {
    local_files_only: true,
  })) as PreTrainedModel;
  try {
    const inputIds = new TjsTensor("int64", BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
    const out = (await model.generate({
      input_ids: inputIds,
      max_new_tokens: NEW_TOKENS,
      do_sample: false,
    } as never)) as TjsTensor;
    return Array.from(out.data as BigInt64Array, Number).slice(prompt.length);
  } finally {
    await model.dispose();
  }
}

async function oursGenerate(model: CausalLM, prompt: number[]): Promise<number[]> {
  const r = await generateTokens(model, [prompt], { maxNewTokens: NEW_TOKENS });
  // transformers keeps the EOS token that ended generation; ours reports it as the finish reason.
  const eos = model.generationConfig?.eosTokenIds[0];
  return r.finishReasons[0] === "eos" && eos !== undefined ? [...r.tokens[0], eos] : r.tokens[0];
}

describe("transformers.js loads the exported folder and generates our greedy tokens", () => {
  it("the bundled toy model, float and 4-bit, prompt encoded by transformers.js's tokenizer", async () => {
    const model = await loadPretrained(TOY);
    const text = "Question: Tom has 3 apples and buys 4 more. How many apples does he have?\nAnswer:";
    const out = join(scratch("tjs-toy"), "toy-onnx");
    await exportOnnx(model, out);
    const tokenizer = await AutoTokenizer.from_pretrained(out, { local_files_only: true });
    const prompt = Array.from(tokenizer.encode(text));
    expect(prompt).toEqual(model.tokenizer!.encode(text, { addSpecialTokens: true }));
    const ours = await oursGenerate(model, prompt);
    expect(ours.length).toBeGreaterThan(0);
    expect(await tjsGenerate(out, prompt)).toEqual(ours);

    rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
    const out4 = join(scratch("tjs-toy4"), "toy-4bit-onnx");
    await exportOnnx(model, out4);
    expect(await tjsGenerate(out4, prompt)).toEqual(await oursGenerate(model, prompt));
  });

  for (const name of ["tiny-llama", "tiny-gpt2"]) {
    it.skipIf(!HAVE_FIXTURES)(`the ${name} fixture (no tokenizer: token ids in)`, async () => {
      const model = await loadPretrained(join(FIXTURES, name));
      const out = join(scratch(`tjs-${name}`), "onnx");
      await exportOnnx(model, out);
      const prompt = [1, 5, 9, 33, 20];
      const ours = await oursGenerate(model, prompt);
      expect(await tjsGenerate(out, prompt)).toEqual(ours);
    });
  }
});

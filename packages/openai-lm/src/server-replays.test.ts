/*
 * Scoring against the response shapes real servers send, written by hand from their sources
 * (each replay names the file it follows) and answered through an injected `fetch`, so the
 * client's whole path runs on exactly those bytes. The prompt throughout is
 * "The capital of France is Paris", scored as context "The capital of France is" + " Paris"
 * (-0.75, the model's top-1) unless a test says otherwise.
 */
import { describe, expect, it } from "vitest";
import { createRemoteTeacher } from "./config.js";
import { HttpStatusError, MalformedResponseError, NoPromptLogprobsError, OpenAILMError } from "./errors.js";
import { OpenAICompatibleLM, type OpenAILMOptions } from "./openai-lm.js";
import { quietFastRetries, replayFetch, wordTokenizer } from "./test-fixtures.js";

const CONTEXT = "The capital of France is";
const PROMPT = "The capital of France is Paris";
const PARIS = [{ context: CONTEXT, continuation: " Paris" }];
// Split earlier, the continuation holds " France", which is below the top-1 " the".
const FRANCE_IS_PARIS = [{ context: "The capital of", continuation: " France is Paris" }];

// Llama 3's tokenizer: BOS <|begin_of_text|> = 128000, byte-level BPE (token texts spell the text).
const LLAMA3_VOCAB = { The: 791, " capital": 6864, " of": 315, " France": 9822, " is": 374, " Paris": 12366 };
const LLAMA3_IDS = [128000, 791, 6864, 315, 9822, 374, 12366];
const llama3 = wordTokenizer(LLAMA3_VOCAB, 128000);
// Llama 2's SentencePiece tokenizer: BOS <s> = 1.
const llama2 = wordTokenizer(
  { The: 450, " capital": 7483, " of": 310, " France": 3444, " is": 338, " Paris": 3681 },
  1,
);

const LOGPROBS = [null, -8.5, -7.25, -0.5, -1.75, -1.0, -0.75];

function completion(choices: Record<string, unknown>[]) {
  return { id: "cmpl-replay", object: "text_completion", created: 1, model: "m", choices, usage: {} };
}

/*
 * vLLM, Llama 3, text prompt. vllm/entrypoints/openai/completion/serving.py,
 * `_create_completion_logprobs`: each token is its decoded text (the BOS included, with a null
 * log-probability), `top_logprobs` holds the top `logprobs` tokens plus the actual one, and
 * `text_offset` adds up Python `len(token)` from 0, so every offset after the BOS is shifted by
 * len("<|begin_of_text|>") = 17. The choice's text is the prompt (echo, max_tokens 0).
 */
const VLLM_LLAMA3_TEXT = completion([
  {
    index: 0,
    text: PROMPT,
    logprobs: {
      tokens: ["<|begin_of_text|>", "The", " capital", " of", " France", " is", " Paris"],
      token_logprobs: LOGPROBS,
      text_offset: [0, 17, 20, 28, 31, 38, 41],
      top_logprobs: [
        null,
        { Question: -3.0, The: -8.5 },
        { " first": -2.5, " capital": -7.25 },
        { " of": -0.5 },
        { " the": -1.5, " France": -1.75 },
        { " is": -1.0 },
        { " Paris": -0.75 },
      ],
    },
    finish_reason: "length",
    stop_reason: null,
    prompt_logprobs: null,
  },
]);

/*
 * The same request as token ids with `return_tokens_as_token_ids` (serving.py and
 * generate/base/serving.py, `format_token_id_placeholder`): tokens and alternatives are named
 * "token_id:N", and the offsets add up the lengths of those names.
 */
const VLLM_LLAMA3_IDS = completion([
  {
    index: 0,
    text: PROMPT,
    logprobs: {
      tokens: LLAMA3_IDS.map((id) => `token_id:${id}`),
      token_logprobs: LOGPROBS,
      text_offset: [0, 15, 27, 40, 52, 65, 77],
      top_logprobs: [
        null,
        { "token_id:14924": -3.0, "token_id:791": -8.5 },
        { "token_id:1176": -2.5, "token_id:6864": -7.25 },
        { "token_id:315": -0.5 },
        { "token_id:279": -1.5, "token_id:9822": -1.75 },
        { "token_id:374": -1.0 },
        { "token_id:12366": -0.75 },
      ],
    },
    finish_reason: "length",
    stop_reason: null,
  },
]);

/*
 * vLLM, Qwen 2.5 (no BOS), a prompt with an emoji: offsets count the emoji as one code point
 * (Python `len`), where JavaScript counts two UTF-16 units.
 */
const EMOJI_CONTEXT = "I love 🍕 and";
const VLLM_QWEN_EMOJI = completion([
  {
    index: 0,
    text: `${EMOJI_CONTEXT} pasta`,
    logprobs: {
      tokens: ["I", " love", " 🍕", " and", " pasta"],
      token_logprobs: [null, -4.0, -6.5, -2.0, -1.25],
      text_offset: [0, 1, 6, 8, 12],
      top_logprobs: [
        null,
        { " am": -1.5, " love": -4.0 },
        { " you": -1.0, " 🍕": -6.5 },
        { " and": -2.0 },
        { " pasta": -1.25 },
      ],
    },
    finish_reason: "length",
  },
]);

/*
 * vLLM, Llama 2 (SentencePiece), text prompt: each token is decoded alone
 * (vllm/transformers_utils/detokenizer_utils.py, `convert_ids_list_to_tokens`), which drops
 * SentencePiece's leading "▁", so the texts do not spell the prompt and the offsets count
 * "Thecapital...". A token-id prompt to a vLLM without `return_tokens_as_token_ids` looks the same.
 */
const VLLM_LLAMA2 = completion([
  {
    index: 0,
    text: PROMPT,
    logprobs: {
      tokens: ["<s>", "The", "capital", "of", "France", "is", "Paris"],
      token_logprobs: LOGPROBS,
      text_offset: [0, 3, 6, 13, 15, 21, 23],
      top_logprobs: [
        null,
        { Question: -3.0, The: -8.5 },
        { first: -2.5, capital: -7.25 },
        { of: -0.5 },
        { the: -1.5, France: -1.75 },
        { is: -1.0 },
        { Paris: -0.75 },
      ],
    },
    finish_reason: "length",
  },
]);

/*
 * SGLang, Llama 3. python/sglang/srt/entrypoints/openai/protocol.py: `CompletionRequest` rejects
 * max_tokens <= 0, so scoring asks for 1 and the echo ends with one generated token.
 * serving_completions.py: echo prepends the prompt (for token ids, their decode with
 * skip_special_tokens); utils.py, `to_openai_style_logprobs`: token texts from the tokenizer's
 * batch_decode, `text_offset` -1 for every token ("Not supported yet"), the top `logprobs`
 * alternatives keyed by text; the first prompt token has no log-probability and no alternatives.
 */
const SGLANG_LLAMA3 = completion([
  {
    index: 0,
    text: `${PROMPT}.`,
    logprobs: {
      tokens: ["<|begin_of_text|>", "The", " capital", " of", " France", " is", " Paris", "."],
      token_logprobs: [...LOGPROBS, -1.1],
      text_offset: [-1, -1, -1, -1, -1, -1, -1, -1],
      top_logprobs: [
        null,
        { Question: -3.0 },
        { " first": -2.5 },
        { " of": -0.5 },
        { " the": -1.5 },
        { " is": -1.0 },
        { " Paris": -0.75 },
        { ".": -1.1 },
      ],
    },
    finish_reason: "length",
    matched_stop: null,
  },
]);

/*
 * Ollama's OpenAI layer (openai/openai.go): `CompletionRequest` has no echo or logprobs field, so
 * both are dropped, and a choice is only { text, index, finish_reason }: the generated text.
 */
const OLLAMA = {
  id: "cmpl-1",
  object: "text_completion",
  created: 1,
  model: "llama3",
  system_fingerprint: "fp_ollama",
  choices: [{ text: " and its largest city.", index: 0, finish_reason: "length" }],
  usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 },
};

// Not a particular server: the two ways a shim can ignore echo while passing logprobs through.
const GENERATED_ONLY = completion([
  {
    index: 0,
    text: " and",
    logprobs: {
      tokens: [" and"],
      token_logprobs: [-2.5],
      text_offset: [30],
      top_logprobs: [{ " and": -2.5 }],
    },
  },
]);
function unscoredEcho(fill: null | 0) {
  return completion([
    {
      index: 0,
      text: PROMPT,
      logprobs: {
        tokens: ["<|begin_of_text|>", "The", " capital", " of", " France", " is", " Paris"],
        token_logprobs: [null, fill, fill, fill, fill, fill, fill],
        text_offset: [0, 17, 20, 28, 31, 38, 41],
        top_logprobs: [null, null, null, null, null, null, null],
      },
    },
  ]);
}

function lmOn(replay: unknown, extra: Partial<OpenAILMOptions> = {}, status = 200) {
  const server = replayFetch(() => replay, status);
  const lm = new OpenAICompatibleLM({
    endpoint: "http://replay:8000",
    model: "m",
    ...quietFastRetries,
    fetch: server.fetch,
    ...extra,
  });
  return { lm, requests: server.requests };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as any,
  );

describe("vLLM", () => {
  it("scores a BOS model's text prompt from the token texts, not the BOS-shifted offsets", async () => {
    const { lm } = lmOn(VLLM_LLAMA3_TEXT);
    expect(await lm.loglikelihood(PARIS)).toEqual([{ logprob: -0.75, greedy: true }]);
    expect(await lm.loglikelihood(FRANCE_IS_PARIS)).toEqual([{ logprob: -3.5, greedy: false }]);
  });

  it("sends token ids and counts the context in tokens when given a tokenizer", async () => {
    const { lm, requests } = lmOn(VLLM_LLAMA3_IDS, { tokenizer: llama3 });
    expect(await lm.loglikelihood(PARIS)).toEqual([{ logprob: -0.75, greedy: true }]);
    expect(requests[0]).toMatchObject({
      prompt: LLAMA3_IDS,
      echo: true,
      logprobs: 1,
      max_tokens: 0,
      return_tokens_as_token_ids: true,
    });
    expect(await lm.loglikelihood(FRANCE_IS_PARIS)).toEqual([{ logprob: -3.5, greedy: false }]);
  });

  it("leaves out the EOS a tokenizer appends to every encoding (add_eos_token)", async () => {
    // vLLM scores what it is sent: with the EOS, the echo would hold it too, scored.
    const withEos = structuredClone(VLLM_LLAMA3_IDS);
    const lp = (withEos.choices[0] as any).logprobs;
    lp.tokens.push("token_id:128001");
    lp.token_logprobs.push(-12.0);
    lp.text_offset.push(92);
    lp.top_logprobs.push({ "token_id:13": -0.5, "token_id:128001": -12.0 });
    const eos = { encode: (text: string) => [...llama3.encode(text), 128001] };
    const { lm, requests } = lmOn(withEos, { tokenizer: eos });
    expect(await lm.loglikelihood(PARIS)).toEqual([{ logprob: -0.75, greedy: true }]);
    expect(requests[0].prompt).toEqual(LLAMA3_IDS);
  });

  it("refuses an echo whose token ids are not the ones sent", async () => {
    const other = wordTokenizer({ ...LLAMA3_VOCAB, " Paris": 40672 }, 128000);
    const err = await failure(lmOn(VLLM_LLAMA3_IDS, { tokenizer: other }).lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.tokens[6]");
  });

  it("counts offsets in code points past an astral character (no BOS)", async () => {
    const { lm } = lmOn(VLLM_QWEN_EMOJI);
    expect(await lm.loglikelihood([{ context: EMOJI_CONTEXT, continuation: " pasta" }])).toEqual([
      { logprob: -1.25, greedy: true },
    ]);
    expect(await lm.loglikelihood([{ context: "I love", continuation: " 🍕 and pasta" }])).toEqual([
      { logprob: -6.5 - 2.0 - 1.25, greedy: false },
    ]);
  });

  it("refuses offsets that disagree with the token texts", async () => {
    const utf16 = structuredClone(VLLM_QWEN_EMOJI);
    (utf16.choices[0] as any).logprobs.text_offset = [0, 1, 6, 9, 13];
    const err = await failure(
      lmOn(utf16).lm.loglikelihood([{ context: EMOJI_CONTEXT, continuation: " pasta" }]),
    );
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.text_offset[3]");
  });

  it("refuses SentencePiece token texts that do not spell the prompt, and asks for a tokenizer", async () => {
    const err = await failure(lmOn(VLLM_LLAMA2).lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.tokens[2]");
    expect(err.message).toContain("tokenizer");
  });

  it("scores the same SentencePiece echo exactly from token ids", async () => {
    const { lm, requests } = lmOn(VLLM_LLAMA2, { tokenizer: llama2 });
    expect(await lm.loglikelihood(PARIS)).toEqual([{ logprob: -0.75, greedy: true }]);
    expect(requests[0].prompt).toEqual([1, 450, 7483, 310, 3444, 338, 3681]);
  });
});

describe("SGLang", () => {
  it("refuses to score a text prompt from its -1 offsets, and asks for a tokenizer", async () => {
    const err = await failure(lmOn(SGLANG_LLAMA3).lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.text_offset[0]");
    expect(err.message).toMatch(/-1.*tokenizer/s);
  });

  it("scores a token-id prompt, leaving out the token it must generate", async () => {
    const { lm, requests } = lmOn(SGLANG_LLAMA3, { tokenizer: llama3, scoringMaxTokens: 1 });
    expect(await lm.loglikelihood(PARIS)).toEqual([{ logprob: -0.75, greedy: true }]);
    expect(requests[0]).toMatchObject({ prompt: LLAMA3_IDS, max_tokens: 1 });
    expect(await lm.loglikelihood(FRANCE_IS_PARIS)).toEqual([{ logprob: -3.5, greedy: false }]);
  });

  // SGLang answers a request that fails validation with its ErrorResponse, status 400.
  it("explains its refusal of max_tokens: 0", async () => {
    const refusal = {
      object: "error",
      message:
        "1 validation error for CompletionRequest\nmax_tokens\n  Value error, max_tokens must be positive",
      type: "BadRequestError",
      param: null,
      code: 400,
    };
    const err = await failure(lmOn(refusal, { tokenizer: llama3 }, 400).lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(OpenAILMError);
    expect(err.message).toContain("set scoringMaxTokens: 1");
    expect(err.cause).toBeInstanceOf(HttpStatusError);
  });
});

describe("servers without prompt log-probabilities", () => {
  for (const [name, replay] of [
    ["Ollama (no logprobs field)", OLLAMA],
    ["generated-token logprobs only", GENERATED_ONLY],
    ["an echo with null prompt logprobs", unscoredEcho(null)],
    ["an echo with zero prompt logprobs", unscoredEcho(0)],
  ] as const) {
    it(`raises NoPromptLogprobsError for ${name}, with and without a tokenizer`, async () => {
      for (const extra of [{}, { tokenizer: llama3 }]) {
        const err = await failure(lmOn(replay, extra).lm.loglikelihood(PARIS));
        expect(err).toBeInstanceOf(NoPromptLogprobsError);
        expect(err.message).toContain("vLLM or SGLang");
      }
    });
  }

  /*
   * llama.cpp's server: tools/server/server-common.cpp, `oaicompat_completion_params_parse`,
   * throws std::runtime_error("Only no echo is supported"), which server.cpp's `ex_wrapper` turns
   * into HTTP 500 with type "server_error".
   */
  it("explains llama.cpp's 500 for echo at once, without retrying it", async () => {
    const body = { error: { code: 500, message: "Only no echo is supported", type: "server_error" } };
    const { lm, requests } = lmOn(body, {}, 500);
    const err = await failure(lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(NoPromptLogprobsError);
    expect(err.message).toContain("Only no echo is supported");
    expect(err.message).toContain("llama.cpp's server rejects echo");
    expect(requests).toHaveLength(1);
  });

  it("still retries, then reports, a 500 that is not about echo", async () => {
    const { lm, requests } = lmOn({ error: { message: "CUDA out of memory" } }, { maxRetries: 2 }, 500);
    const err = await failure(lm.loglikelihood(PARIS));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(requests).toHaveLength(3);
  });
});

describe("chat answers held in the reasoning field", () => {
  const chat = (message: Record<string, unknown>) => ({
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: "stop" }],
  });
  const ask = (replay: unknown) =>
    lmOn(replay, { chat: true }).lm.generate([{ prompt: "2 + 2?", maxNewTokens: 64 }]);

  // vllm/entrypoints/openai/chat_completion/protocol.py: `ChatMessage.reasoning` (newer vLLM);
  // a reasoning parser that finds no end-of-thinking tag returns the whole output as reasoning.
  it("takes vLLM's `reasoning` when content is null", async () => {
    expect(
      await ask(chat({ content: null, reasoning: "2 + 2 = 4. The answer is 4.", tool_calls: [] })),
    ).toEqual(["2 + 2 = 4. The answer is 4."]);
  });

  // SGLang and older vLLM: `reasoning_content`; Ollama: `reasoning` with an empty content.
  it("takes `reasoning_content` when content is empty", async () => {
    expect(await ask(chat({ content: "", reasoning_content: "The answer is 4." }))).toEqual([
      "The answer is 4.",
    ]);
  });

  it("answers with content alone when there is one", async () => {
    expect(await ask(chat({ content: "4", reasoning_content: "2 + 2 is 4." }))).toEqual(["4"]);
  });

  it("answers empty when neither holds text", async () => {
    expect(await ask(chat({ content: null }))).toEqual([""]);
  });
});

describe("top-k teacher", () => {
  // A toy vocabulary with Llama 3's texts; 11 and 12 are two bytes of one emoji, which both decode
  // alone to the replacement character, as byte-level BPE tokens do.
  const TEXTS = [
    "<|begin_of_text|>",
    "The",
    " capital",
    " of",
    " France",
    "Question",
    "In",
    " first",
    " most",
    " city",
    " the",
    "\uFFFD",
    "\uFFFD",
  ];
  const vocabulary = { size: TEXTS.length, decode: (ids: number[]) => ids.map((id) => TEXTS[id]).join("") };
  const INPUT = [0, 1, 2, 3, 4];
  const teacherOn = (replay: unknown, extra = {}) => {
    const server = replayFetch(() => replay);
    const teacher = createRemoteTeacher(
      { endpoint: "http://replay:8000", model: "m", topK: 2 },
      { ...quietFastRetries, fetch: server.fetch, ...extra },
    );
    return { teacher, requests: server.requests };
  };
  // The teacher's top-2 after each prefix, as ids, most likely first.
  const TOP2 = [
    [5, 6],
    [7, 8],
    [3, 9],
    [10, 4],
  ];

  // vLLM with return_tokens_as_token_ids (see VLLM_LLAMA3_IDS): the top k plus the actual token.
  const VLLM_TOPK = completion([
    {
      index: 0,
      text: "The capital of France",
      logprobs: {
        tokens: INPUT.map((id) => `token_id:${id}`),
        token_logprobs: [null, -8.5, -7.25, -0.5, -1.75],
        text_offset: [0, 10, 20, 30, 40],
        top_logprobs: [
          null,
          { "token_id:5": -3.0, "token_id:6": -3.4, "token_id:1": -8.5 },
          { "token_id:7": -2.5, "token_id:8": -2.9, "token_id:2": -7.25 },
          { "token_id:3": -0.5, "token_id:9": -2.75 },
          { "token_id:10": -1.5, "token_id:4": -1.75 },
        ],
      },
    },
  ]);

  it("asks vLLM for token-id names and returns exact ids", async () => {
    const { teacher, requests } = teacherOn(VLLM_TOPK);
    const [seq] = await teacher.topkLogprobs([INPUT]);
    expect(requests[0]).toMatchObject({ prompt: INPUT, logprobs: 2, return_tokens_as_token_ids: true });
    expect(seq.ids).toEqual(INPUT);
    expect(seq.positions.map((p) => p.ids)).toEqual(TOP2);
    expect(seq.positions[1].logprobs).toEqual([-2.5, -2.9]);
  });

  // SGLang (see SGLANG_LLAMA3): it ignores return_tokens_as_token_ids, keys alternatives by text.
  // With max_tokens 1, the echo ends with the generated token " is".
  const sglang = (positions: Record<string, number>[]) =>
    completion([
      {
        index: 0,
        text: "The capital of France is",
        logprobs: {
          tokens: [...INPUT.map((id) => TEXTS[id]), " is"],
          token_logprobs: [null, -8.5, -7.25, -0.5, -1.75, -1.0],
          text_offset: [-1, -1, -1, -1, -1, -1],
          top_logprobs: [null, ...positions, { " is": -1.0 }],
        },
      },
    ]);
  const SGLANG_TOPK = sglang([
    { Question: -3.0, In: -3.4 },
    { " first": -2.5, " most": -2.9 },
    { " of": -0.5, " city": -2.75 },
    { " the": -1.5, " France": -1.75 },
  ]);

  it("maps SGLang's token texts back to ids through the vocabulary", async () => {
    const { teacher, requests } = teacherOn(SGLANG_TOPK, { vocabulary, scoringMaxTokens: 1 });
    const [seq] = await teacher.topkLogprobs([INPUT]);
    expect(requests[0].max_tokens).toBe(1);
    expect(seq.ids).toEqual(INPUT);
    expect(seq.positions.map((p) => p.ids)).toEqual(TOP2);
  });

  it("maps a text input's echo too, without the generated token", async () => {
    const { teacher } = teacherOn(SGLANG_TOPK, { vocabulary, scoringMaxTokens: 1 });
    const [seq] = await teacher.topkLogprobs(["The capital of France"]);
    expect(seq.ids).toEqual(INPUT);
    expect(seq.positions.map((p) => p.ids)).toEqual(TOP2);
  });

  it("refuses a position whose alternatives merged under one text", async () => {
    // The top 2 after "The capital of" are the emoji's two bytes: SGLang's dict keeps one "\uFFFD".
    const merged = sglang([
      { Question: -3.0, In: -3.4 },
      { " first": -2.5, " most": -2.9 },
      { "\uFFFD": -0.4 },
      { " the": -1.5, " France": -1.75 },
    ]);
    const err = await failure(
      teacherOn(merged, { vocabulary, scoringMaxTokens: 1 }).teacher.topkLogprobs([INPUT]),
    );
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.top_logprobs[3]");
    expect(err.message).toContain("distinct token ids that decode alike merged");
  });

  it("refuses a text that several ids decode to, rather than guess its id", async () => {
    const ambiguous = sglang([
      { Question: -3.0, In: -3.4 },
      { " first": -2.5, " most": -2.9 },
      { " of": -0.5, "\uFFFD": -2.6 },
      { " the": -1.5, " France": -1.75 },
    ]);
    const err = await failure(
      teacherOn(ambiguous, { vocabulary, scoringMaxTokens: 1 }).teacher.topkLogprobs([INPUT]),
    );
    expect(err).toBeInstanceOf(OpenAILMError);
    expect(err.message).toContain("several token ids decode to");
  });
});

/**
 * The toy world's tokenizer: byte-level BPE (GPT-2's scheme, so any text — leetspeak and
 * typos included — encodes without an unknown token) with merges learnt here from the task
 * corpus. Merges never produce a token containing a digit, so every digit is its own token
 * and the model sees numbers the way arithmetic needs them. The files it writes are a normal
 * tokenizer.json / tokenizer_config.json pair that @huggingface/tokenizers and transformers load.
 */

export const SPECIAL_TOKENS = { pad: "<|pad|>", bos: "<|bos|>", eos: "<|eos|>" } as const;

/** GPT-2's pre-tokenizer split, as @huggingface/tokenizers' ByteLevel applies it. */
const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's map from bytes to printable characters (space → "Ġ", newline → "Ċ"). */
export function byteAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + extra++);
  return out;
}

const ALPHABET = byteAlphabet();
const ENCODER = new TextEncoder();

function symbolsOf(piece: string): string[] {
  return [...ENCODER.encode(piece)].map((b) => ALPHABET[b]);
}

export interface BpeTrainOptions {
  /** Merges to learn (the vocabulary is 3 specials + 256 bytes + merges). */
  merges: number;
  /** Pairs seen fewer times than this are not merged (default 2). */
  minCount?: number;
}

/**
 * Learns BPE merges from texts, most frequent pair first (ties broken by the pair's text, so
 * the result does not depend on Map order). A pair whose merge would contain a digit is never
 * merged.
 */
export function trainBpe(texts: Iterable<string>, opts: BpeTrainOptions): [string, string][] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(PIECES)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  const words = [...counts].map(([piece, n]) => ({ symbols: symbolsOf(piece), n }));
  const merges: [string, string][] = [];
  const minCount = opts.minCount ?? 2;
  const hasDigit = /[0-9]/;
  while (merges.length < opts.merges) {
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const a = w.symbols[i];
        const b = w.symbols[i + 1];
        if (hasDigit.test(a) || hasDigit.test(b)) continue;
        const key = `${a} ${b}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.n);
      }
    }
    let best: string | null = null;
    let bestN = minCount - 1;
    for (const [k, n] of pairs)
      if (n > bestN || (n === bestN && best !== null && k < best)) [best, bestN] = [k, n];
    if (best === null) break;
    const [a, b] = best.split(" ") as [string, string];
    merges.push([a, b]);
    for (const w of words) {
      const s = w.symbols;
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === a && s[i + 1] === b) s.splice(i, 2, a + b);
      }
    }
  }
  return merges;
}

/** tokenizer.json for the merges: specials at ids 0–2, then the 256 bytes, then one id per merge. */
export function tokenizerJson(merges: readonly [string, string][]): Record<string, unknown> {
  const specials = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos];
  const vocab: Record<string, number> = {};
  for (const t of [...specials, ...ALPHABET, ...merges.map(([a, b]) => a + b)])
    vocab[t] ??= Object.keys(vocab).length;
  const bosId = vocab[SPECIAL_TOKENS.bos];
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    // Every encoded text starts with <|bos|>, in training and at inference alike.
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: {
        [SPECIAL_TOKENS.bos]: { id: SPECIAL_TOKENS.bos, ids: [bosId], tokens: [SPECIAL_TOKENS.bos] },
      },
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
}

/**
 * A chat template that renders a conversation in the layout the teacher was trained on
 * ("Question: ...\nAnswer: ..." blocks), so chat-style and plain prompts agree.
 */
export const CHAT_TEMPLATE = [
  "{% for message in messages %}",
  "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n",
  "{% elif message['role'] == 'user' %}Question: {{ message['content'] }}\nAnswer:",
  "{% else %} {{ message['content'] }}{{ eos_token }}\n\n{% endif %}",
  "{% endfor %}",
].join("");

export function tokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
    chat_template: CHAT_TEMPLATE,
  };
}

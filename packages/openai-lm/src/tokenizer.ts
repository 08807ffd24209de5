/*
 * The local tokenizer a client may be given, so that it need not trust the server's character
 * offsets. The package stays free of any tokenizer library: these are structural interfaces,
 * and `@shrinkray/models`' `Tokenizer` (or transformers.js', or a hand-written one) satisfies them.
 */

/**
 * Encodes text exactly as the served model's tokenizer encodes a text prompt, special tokens
 * included: Llama's BOS is part of the result, as in transformers' `tokenizer(text).input_ids`
 * and `@shrinkray/models`' `Tokenizer.encode(text)`. It must be the served model's tokenizer:
 * the ids are sent to the server as they are, and servers add no BOS to a token-id prompt.
 */
export interface PromptTokenizer {
  encode(text: string): number[];
}

/**
 * The served model's vocabulary, for servers that name tokens only by their text (SGLang names
 * top-k alternatives by `decode([id])`). `decode` must give the text the server gives for a
 * single token.
 */
export interface TokenVocabulary {
  /** Number of token ids (the model's `vocab_size`). */
  size: number;
  decode(ids: number[]): string;
}

/** A prompt of token ids and where its continuation starts. */
export interface TokenizedPair {
  ids: number[];
  /** Tokens before the continuation: the scored span is `ids[contextTokens..]`. */
  contextTokens: number;
}

/**
 * Tokenises `context + continuation` once, as the model sees it, and counts the context in
 * tokens: the longest common prefix of the context's own encoding and the joined one. A token
 * that straddles the boundary (context "Answer: " + "yes" encodes as "Answer:" + " yes") is
 * therefore counted with the continuation, the way lm-evaluation-harness moves the context's
 * trailing space onto the continuation.
 */
export function tokenizePair(
  tokenizer: PromptTokenizer,
  context: string,
  continuation: string,
): TokenizedPair {
  const ids = tokenizer.encode(context + continuation);
  const contextIds = tokenizer.encode(context);
  // A tokenizer that ends every encoding with a special token (`add_eos_token: true`: EOS after
  // the text) would put that token's score into the continuation's; it is no part of the text,
  // so it is not sent (a text prompt's echo likewise ends the prompt before it).
  const appended = tokenizer.encode("").at(-1);
  if (appended !== undefined && ids.at(-1) === appended && contextIds.at(-1) === appended) {
    ids.pop();
    contextIds.pop();
  }
  let contextTokens = 0;
  while (
    contextTokens < contextIds.length &&
    contextTokens < ids.length &&
    contextIds[contextTokens] === ids[contextTokens]
  )
    contextTokens++;
  return { ids, contextTokens };
}

/**
 * Text -> id for a server that names tokens by text. A text that several ids decode to (partial
 * UTF-8 bytes all decode to "\uFFFD"; SentencePiece's "▁a" and "a" both to "a") has no exact id,
 * and looking it up is an error rather than a guess.
 */
export class TokenTextIndex {
  readonly #ids = new Map<string, number | "ambiguous">();

  constructor(vocabulary: TokenVocabulary) {
    for (let id = 0; id < vocabulary.size; id++) {
      const text = vocabulary.decode([id]);
      this.#ids.set(text, this.#ids.has(text) ? "ambiguous" : id);
    }
  }

  /** The id whose text this is; `undefined` when none is, `"ambiguous"` when several are. */
  lookup(text: string): number | "ambiguous" | undefined {
    return this.#ids.get(text);
  }
}

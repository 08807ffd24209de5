/**
 * Text ↔ token ids through @huggingface/tokenizers (tokenizer.json + tokenizer_config.json),
 * and chat templates from tokenizer_config.json rendered with @huggingface/jinja, as
 * transformers' apply_chat_template renders them.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer as HFTokenizer } from "@huggingface/tokenizers";
import { ModelConfigError } from "./errors.js";

export interface ChatMessage {
  role: string;
  content: string;
  [field: string]: unknown;
}

export interface ChatTemplateOptions {
  /** Ends with the assistant's header so the model writes the reply (default true). */
  addGenerationPrompt?: boolean;
  /** A named template when tokenizer_config.json has several ("default", "tool_use", ...). */
  templateName?: string;
  /** Further template variables (tools, enable_thinking, documents, ...). */
  variables?: Record<string, unknown>;
}

type TokenConfig = Record<string, unknown>;

/** A special token in tokenizer_config.json is a string or an AddedToken object {content}. */
function tokenText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return null;
}

export class Tokenizer {
  private readonly hf: HFTokenizer;
  private readonly templates = new Map<string, Template>();

  constructor(
    tokenizerJson: object,
    readonly config: TokenConfig = {},
    chatTemplates: Record<string, string> = {},
  ) {
    this.hf = new HFTokenizer(tokenizerJson, config);
    for (const [name, text] of Object.entries(chatTemplates)) this.templates.set(name, new Template(text));
  }

  /** The tokenizer of a model directory, or null when it has no tokenizer.json (test fixtures). */
  static async fromDir(dir: string): Promise<Tokenizer | null> {
    const json = await readJson(join(dir, "tokenizer.json"));
    if (!json) return null;
    const config = ((await readJson(join(dir, "tokenizer_config.json"))) ?? {}) as TokenConfig;
    const templates = chatTemplatesOf(config);
    // Newer transformers write the template to its own file instead of tokenizer_config.json.
    const jinja = await readFile(join(dir, "chat_template.jinja"), "utf8").catch(() => null);
    if (jinja !== null) templates.default = jinja;
    return new Tokenizer(json, config, templates);
  }

  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return this.hf.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    // @huggingface/tokenizers throws on an empty list; a row that generated nothing is "".
    if (ids.length === 0) return "";
    return this.hf.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  specialToken(kind: "bos" | "eos" | "pad" | "unk"): string | null {
    return tokenText(this.config[`${kind}_token`]);
  }

  specialTokenId(kind: "bos" | "eos" | "pad" | "unk"): number | null {
    const t = this.specialToken(kind);
    return t === null ? null : (this.tokenToId(t) ?? null);
  }

  get hasChatTemplate(): boolean {
    return this.templates.size > 0;
  }

  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    const name = opts.templateName ?? "default";
    const template = this.templates.get(name);
    if (!template) {
      const have = [...this.templates.keys()];
      throw new ModelConfigError(
        "tokenizer_config.json",
        have.length
          ? `no chat template named "${name}" (have: ${have.join(", ")})`
          : "this tokenizer has no chat template",
        "chat_template",
      );
    }
    // transformers passes the special tokens as variables, then the caller's keyword arguments.
    const special: Record<string, string> = {};
    for (const kind of ["bos", "eos", "unk", "pad"] as const) {
      const t = this.specialToken(kind);
      if (t !== null) special[`${kind}_token`] = t;
    }
    return template.render({
      ...special,
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      ...opts.variables,
    });
  }
}

function chatTemplatesOf(config: TokenConfig): Record<string, string> {
  const t = config.chat_template;
  if (typeof t === "string") return { default: t };
  if (Array.isArray(t)) {
    return Object.fromEntries(
      t
        .filter((e) => typeof e?.name === "string" && typeof e?.template === "string")
        .map((e) => [e.name, e.template]),
    );
  }
  return {};
}

async function readJson(path: string): Promise<object | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelConfigError(path, `is not valid JSON: ${(e as Error).message}`);
  }
}

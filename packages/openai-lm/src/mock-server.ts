/*
 * Test support (not exported): an OpenAI-compatible server on 127.0.0.1 backed by a tiny "model",
 * a table of next-token log-probabilities the test controls, with faults the test queues (rate
 * limits, server errors, slow answers, broken JSON, dropped connections, missing fields).
 * It answers the way vLLM does (vllm/entrypoints/openai/completion/serving.py): null
 * log-probability for the first prompt token, the actual token added to top_logprobs when it is
 * not among the top k, `token_id:N` names on request, a BOS token put before a text prompt (not
 * before a token-id one) and `text_offset` summed over token texts in code points, BOS included.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A toy language model: whitespace-led word tokens over a fixed vocabulary. */
export class TableModel {
  readonly vocab: string[];
  /** The BOS token's text, put before every text prompt, as Llama's tokenizer does. */
  readonly bos: string | undefined;
  readonly #ids: Map<string, number>;

  constructor(vocab: readonly string[], opts: { bos?: string } = {}) {
    this.bos = opts.bos;
    this.vocab = [...new Set(opts.bos === undefined ? vocab : [opts.bos, ...vocab])];
    this.#ids = new Map(this.vocab.map((t, i) => [t, i]));
  }

  /** The model's tokens for a text prompt, BOS included: what the server scores. */
  promptTokens(text: string): string[] {
    const words = this.tokenize(text);
    return this.bos === undefined ? words : [this.bos, ...words];
  }

  /** Token ids of a text prompt, BOS included: the model is its own `PromptTokenizer`. */
  encode(text: string): number[] {
    return this.promptTokens(text).map((t) => this.id(t));
  }

  /** "Q: a\nA: b" -> ["Q:", " a", "\nA:", " b"]: each token carries the whitespace before it. */
  tokenize(text: string): string[] {
    return text.match(/\s*\S+|\s+$/g) ?? [];
  }

  id(token: string): number {
    const id = this.#ids.get(token);
    if (id === undefined) throw new Error(`mock model: ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /** log p(next | prefix) for every vocabulary entry; depends on the last two tokens of the prefix. */
  logprobs(prefix: readonly string[]): number[] {
    const ctx = prefix.slice(-2).join("|");
    const logits = this.vocab.map((t) => (hash(`${ctx}>${t}`) % 6000) / 1000 - 3);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    return logits.map((l) => l - lse);
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export type Fault =
  | { status: number; retryAfter?: string; body?: string }
  | { delayMs: number }
  | { malformed: true }
  | { reset: true }
  /** "logprobs" answers `logprobs: null`, as a server that ignores echo scoring does. */
  | { dropField: "text_offset" | "top_logprobs" | "choices" | "logprobs" };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, any>;
}

export interface MockServer {
  url: string;
  requests: RecordedRequest[];
  /** Consumed one per request, first in first out. */
  faults: Fault[];
  /** Answer like OpenAI's API: refuse echo + logprobs with a 400. */
  refuseEcho: boolean;
  /** Requests being answered right now, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startMockServer(model: TableModel): Promise<MockServer> {
  const state = {
    url: "",
    requests: [] as RecordedRequest[],
    faults: [] as Fault[],
    refuseEcho: false,
    inFlight: 0,
    maxInFlight: 0,
  };
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      // "close" also fires when the client gives up (a timeout), which ends the request for it.
      res.on("close", () => state.inFlight--);
      handle(req, res, raw).catch(() => res.destroy());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const body = JSON.parse(raw) as Record<string, any>;
    state.requests.push({ path: req.url ?? "", headers: req.headers, body });
    const fault = state.faults.shift();
    if (fault && "delayMs" in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    if (fault && "reset" in fault) return void req.socket.destroy();
    if (fault && "status" in fault) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      res
        .writeHead(fault.status, headers)
        .end(fault.body ?? JSON.stringify({ error: { message: "injected" } }));
      return;
    }
    if (fault && "malformed" in fault) return void res.writeHead(200).end('{"choices": [{"text": "trunc');
    let answer: Record<string, any>;
    try {
      if (req.url === "/v1/completions") {
        if (state.refuseEcho && body.echo && body.logprobs !== undefined) {
          res
            .writeHead(400)
            .end(JSON.stringify({ error: { message: "echo is not supported together with logprobs" } }));
          return;
        }
        answer = completions(model, body);
      } else if (req.url === "/v1/chat/completions") {
        answer = chat(model, body);
      } else {
        return void res.writeHead(404).end("not found");
      }
    } catch (err) {
      return void res.writeHead(400).end(JSON.stringify({ error: { message: String(err) } }));
    }
    if (fault && "dropField" in fault) {
      if (fault.dropField === "choices") delete answer.choices;
      else if (fault.dropField === "logprobs") for (const c of answer.choices) c.logprobs = null;
      else for (const c of answer.choices) delete c.logprobs[fault.dropField];
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function completions(model: TableModel, body: Record<string, any>): Record<string, any> {
  const prompts: (string | number[])[] =
    typeof body.prompt === "string" || (Array.isArray(body.prompt) && typeof body.prompt[0] === "number")
      ? [body.prompt]
      : body.prompt;
  const choices = prompts.map((p, index) => {
    const promptTokens = typeof p === "string" ? model.promptTokens(p) : p.map((id) => model.vocab[id]);
    const generated = greedyDecode(model, promptTokens, body.max_tokens ?? 16, body.stop);
    const all = body.echo ? [...promptTokens, ...generated.tokens] : generated.tokens;
    const first = body.echo ? 0 : promptTokens.length;
    const promptText = typeof p === "string" ? p : promptTokens.filter((t) => t !== model.bos).join("");
    const text = (body.echo ? promptText : "") + generated.text;
    const choice: Record<string, any> = { index, text, finish_reason: "length", logprobs: null };
    if (body.logprobs !== undefined && body.logprobs !== null) {
      const named = (t: string) => (body.return_tokens_as_token_ids ? `token_id:${model.id(t)}` : t);
      const k: number = body.logprobs;
      const lp = {
        tokens: [] as string[],
        token_logprobs: [] as (number | null)[],
        top_logprobs: [] as any[],
        text_offset: [] as number[],
      };
      let offset = 0;
      all.forEach((tok, j) => {
        const pos = first + j;
        const context = [...promptTokens, ...generated.tokens].slice(0, pos);
        lp.tokens.push(named(tok));
        lp.text_offset.push(offset);
        offset += [...named(tok)].length;
        if (pos === 0) {
          lp.token_logprobs.push(null);
          lp.top_logprobs.push(null);
          return;
        }
        const dist = model.logprobs(context);
        const order = dist.map((l, id) => ({ l, id })).sort((a, b) => b.l - a.l);
        const top: Record<string, number> = {};
        for (const { l, id } of order.slice(0, k)) top[named(model.vocab[id])] = l;
        top[named(tok)] = dist[model.id(tok)];
        lp.token_logprobs.push(dist[model.id(tok)]);
        lp.top_logprobs.push(top);
      });
      choice.logprobs = lp;
    }
    return choice;
  });
  return { id: "cmpl-mock", object: "text_completion", model: body.model, choices };
}

function chat(model: TableModel, body: Record<string, any>): Record<string, any> {
  const prompt = (body.messages as { role: string; content: string }[]).map((m) => m.content).join("\n");
  const { text } = greedyDecode(model, model.tokenize(prompt), body.max_tokens ?? 16, body.stop);
  return {
    id: "chat-mock",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: text } }],
  };
}

/** Argmax decoding; stops before a stop string, as servers do. */
function greedyDecode(model: TableModel, prompt: string[], maxTokens: number, stop?: string[]) {
  const tokens: string[] = [];
  let text = "";
  for (let i = 0; i < maxTokens; i++) {
    const dist = model.logprobs([...prompt, ...tokens]);
    const next = model.vocab[dist.indexOf(Math.max(...dist))];
    const cut = (stop ?? []).map((s) => (text + next).indexOf(s)).filter((at) => at >= 0);
    if (cut.length > 0) return { tokens, text: (text + next).slice(0, Math.min(...cut)) };
    tokens.push(next);
    text += next;
  }
  return { tokens, text };
}

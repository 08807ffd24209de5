export interface PromptOptions {
  /** `{context}`, `{question}` and `{title}` are filled in; default "Context: …\nQuestion: …\nAnswer:". */
  template?: string;
  /** Default ["\n"]: the answer is one line. */
  stop?: string[];
}

export const DEFAULT_TEMPLATE = "Context: {context}\nQuestion: {question}\nAnswer:";

/** Fills the template in one pass, so a "{question}" inside a context is left as text. */
export function fillTemplate(
  template: string,
  fields: { context: string; question: string; title: string },
): string {
  return template.replace(/\{(context|question|title)\}/g, (_, key: keyof typeof fields) => fields[key]);
}

/** Cuts an output at its first stop string, for a model that generated past one. */
export function cutAtStop(output: string, stop: readonly string[]): string {
  let end = output.length;
  for (const s of stop) {
    const i = s === "" ? -1 : output.indexOf(s);
    if (i !== -1 && i < end) end = i;
  }
  return output.slice(0, end);
}

import type { Rng } from "../prng.js";
import { insertAtBoundaries, wordSpans } from "./words.js";

/** The kinds of URLs and handles CheckList-style insertions use in the released data. */
export const CHECKLIST_URLS = [
  "http://wsj.com",
  "https://cnbc.com",
  "http://chinadaily.com.cn",
  "http://aljazeera.com",
  "http://bloomberg.com",
  "https://producthunt.com",
  "https://seekingalpha.com",
  "https://news.ycombinator.com",
  "https://twitch.tv",
  "http://engadget.com",
  "https://linkedin.com/in/someone",
  "http://npr.org",
  "http://gizmodo.com",
  "http://bbc.com",
  "http://france24.com",
  "http://tumblr.com",
  "http://reuters.com",
  "http://huffpost.com",
  "https://buzzfeed.com",
  "https://cnn.com",
] as const;

export const CHECKLIST_HANDLES = [
  "@tech_news",
  "@official_account",
  "@content_creator",
  "@financial_guru",
  "@random_tech",
  "@gadget_guru",
  "@stock_tips",
  "@news_russia",
  "@tech_updates",
  "@global_news",
  "@star_gazer",
] as const;

export interface ChecklistOptions {
  minInsertions?: number;
  maxInsertions?: number;
  urls?: readonly string[];
  handles?: readonly string[];
}

/**
 * CheckList-style robustness test: irrelevant URLs and @handles scattered between words.
 * A no-op only for blank text (there is no sentence to disturb).
 */
export function checklist(text: string, rng: Rng, options: ChecklistOptions = {}): string {
  if (text.trim() === "") return text;
  const pool = [...(options.urls ?? CHECKLIST_URLS), ...(options.handles ?? CHECKLIST_HANDLES)];
  const n = wordSpans(text).length;
  const k = rng.between(options.minInsertions ?? 2, options.maxInsertions ?? 6);
  const insertions = Array.from({ length: k }, () => ({ boundary: rng.int(n + 1), phrase: rng.pick(pool) }));
  return insertAtBoundaries(text, insertions);
}

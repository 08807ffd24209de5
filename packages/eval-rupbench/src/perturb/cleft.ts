import type { Rng } from "../prng.js";

/*
 * It-clefts and wh-clefts without a parser. The benchmark moved a parsed subject into
 * "It was X that ..." / "Who ... was X"; here a sentence is split at its first finite verb, found
 * from closed word classes (auxiliaries, modals) and a short list of common verbs and -ed forms.
 * Sentences where that fails, or questions led by an auxiliary, are left alone: the
 * generator is a no-op only when no sentence of the text has a subject and verb it can find.
 */

const AUXILIARIES = new Set(
  (
    "is are was were am be been has have had do does did can could will would shall should may might must " +
    "isn't aren't wasn't weren't hasn't haven't hadn't don't doesn't didn't can't couldn't won't wouldn't " +
    "shouldn't mustn't cannot"
  ).split(" "),
);
const PAST_AUXILIARIES = new Set(
  // Modals (could, would, might) are not past tense in use: "It is you that would find ...".
  "was were had did wasn't weren't hadn't didn't".split(" "),
);
const COMMON_VERBS = new Set(
  (
    "has goes makes takes wants needs likes comes gets says sees knows thinks uses finds gives tells works " +
    "seems feels tries leaves calls keeps lets begins shows hears plays runs moves lives believes brings " +
    "happens writes sits stands loses pays meets includes continues learns changes leads understands " +
    "watches follows stops creates speaks reads spends grows opens walks wins offers remembers loves " +
    "considers appears buys waits serves dies sends expects builds stays falls cuts reaches kills remains " +
    "went made took came got saw knew thought found gave told felt left kept began showed heard ran brought " +
    "wrote sat stood lost paid met led understood spoke read spent grew won bought sent built fell cut " +
    "ate drove forgot flew threw wore caught taught sold held"
  ).split(" "),
);
const WH_WORDS = new Set("what who whom whose which where when why how".split(" "));
const DETERMINERS = new Set(
  "the a an this that these those my your his her its our their some many any each every no".split(" "),
);
const PERSONAL = new Set("i you he she we they someone somebody everyone everybody nobody people".split(" "));
const IRREGULAR_PAST = new Set(
  "went made took came got saw knew thought found gave told felt left kept began showed heard ran brought wrote sat stood lost paid met led understood spoke read spent grew won bought sent built fell cut ate drove forgot flew threw wore caught taught sold held".split(
    " ",
  ),
);

const bare = (w: string) => w.toLowerCase().replace(/[^\p{L}']/gu, "");

function isFiniteVerb(word: string): boolean {
  const w = bare(word);
  return AUXILIARIES.has(w) || COMMON_VERBS.has(w) || (w.length > 4 && w.endsWith("ed"));
}

function isPast(word: string): boolean {
  const w = bare(word);
  return PAST_AUXILIARIES.has(w) || IRREGULAR_PAST.has(w) || (w.length > 4 && w.endsWith("ed"));
}

interface Clause {
  subject: string[];
  predicate: string[];
  final: string;
}

/** Splits a declarative sentence at its first finite verb; undefined when that cannot be found. */
function splitClause(sentence: string): Clause | undefined {
  const m = /^(.*?)([.!?]*)$/s.exec(sentence.trim())!;
  const words = m[1].split(/\s+/).filter(Boolean);
  // Declarative-order questions ("... serves as a measure at a what?") still cleft.
  if (words.length < 2) return undefined;
  if (WH_WORDS.has(bare(words[0])) || AUXILIARIES.has(bare(words[0]))) return undefined;
  // A subject longer than this is more likely a missed verb than a real noun phrase.
  const verb = words.findIndex((w, i) => i >= 1 && i <= 8 && isFiniteVerb(w));
  if (verb < 1 || words.slice(0, verb).some((w) => /[,;:]$/.test(w))) return undefined;
  return { subject: words.slice(0, verb), predicate: words.slice(verb), final: m[2] || "." };
}

/** Lower-cases a sentence-initial determiner or pronoun; proper nouns keep their capital. */
function subjectInside(subject: string[]): string {
  const [first, ...rest] = subject;
  const lower = bare(first);
  const inner =
    DETERMINERS.has(lower) || (PERSONAL.has(lower) && lower !== "i") ? first.toLowerCase() : first;
  return [inner, ...rest].join(" ");
}

function isPerson(subject: string[]): boolean {
  const first = bare(subject[0]);
  if (PERSONAL.has(first)) return true;
  return subject.length === 1 && /^\p{Lu}/u.test(subject[0]) && !DETERMINERS.has(first);
}

/** "What does Tracy need?" → "What is it that Tracy does need?": a wh-question's own it-cleft. */
function cleftWhQuestion(sentence: string): string | undefined {
  const m = /^(\S+)\s+(\S+)\s+(.*?)(\?+)\s*$/s.exec(sentence.trim());
  if (!m || !WH_WORDS.has(bare(m[1]))) return undefined;
  const [, wh, second, rest, q] = m;
  if (!AUXILIARIES.has(bare(second))) return `${wh} is it that ${second} ${rest}${q}`;
  const restWords = rest.split(/\s+/);
  if (!PERSONAL.has(bare(restWords[0]))) return undefined;
  const subject = bare(restWords[0]) === "i" ? "I" : restWords[0].toLowerCase();
  const tense = isPast(second) ? "was" : "is";
  return `${wh} ${tense} it that ${subject} ${second.toLowerCase()} ${restWords.slice(1).join(" ")}${q}`.replace(
    /\s+\?/,
    "?",
  );
}

function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?]["')\]]?)(\s+)/);
}

type SentenceRewrite = (sentence: string) => string | undefined;

/** Rewrites one randomly chosen sentence that the rewrite accepts; others stay byte-for-byte. */
function rewriteOneSentence(text: string, rng: Rng, rewrite: SentenceRewrite): string {
  const parts = splitSentences(text);
  const options = parts.flatMap((p, i) => {
    if (i % 2 === 1) return [];
    const r = rewrite(p);
    return r !== undefined && r !== p ? [{ i, r }] : [];
  });
  if (options.length === 0) return text;
  const { i, r } = rng.pick(options);
  const lead = parts[i].match(/^\s*/)![0];
  const trail = parts[i].match(/\s*$/)![0];
  parts[i] = lead + r + trail;
  return parts.join("");
}

/** "Ron started his job." → "It was Ron that started his job." (wh-questions: "What is it that ..."). */
export function itCleft(text: string, rng: Rng): string {
  return rewriteOneSentence(text, rng, (s) => {
    const c = splitClause(s);
    if (!c) return cleftWhQuestion(s);
    const copula = isPast(c.predicate[0]) ? "was" : "is";
    return `It ${copula} ${subjectInside(c.subject)} that ${c.predicate.join(" ")}${c.final}`;
  });
}

/** "Ron started his job." → "Who started his job was Ron." A no-op for texts of questions only. */
export function whCleft(text: string, rng: Rng): string {
  return rewriteOneSentence(text, rng, (s) => {
    const c = splitClause(s);
    if (!c) return undefined;
    const copula = isPast(c.predicate[0]) ? "was" : "is";
    const wh = isPerson(c.subject) ? "Who" : "What";
    return `${wh} ${c.predicate.join(" ")} ${copula} ${subjectInside(c.subject)}${c.final}`;
  });
}

// Hand-written outputs in the styles Llama 3.x models produce on GSM8K, each with the answer a
// person reading it would record (null: the output gives none). Not exported: a test corpus for
// the rules and for the agreement figures quoted in the README.

export interface LabelledOutput {
  /** What the output looks like, for test names. */
  kind: string;
  output: string;
  expected: number | null;
}

const cot = (...lines: string[]) => lines.join("\n");

export const REALISTIC_OUTPUTS: LabelledOutput[] = [
  // Chain of thought in the gsm8k-cot style.
  {
    kind: "cot ends with 'The answer is N.'",
    output:
      "Janet's ducks lay 16 eggs per day. She eats 3 and uses 4 for muffins, so she has 16 - 3 - 4 = 9 left. She sells them for $2 each, so 9 * 2 = 18. The answer is 18.",
    expected: 18,
  },
  {
    kind: "multi-line cot, first line restates one number",
    output: cot(
      "Janet's ducks lay 16 eggs per day.",
      "She uses 3 + 4 = 7 eggs.",
      "She sells 16 - 7 = 9 eggs for $2 each, so 9 * 2 = 18.",
      "The answer is 18.",
    ),
    expected: 18,
  },
  {
    kind: "first line restates one number, final answer in bold",
    output: cot(
      "A robe takes 2 bolts of blue fiber.",
      "It takes half that much white fiber: 2 / 2 = 1 bolt.",
      "",
      "So, in total it takes **3** bolts (2 blue + 1 white).",
    ),
    expected: 3,
  },
  {
    kind: "cot followed by an invented next question",
    output: cot(
      "He buys 3 packs at $4 each, so 3 * 4 = 12 dollars. The answer is 12.",
      "",
      "Question: Mary has 5 apples and eats 2. How many are left?",
      "Answer: Mary has 5 - 2 = 3 apples left. The answer is 3.",
    ),
    expected: 12,
  },
  {
    kind: "cot followed by an invented 'Q:'",
    output: cot(
      "There are 20 - 12 = 8 lollipops given. The answer is 8.",
      "",
      "Q: Tom has 7 cars. He sells 2. How many does he have?",
      "A: 7 - 2 = 5. The answer is 5.",
    ),
    expected: 8,
  },
  {
    kind: "few-shot base model: answer on first line, then a new question",
    output: cot("18", "", "Question: A bakery sells 12 muffins an hour for 8 hours. How many?", "Answer: 96"),
    expected: 18,
  },
  {
    kind: "GSM8K-style calculator annotations and #### line",
    output: cot(
      "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.",
      "She makes 9 * 2 = $<<9*2=18>>18 every day at the farmer's market.",
      "#### 18",
      "",
      "Question: Weng earns $12 an hour for babysitting. Yesterday, she did 50 minutes. How much did she earn?",
      "Answer: 12/60 = $<<12/60=0.2>>0.2 per minute. #### 10",
    ),
    expected: 18,
  },
  {
    kind: "Llama 3.1 instruct steps with boxed final answer",
    output: cot(
      "## Step 1: Calculate the number of eggs Janet uses",
      "Janet eats 3 eggs and bakes with 4, so she uses 3 + 4 = 7 eggs.",
      "",
      "## Step 2: Calculate the eggs she sells",
      "16 - 7 = 9 eggs.",
      "",
      "## Step 3: Calculate her earnings",
      "9 * $2 = $18.",
      "",
      "The final answer is: $\\boxed{18}$",
    ),
    expected: 18,
  },
  {
    kind: "steps, truncated before the final answer",
    output: cot(
      "## Step 1: Find the weekly distance",
      "He runs 3 sprints of 60 meters 3 times a week: 3 * 3 = 9 sprints.",
      "",
      "## Step 2: Multiply",
      "9 * 60 = 540 meters",
    ),
    expected: 540,
  },
  {
    kind: "boxed with a dollar sign and thousands separator",
    output: "The total cost is 1,000 + 200 = 1,200 dollars.\n\nThe final answer is: $\\boxed{\\$1,200}$",
    expected: 1200,
  },
  { kind: "boxed with trailing period", output: "So he has $\\boxed{18.}$ left", expected: 18 },
  { kind: "boxed with a space", output: "Therefore the answer is \\boxed {42}.", expected: 42 },
  { kind: "boxed fraction", output: "She drinks $\\boxed{\\frac{3}{4}}$ of a gallon.", expected: 0.75 },
  { kind: "boxed dfrac shorthand", output: "The ratio is $\\boxed{\\dfrac34}$", expected: 0.75 },
  { kind: "boxed text unit", output: "$\\boxed{35 \\text{ minutes}}$", expected: 35 },
  { kind: "boxed equation", output: "Solving, $\\boxed{x = 15}$.", expected: 15 },
  { kind: "boxed LaTeX thousands", output: "She saves $\\boxed{12{,}500}$ dollars.", expected: 12500 },
  { kind: "boxed percent", output: "The discount is $\\boxed{25\\%}$.", expected: 25 },
  {
    kind: "first boxed empty, later boxed numeric",
    output: "The answer goes in \\boxed{}.\n\nSo we get $\\boxed{64}$.",
    expected: 64,
  },
  {
    kind: "unclosed boxed from truncation",
    output: "So 4 * 12 = 48 eggs in total. The final answer is: $\\boxed{48",
    expected: 48,
  },
  { kind: "bare number", output: "18", expected: 18 },
  { kind: "bare money", output: "$18.00", expected: 18 },
  { kind: "bare number with unit", output: "18 dollars", expected: 18 },
  {
    kind: "bold bare number then explanation",
    output: "**$18**\n\nJanet has 16 - 3 - 4 = 9 eggs at $2 each.",
    expected: 18,
  },
  { kind: "answer line then repetition", output: "The answer is 18. 18", expected: 18 },
  { kind: "degenerate repetition tail", output: `The answer is 18.${" 18.".repeat(200)}`, expected: 18 },
  { kind: "degenerate repetition, truncated mid-number", output: `18.${" 18.".repeat(60)} 1`, expected: 18 },
  {
    kind: "repeated answer sentence, truncated mid-number",
    output: "She has 32 + 42 - 35 = 39 left. The answer is 39. The answer is 39. The answer is 3",
    expected: 39,
  },
  {
    kind: "two answer sentences, second truncated",
    output: "In total 120 / 4 = 30 minutes. The answer is 30.\nThe answer is 3",
    expected: 30,
  },
  {
    kind: "self-correction",
    output:
      "He has 5 + 3 = 8 toys. The answer is 8. Wait, he got 2 toys from each parent, that is 4 toys, so 5 + 4 = 9. The correct answer is 9.",
    expected: 9,
  },
  {
    kind: "answer cue then arithmetic",
    output: "The answer is 16 - 3 - 4 = 9 eggs, times $2 = $18.",
    expected: 18,
  },
  { kind: "answer cue with words", output: "Shawn now has nine toys. The answer is nine.", expected: 9 },
  { kind: "answer cue on its own line", output: "Final Answer:\n\n$540", expected: 540 },
  { kind: "markdown answer label", output: "**Answer**: **42** cookies", expected: 42 },
  { kind: "answer cue lower case, no colon", output: "so the final answer is 3/4", expected: 0.75 },
  {
    kind: "negative answer",
    output: "The change in temperature is 5 - 12 = -7 degrees. The answer is -7.",
    expected: -7,
  },
  { kind: "unicode minus", output: "The balance is \u221215 dollars.", expected: -15 },
  { kind: "percent", output: "He got 45 of 60 right, which is 45 / 60 * 100 = 75%.", expected: 75 },
  {
    kind: "millions",
    output: "The house sold for 1,500,000 dollars after the increase. The answer is 1,500,000.",
    expected: 1500000,
  },
  { kind: "scale word", output: "So the company earned 2.5 million dollars.", expected: 2500000 },
  { kind: "decimal money", output: "Each cookie costs 6 / 8 = $0.75. The answer is $0.75.", expected: 0.75 },
  { kind: "number glued to unit", output: "The total weight is 3 * 6 = 18kg.", expected: 18 },
  { kind: "mixed number", output: "She walked for 2 1/2 hours in total.", expected: 2.5 },
  { kind: "words only", output: "She has two hundred stamps now.", expected: 200 },
  { kind: "no answer", output: "I'm sorry, I cannot help with that request.", expected: null },
  { kind: "empty output", output: "", expected: null },
  {
    kind: "closing bold total with operands after it",
    output: cot(
      "Each bag holds 12 apples and there are 5 bags.",
      "",
      "Therefore, there are **60 apples** in total (12 apples × 5 bags).",
    ),
    expected: 60,
  },
  {
    kind: "markdown heading with #### is not a cue",
    output: cot("#### Step 1", "There are 4 * 7 = 28 days.", "#### Step 2", "28 * 2 = 56 hours in total."),
    expected: 56,
  },
  {
    kind: "numbered list first line",
    output: cot(
      "1. Tom buys 3 shirts at $12 each: 3 * 12 = 36.",
      "2. He pays with $50: 50 - 36 = 14.",
      "He gets $14 back.",
    ),
    expected: 14,
  },
  {
    kind: "first line restates the question's numbers",
    output: cot(
      "Carla is downloading a 200 GB file at 2 GB/minute.",
      "Downloading 40% takes 200 * 0.4 / 2 = 40 minutes, then a 20 minute restart, then 200 / 2 = 100 minutes.",
      "The answer is 40 + 20 + 100 = 160.",
    ),
    expected: 160,
  },
  {
    kind: "chat output leaking the end-of-turn token",
    output:
      "She needs 3 * 4 = 12 cups. The answer is 12.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnd for 5 people? 20",
    expected: 12,
  },
  {
    kind: "first line answer with question-like continuation",
    output: cot("The answer is 25.", "", "Explanation: 100 / 4 = 25 students per class, 4 classes."),
    expected: 25,
  },
  {
    kind: "first line is a header ending with a colon",
    output: cot(
      "Step 1:",
      "He earns 10 * 40 = 400 dollars.",
      "Step 2:",
      "400 + 150 = 550. The answer is 550.",
    ),
    expected: 550,
  },
  {
    kind: "thousand separators in the answer sentence",
    output: "Over 5 years he saves 5 * 12,000 = 60,000 dollars.\nThe answer is $60,000.",
    expected: 60000,
  },
  {
    kind: "answer with a trailing note",
    output: "So John needs 7 more boxes. The answer is 7.\n\nNote: this assumes each box holds 12 items.",
    expected: 7,
  },
  {
    kind: "first line with an equation restating numbers",
    output: cot("16 - 3 - 4 = 9", "9 * 2 = 18"),
    expected: 18,
  },
  {
    kind: "first line states the answer with a unit, rest explains",
    output: cot("$18 per day", "", "Janet has 16 eggs, uses 7, sells 9 at $2."),
    expected: 18,
  },
  {
    kind: "time answer in hours",
    output: "It takes him 3 hours to read 90 pages at 30 pages per hour. The answer is 3 hours.",
    expected: 3,
  },
];

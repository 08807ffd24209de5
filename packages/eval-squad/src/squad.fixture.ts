/** A small hand-made file in the SQuAD v1.1 layout: two articles, three paragraphs, five questions. */
export const TINY_SQUAD = {
  version: "1.1",
  data: [
    {
      title: "Super_Bowl_50",
      paragraphs: [
        {
          context: "Super Bowl 50 was won by the Denver Broncos, who beat the Carolina Panthers 24 to 10.",
          qas: [
            {
              id: "q1",
              question: "Which team won Super Bowl 50?",
              answers: [
                { answer_start: 26, text: "the Denver Broncos" },
                { answer_start: 30, text: "Denver Broncos" },
              ],
            },
            { id: "q2", question: "Who lost?", answers: [{ answer_start: 54, text: "Carolina Panthers" }] },
          ],
        },
        {
          context: "The game was played in Santa Clara, California.",
          qas: [
            {
              id: "q3",
              question: "Where was the game played?",
              answers: [{ answer_start: 23, text: "Santa Clara" }],
            },
          ],
        },
      ],
    },
    {
      title: "Paris",
      paragraphs: [
        {
          context: "Paris is the capital of France.",
          qas: [
            {
              id: "q4",
              question: "What is the capital of France?",
              answers: [{ answer_start: 0, text: "Paris" }],
            },
            {
              id: "q5",
              question: "Paris is the capital of which country?",
              answers: [{ answer_start: 24, text: "France" }],
            },
          ],
        },
      ],
    },
  ],
};

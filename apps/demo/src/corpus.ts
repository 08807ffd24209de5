/** The bundled default text the demo trains on (written for this project; no download needed). */
export const CORPUS = `Large language models are expensive to run. Every weight is read from memory for every token, so a
model that is half the size is close to twice as fast on the same machine. Compression makes a model
smaller: quantization stores each weight in fewer bits, sparsity removes weights or whole blocks of
them, and distillation trains a small student to imitate a large teacher. Each method has a cost, and
the cost is measured, not guessed: accuracy on grade school math, robustness when the question is
perturbed, perplexity on held out text, and the exact match of extracted answers.
Quantization with GPTQ rounds one column of a weight matrix at a time and corrects the columns that
remain, using the inverse Hessian of the layer's inputs, so the error of one rounding is spread where
it hurts least. Round to nearest is the baseline it must beat. Four bits per weight keep most of the
accuracy; three bits keep less; two bits need care.
Grouped layers split a dense matrix into blocks on the diagonal and add a low rank correction, so the
layer keeps most of what it computed with a fraction of the weights. Each new layer is first fitted to
the outputs of the layer it replaces, and then the whole student is trained with the teacher's logits.
Distillation compares the student's distribution with the teacher's: forward KL, reverse KL, the
Jensen Shannon divergence, skew KL, or total variation, at a temperature that softens both.
The answer is only as good as the number extracted from the text. If the model writes the answer is
18, then 18 is the answer; if it writes a box around 18, the box wins; if it repeats itself forever,
the first clear statement still counts.
`;

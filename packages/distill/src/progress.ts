/** Throughput and time left, from the optimizer steps this process has run (not resumed ones). */
import type { EvalResult } from "./evaluate.js";

export interface Progress {
  step: number;
  totalSteps: number;
  /** Fractional epochs done. */
  epoch: number;
  /** Mean loss over the step's micro-batches. */
  loss: number;
  lr: number;
  /** Student tokens read since the run began (resumed runs included). */
  tokens: number;
  /** Student tokens per second of training (evaluation and checkpoints excluded). */
  tokensPerSecond: number;
  /** Seconds left at this run's pace; null before the first step is timed. */
  etaSeconds: number | null;
  /** Present on steps that evaluated. */
  eval?: EvalResult;
  /** Present on steps that wrote a checkpoint. */
  checkpoint?: string;
}

export class Throughput {
  private seconds = 0;
  private tokens = 0;
  private steps = 0;

  add(seconds: number, tokens: number): void {
    this.seconds += seconds;
    this.tokens += tokens;
    this.steps++;
  }

  get tokensPerSecond(): number {
    return this.seconds > 0 ? this.tokens / this.seconds : 0;
  }

  get trainSeconds(): number {
    return this.seconds;
  }

  eta(stepsLeft: number): number | null {
    return this.steps > 0 ? (this.seconds / this.steps) * stepsLeft : null;
  }
}

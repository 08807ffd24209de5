export interface Progress {
  done: number;
  total: number;
  /** Items finished in this session per second (resumed items do not inflate it). */
  itemsPerSecond: number;
  /** Seconds left at the current rate; null until a rate is known. */
  etaSeconds: number | null;
}

export type ProgressCallback = (p: Progress) => void;

/** Measures rate and ETA from the items this session has finished. */
export class ProgressMeter {
  private readonly startedAt: number;
  private readonly resumed: number;

  constructor(
    private readonly total: number,
    private done: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
    this.resumed = done;
  }

  advance(n: number): Progress {
    this.done += n;
    const seconds = (this.now() - this.startedAt) / 1000;
    const fresh = this.done - this.resumed;
    const itemsPerSecond = seconds > 0 ? fresh / seconds : 0;
    const etaSeconds = itemsPerSecond > 0 ? (this.total - this.done) / itemsPerSecond : null;
    return { done: this.done, total: this.total, itemsPerSecond, etaSeconds };
  }
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

/** "squad 1200/10570 (11.4%) 4.10 questions/s ETA 6m15s" */
export function formatProgress(p: Progress, label = "squad"): string {
  const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : "100.0";
  return `${label} ${p.done}/${p.total} (${pct}%) ${p.itemsPerSecond.toFixed(2)} questions/s ETA ${duration(p.etaSeconds)}`;
}

/** A progress callback that writes one line per update to stderr. */
export function stderrProgress(label = "squad"): ProgressCallback {
  return (p) => process.stderr.write(`${formatProgress(p, label)}\n`);
}

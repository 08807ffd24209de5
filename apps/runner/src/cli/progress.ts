/**
 * Progress lines for long work: step i/n, rate, ETA. On a terminal the line is redrawn in place;
 * in logs (CI) one line is printed every `everyMs`.
 */
export interface ProgressReporter {
  update(done: number, extra?: string): void;
  finish(extra?: string): void;
}

export function progress(label: string, total: number, unit = "it", everyMs = 2000): ProgressReporter {
  const start = performance.now();
  let last = 0;
  const tty = process.stderr.isTTY === true;
  const line = (done: number, extra?: string) => {
    const secs = (performance.now() - start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const pct = total > 0 ? ((100 * done) / total).toFixed(0) : "?";
    return `${label} ${done}/${total} (${pct}%) ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s eta ${Number.isFinite(eta) ? eta.toFixed(0) : "?"} s${extra ? `  ${extra}` : ""}`;
  };
  return {
    update(done, extra) {
      const now = performance.now();
      if (!tty && now - last < everyMs && done < total) return;
      last = now;
      if (tty) process.stderr.write(`\r${line(done, extra)}\x1b[K`);
      else process.stderr.write(`${line(done, extra)}\n`);
    },
    finish(extra) {
      const secs = ((performance.now() - start) / 1000).toFixed(1);
      process.stderr.write(
        `${tty ? "\r" : ""}${label} done in ${secs} s${extra ? `  ${extra}` : ""}${tty ? "\x1b[K" : ""}\n`,
      );
    },
  };
}

/**
 * Small, dependency-free SVG charts for reports: lines (accuracy vs bits, loss curves), grouped
 * bars (robustness per perturbation) and a heat-map (sensitivity, layers × sub-modules).
 */
const W = 640;
const H = 360;
const M = { left: 60, right: 140, top: 36, bottom: 48 };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmtTick = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi === lo) return [lo];
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(14 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    body,
    "</svg>",
  ].join("\n");
}

export interface Series {
  name: string;
  points: [number, number][];
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return frame(title, xLabel, yLabel, "");
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  for (const t of ticks(x0, x1, Math.min(5, new Set(xs).size - 1 || 1))) {
    parts.push(`<text x="${px(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
  );
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    parts.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x)},${py(y)}`).join(" ")}"/>`,
    );
    for (const [x, y] of pts) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${c}"/>`);
    parts.push(`<rect x="${W - M.right + 10}" y="${M.top + i * 18}" width="10" height="10" fill="${c}"/>`);
    parts.push(`<text x="${W - M.right + 26}" y="${M.top + i * 18 + 9}">${esc(s.name)}</text>`);
  });
  return frame(title, xLabel, yLabel, parts.join("\n"));
}

export function barChart(title: string, yLabel: string, categories: string[], series: Series[]): string {
  // series[i].points[j] = [category index, value]
  const vals = series.flatMap((s) => s.points.map((p) => p[1]));
  const y1 = Math.max(0, ...vals) || 1;
  const y0 = Math.min(0, ...vals);
  const plotW = W - M.left - M.right;
  const groupW = plotW / Math.max(categories.length, 1);
  const barW = (groupW * 0.8) / Math.max(series.length, 1);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  categories.forEach((c, j) => {
    const x = M.left + j * groupW + groupW / 2;
    parts.push(
      `<text x="${x}" y="${H - M.bottom + 14}" text-anchor="end" transform="rotate(-30 ${x} ${H - M.bottom + 14})" font-size="10">${esc(c)}</text>`,
    );
  });
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    for (const [j, v] of s.points) {
      const x = M.left + j * groupW + groupW * 0.1 + i * barW;
      parts.push(
        `<rect x="${x}" y="${Math.min(py(v), py(0))}" width="${barW}" height="${Math.abs(py(v) - py(0))}" fill="${color}"/>`,
      );
    }
    parts.push(
      `<rect x="${W - M.right + 10}" y="${M.top + i * 18}" width="10" height="10" fill="${color}"/>`,
    );
    parts.push(`<text x="${W - M.right + 26}" y="${M.top + i * 18 + 9}">${esc(s.name)}</text>`);
  });
  return frame(title, "", yLabel, parts.join("\n"));
}

/** rows × cols of values; NaN cells are left blank. Darker = larger. */
export function heatMap(title: string, rows: string[], cols: string[], values: number[][]): string {
  const flat = values.flat().filter((v) => Number.isFinite(v));
  const lo = Math.min(...flat, 0);
  const hi = Math.max(...flat, lo + 1e-12);
  const cw = (W - M.left - M.right) / Math.max(cols.length, 1);
  const ch = (H - M.top - M.bottom) / Math.max(rows.length, 1);
  const parts: string[] = [];
  rows.forEach((r, i) => {
    parts.push(
      `<text x="${M.left - 6}" y="${M.top + i * ch + ch / 2 + 4}" text-anchor="end" font-size="10">${esc(r)}</text>`,
    );
    cols.forEach((_, j) => {
      const v = values[i]?.[j];
      if (v === undefined || !Number.isFinite(v)) return;
      const t = (v - lo) / (hi - lo);
      const shade = Math.round(255 * (1 - t));
      parts.push(
        `<rect x="${M.left + j * cw}" y="${M.top + i * ch}" width="${cw}" height="${ch}" fill="rgb(255,${shade},${shade})" stroke="#fff"><title>${esc(`${r} / ${cols[j]}: ${v}`)}</title></rect>`,
      );
    });
  });
  cols.forEach((c, j) => {
    const x = M.left + j * cw + cw / 2;
    parts.push(
      `<text x="${x}" y="${H - M.bottom + 14}" text-anchor="end" transform="rotate(-30 ${x} ${H - M.bottom + 14})" font-size="10">${esc(c)}</text>`,
    );
  });
  parts.push(`<text x="${W - M.right + 10}" y="${M.top + 10}">min ${fmtTick(lo)}</text>`);
  parts.push(`<text x="${W - M.right + 10}" y="${M.top + 28}">max ${fmtTick(hi)}</text>`);
  return frame(title, "", "", parts.join("\n"));
}

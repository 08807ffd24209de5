/*
 * A minimal SVG writer: elements from tag, attributes and children, text escaped. Enough for
 * heat-maps and line plots without a plotting dependency.
 */

export type SvgNode = string;

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function el(tag: string, attrs: Record<string, string | number>, children: SvgNode[] = []): SvgNode {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(typeof v === "number" ? round(v) : v))}"`)
    .join("");
  return children.length ? `<${tag}${a}>${children.join("")}</${tag}>` : `<${tag}${a}/>`;
}

export function text(x: number, y: number, s: string, attrs: Record<string, string | number> = {}): SvgNode {
  return el("text", { x, y, "font-family": "sans-serif", "font-size": 11, ...attrs }, [escapeXml(s)]);
}

export function svgDocument(width: number, height: number, children: SvgNode[]): string {
  return `${el(
    "svg",
    { xmlns: "http://www.w3.org/2000/svg", width, height, viewBox: `0 0 ${width} ${height}` },
    [el("rect", { width, height, fill: "white" }), ...children],
  )}\n`;
}

/** White (t = 0) to red (t = 1); values outside [0, 1] are clamped. */
export function heatColor(t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const gb = Math.round(255 * (1 - u));
  return `rgb(255,${gb},${gb})`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export interface HeatmapInput {
  title: string;
  rowLabels: string[];
  colLabels: string[];
  /** values[r][c]; NaN draws an empty (grey) cell. */
  values: number[][];
  format?: (v: number) => string;
}

/** A heat-map: one cell per (row, column), colour scaled to the largest value, the value printed. */
export function heatmapSvg(h: HeatmapInput): string {
  const cell = { w: 90, h: 28 };
  const left = 70;
  const top = 60;
  const fmt = h.format ?? ((v: number) => v.toFixed(3));
  const finite = h.values.flat().filter(Number.isFinite);
  const max = Math.max(1e-12, ...finite.map((v) => Math.abs(v)));
  const nodes: SvgNode[] = [text(10, 20, h.title, { "font-size": 14, "font-weight": "bold" })];
  h.colLabels.forEach((c, j) => {
    nodes.push(text(left + j * cell.w + cell.w / 2, top - 8, c, { "text-anchor": "middle" }));
  });
  h.rowLabels.forEach((r, i) => {
    const y = top + i * cell.h;
    nodes.push(text(left - 8, y + cell.h / 2 + 4, r, { "text-anchor": "end" }));
    h.colLabels.forEach((_, j) => {
      const v = h.values[i]?.[j] ?? Number.NaN;
      const x = left + j * cell.w;
      const fill = Number.isFinite(v) ? heatColor(Math.max(0, v) / max) : "#eeeeee";
      nodes.push(el("rect", { x, y, width: cell.w, height: cell.h, fill, stroke: "#999999" }));
      if (Number.isFinite(v))
        nodes.push(text(x + cell.w / 2, y + cell.h / 2 + 4, fmt(v), { "text-anchor": "middle" }));
    });
  });
  const width = left + h.colLabels.length * cell.w + 20;
  const height = top + h.rowLabels.length * cell.h + 20;
  return svgDocument(width, height, nodes);
}

/**
 * @module A schematic SVG of the MW75's electrodes: two ear cups, six dots around each cushion (ch1–6 left,
 * ch7–12 right, the headset's own grouping). No source maps channels to positions, so the placement is
 * illustrative, not a measured montage (the page says so under the map).
 */

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 300;
const HEIGHT = 150;
/** The cushion ring's centre line: dots sit on it. */
const RX = 52;
const RY = 56;
const PER_CUP = 6;

function node<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Where dot `k` (0–5) of a cup centred at (cx, cy) goes; the right cup runs mirrored, as seen from behind. */
export function dotPosition(
  cx: number,
  cy: number,
  k: number,
  mirrored: boolean,
): [number, number] {
  const angle = -Math.PI / 2 + (k * 2 * Math.PI) / PER_CUP;
  const dx = RX * Math.cos(angle);
  return [cx + (mirrored ? -dx : dx), cy + RY * Math.sin(angle)];
}

/** Draws the map into `host` and returns one `<g>` per channel (index ch − 1), each with a circle and a title. */
export function electrodeMap(host: HTMLElement): SVGGElement[] {
  const svg = node("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    role: "img",
    "aria-label": "schematic electrode map: left cup ch1–6, right cup ch7–12",
  });
  const dots: SVGGElement[] = [];
  for (const [cup, cx, side] of [[0, 75, "L"], [1, 225, "R"]] as const) {
    const cy = HEIGHT / 2;
    svg.append(
      node("ellipse", { cx, cy, rx: RX, ry: RY, class: "cushion" }),
      node("text", { x: cx, y: cy - 2, class: "side" }, side),
      node("text", { x: cx, y: cy + 14, class: "group" }, `ch${cup * 6 + 1}–${cup * 6 + 6}`),
    );
    for (let k = 0; k < PER_CUP; k++) {
      const ch = cup * PER_CUP + k + 1;
      const [x, y] = dotPosition(cx, cy, k, cup === 1);
      const g = node("g", { "data-ch": ch, "data-quality": "none" });
      g.append(
        node("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 11 }),
        node("text", { x: x.toFixed(1), y: (y + 4).toFixed(1) }, String(ch)),
        node("title", {}, `ch${ch}`),
      );
      svg.append(g);
      dots.push(g);
    }
  }
  host.replaceChildren(svg);
  return dots;
}

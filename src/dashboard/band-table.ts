/**
 * @module The band-power table from the server's `metrics` stream: delta … gamma per channel, absolute
 * (µV²) or relative (% of the 1–45 Hz power) as the unit select says. The page computes no bands itself.
 */
import { BAND_NAMES } from "../protocol/metrics.ts";
import type { MetricsData } from "../protocol/metrics.ts";
import { COLOURS } from "./analysis.ts";
import { CHANNELS } from "./plot.ts";

const HEAD: Record<(typeof BAND_NAMES)[number], string> = {
  delta: "δ 1–4",
  theta: "θ 4–8",
  alpha: "α 8–13",
  beta: "β 13–30",
  gamma: "γ 30–45",
};

/** µV² with about three significant digits, without exponent notation for EEG-sized values. */
function absolute(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Renders #bands from the last message; `#band-unit` switches absolute and relative. */
export class BandTable {
  #last: MetricsData | null = null;

  constructor(private readonly el: (id: string) => HTMLElement) {
    el("band-unit").addEventListener("change", () => this.#render());
    this.#render();
  }

  /** Empties the table (another device was chosen). */
  reset(): void {
    this.#last = null;
    this.#render();
  }

  update(m: MetricsData): void {
    this.#last = m;
    this.#render();
  }

  #render(): void {
    const relative = (this.el("band-unit") as HTMLSelectElement).value === "relative";
    const rows = [`<tr><th></th>${BAND_NAMES.map((b) => `<th>${HEAD[b]}</th>`).join("")}</tr>`];
    for (let ch = 1; ch <= CHANNELS; ch++) {
      const c = this.#last?.channels[`ch${ch}`];
      const cells = BAND_NAMES.map((b) => {
        const v = relative ? c?.relative[b] : c?.band_power[b];
        const text = v === null || v === undefined
          ? "–"
          : relative
          ? `${(v * 100).toFixed(1)}`
          : absolute(v);
        return `<td data-band="${b}">${text}</td>`;
      });
      rows.push(
        `<tr data-ch="${ch}"><td style="color:${COLOURS[(ch - 1) % COLOURS.length]}">ch${ch}</td>${
          cells.join("")
        }</tr>`,
      );
    }
    this.el("bands").innerHTML = rows.join("");
  }
}

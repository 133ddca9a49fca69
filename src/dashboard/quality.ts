/**
 * @module The dashboard's contact-quality view from the server's `metrics` stream: per channel the level
 * as a colour (table, plot label, electrode map) and in words, RMS, peak, what limits it; REF/DRL readouts.
 */
import { QUALITY_SENTENCES } from "../protocol/metrics.ts";
import type { ChannelMetricsData, MetricsData } from "../protocol/metrics.ts";
import { electrodeMap } from "./electrode-map.ts";
import { CHANNELS } from "./plot.ts";

/** With no message for this long the view is marked stale (a stopped device sends none). */
const STALE_MS = 3000;

function fixed(v: number | null, digits: number): string {
  return v === null ? "–" : v.toFixed(digits);
}

/** The last finite value of `plane`, or null. */
function lastFinite(plane: Float32Array | undefined): number | null {
  if (plane === undefined) return null;
  for (let i = plane.length - 1; i >= 0; i--) if (Number.isFinite(plane[i])) return plane[i]!;
  return null;
}

/** Owns #quality (table), #electrode-map, #ref-value/#drl-value and #metrics-status, and the plot labels' colours. */
export class QualityView {
  /** The last message shown (tests and the band table read it), null before the first. */
  last: MetricsData | null = null;
  /** Messages shown since the page loaded. */
  received = 0;
  #at = 0;
  #ref: number | null = null;
  #drl: number | null = null;
  readonly #rows: HTMLTableRowElement[] = [];
  readonly #dots: SVGElement[];

  constructor(private readonly el: (id: string) => HTMLElement) {
    const table = el("quality") as HTMLTableElement;
    table.innerHTML =
      `<tr><th>ch</th><th>level</th><th>RMS µV</th><th>peak Hz</th><th>what limits it</th></tr>`;
    for (let ch = 1; ch <= CHANNELS; ch++) {
      const tr = table.insertRow();
      tr.dataset["ch"] = String(ch);
      tr.innerHTML =
        `<td class="chl">ch${ch}</td><td class="lvl">–</td><td class="num rms">–</td><td class="num peak">–</td><td class="why"></td>`;
      this.#rows.push(tr);
    }
    this.#dots = electrodeMap(el("electrode-map"));
    this.status("waiting for metrics…");
    setInterval(() => this.#tick(), 250);
  }

  /** Shows a message: level, words and numbers per channel. */
  update(m: MetricsData): void {
    this.last = m;
    this.received++;
    this.#at = performance.now();
    for (let ch = 1; ch <= CHANNELS; ch++) this.#channel(ch, m.channels[`ch${ch}`]);
    const t = new Date(m.timestamp * 1000).toISOString().slice(11, 19);
    this.status(`${m.window_s} s window at ${m.sample_rate} Hz, up to ${t} UTC`);
  }

  /** Forgets everything shown (another device was chosen). */
  reset(): void {
    this.last = null;
    this.#at = 0;
    this.#ref = this.#drl = null;
    for (let ch = 1; ch <= CHANNELS; ch++) this.#channel(ch, undefined);
    this.status("waiting for metrics…");
  }

  /** Keeps the latest REF/DRL values of an `eeg_batch` (shown 4×/s, not per batch). */
  refDrl(ref: Float32Array | undefined, drl: Float32Array | undefined): void {
    this.#ref = lastFinite(ref) ?? this.#ref;
    this.#drl = lastFinite(drl) ?? this.#drl;
  }

  /** The line beside the heading (an error in red). */
  status(text: string, error = false): void {
    const s = this.el("metrics-status");
    s.textContent = text;
    s.className = error ? "error" : "";
  }

  #channel(ch: number, c: ChannelMetricsData | undefined): void {
    const level = c?.quality ?? "none";
    const tr = this.#rows[ch - 1]!;
    tr.dataset["quality"] = level;
    const cell = (cls: string) => tr.querySelector(`.${cls}`)!;
    cell("lvl").textContent = c?.quality ?? "–";
    cell("rms").textContent = fixed(c?.rms_uv ?? null, 1);
    cell("peak").textContent = fixed(c?.peak_hz ?? null, 1);
    const why = c?.quality_reason ? QUALITY_SENTENCES[c.quality_reason] : "";
    cell("why").textContent = c?.quality === "good" ? "" : why;
    const dot = this.#dots[ch - 1]!;
    dot.dataset["quality"] = level;
    dot.querySelector("title")!.textContent = c === undefined
      ? `ch${ch}`
      : `ch${ch}: ${c.quality}${why === "" ? "" : ` — ${why}`}`;
    const label = document.querySelector<HTMLElement>(`#labels div[data-ch="${ch}"]`);
    if (label !== null) {
      label.dataset["quality"] = level;
      label.title = c === undefined ? "" : `${c.quality}${why === "" ? "" : `: ${why}`}`;
    }
  }

  #tick(): void {
    const stale = this.#at > 0 && performance.now() - this.#at > STALE_MS;
    this.el("quality-view").classList.toggle("stale", stale);
    // the plot labels' stripes and the band table show the same old figures: marked too
    document.body.classList.toggle("metrics-stale", stale);
    for (const [id, x] of [["ref-value", this.#ref], ["drl-value", this.#drl]] as const) {
      const text = x === null ? "–" : x.toFixed(2);
      const span = this.el(id);
      if (span.textContent !== text) span.textContent = text;
    }
  }
}

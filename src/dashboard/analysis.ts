/** @module The dashboard's spectrum panel and display-filter controls, wired to the stacked plot. */
import { DisplayFilter } from "./display-filter.ts";
import type { FilterSettings } from "./display-filter.ts";
import { CHANNELS } from "./plot.ts";
import type { StackedPlot } from "./plot.ts";
import { bandPower, drawSpectra, pow2Below, psd } from "./spectrum.ts";
import type { ChannelSpectrum } from "./spectrum.ts";

/** The spectrum lines' colours by channel (the band table's channel names double as their legend). */
export const COLOURS = [
  "#1f5fa8",
  "#c0392b",
  "#27ae60",
  "#8e44ad",
  "#d35400",
  "#16a085",
  "#2c3e50",
  "#f39c12",
  "#7f8c8d",
  "#e84393",
  "#0984e3",
  "#6c5ce7",
];

/** Owns the display filter and refreshes the spectrum ~2×/s; `restart` re-subscribes the plot after a filter change. */
export class Analysis {
  readonly filter = new DisplayFilter();
  updates = 0;
  /** The filter settings and rate the last spectrum was computed with (tests compare spectra before and after a change). */
  spectrumOf: FilterSettings & { rateHz: number } = { notchHz: 0, bandPass: false, rateHz: 0 };
  #spectra: ChannelSpectrum[] = [];

  constructor(
    private readonly plot: StackedPlot,
    private readonly el: (id: string) => HTMLElement,
    restart: () => void,
  ) {
    const changed = () => {
      this.filter.configure(this.settingsFromUi(), this.plot.rate);
      restart();
    };
    el("notch").addEventListener("change", changed);
    el("bandpass").addEventListener("change", changed);
    setInterval(() => this.update(), 500);
  }

  private settingsFromUi(): FilterSettings {
    const notch = Number((this.el("notch") as HTMLSelectElement).value);
    return {
      notchHz: notch === 50 || notch === 60 ? notch : 0,
      bandPass: (this.el("bandpass") as HTMLInputElement).checked,
    };
  }

  /** Call after `plot.reset`: the filters start over at the plot's rate. */
  reset(): void {
    this.filter.configure(this.settingsFromUi(), this.plot.rate);
  }

  /** Mean band power (µV²) over the channels in [lo, hi] Hz from the last spectrum, NaN before the first. */
  power(lo: number, hi: number): number {
    if (this.#spectra.length === 0) return NaN;
    let sum = 0;
    for (const s of this.#spectra) sum += bandPower(s.psd, this.spectrumOf.rateHz, lo, hi);
    return sum / this.#spectra.length;
  }

  /**
   * Computes a PSD per channel over the last 2–4 s on the plot and draws it. The band-power table comes
   * from the server's `metrics` stream (band-table.ts): this spectrum sees the display filters, that one
   * the data as streamed.
   */
  update(): void {
    const rate = this.plot.rate;
    if (rate <= 0 || this.plot.samples < rate * 2) return;
    const n = pow2Below(Math.min(rate * 4, this.plot.samples));
    const spectra: ChannelSpectrum[] = [];
    for (let ch = 1; ch <= CHANNELS; ch++) {
      spectra.push({ ch, psd: psd(this.plot.recent(ch, n), rate) });
    }
    this.#spectra = spectra;
    this.spectrumOf = { ...this.filter.settings, rateHz: rate };
    this.updates++;
    drawSpectra(this.el("spectrum") as HTMLCanvasElement, spectra, rate, COLOURS);
  }
}

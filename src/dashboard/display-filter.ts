/** @module Display-only filters: biquad IIR notch (50/60 Hz) and 1–40 Hz band-pass per channel; recorded data are untouched. */

/** One RBJ biquad section (direct form I) with its own state. */
class Biquad {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  constructor(
    private readonly b0: number,
    private readonly b1: number,
    private readonly b2: number,
    private readonly a1: number,
    private readonly a2: number,
  ) {}

  static make(
    kind: "notch" | "highpass" | "lowpass",
    f0: number,
    rateHz: number,
    q: number,
  ): Biquad {
    const w = (2 * Math.PI * f0) / rateHz, cw = Math.cos(w), alpha = Math.sin(w) / (2 * q);
    const a0 = 1 + alpha;
    const [b0, b1, b2] = kind === "notch"
      ? [1, -2 * cw, 1]
      : kind === "highpass"
      ? [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
      : [(1 - cw) / 2, 1 - cw, (1 - cw) / 2];
    return new Biquad(b0 / a0, b1 / a0, b2 / a0, (-2 * cw) / a0, (1 - alpha) / a0);
  }

  step(x: number): number {
    if (!Number.isFinite(x)) return x;
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 -
      this.a2 * this.y2;
    this.x2 = this.x1, this.x1 = x, this.y2 = this.y1, this.y1 = y;
    return y;
  }
}

export interface FilterSettings {
  /** 0 = off, else the mains frequency in Hz. */
  notchHz: 0 | 50 | 60;
  bandPass: boolean;
}

/** A chain of biquads per channel, rebuilt whenever the settings or the rate change. */
export class DisplayFilter {
  private chains = new Map<number, Biquad[]>();
  private rateHz = 0;
  settings: FilterSettings = { notchHz: 0, bandPass: false };

  /** Starts over (new settings or rate): forgets every channel's state. */
  configure(settings: FilterSettings, rateHz: number): void {
    this.settings = settings;
    this.rateHz = rateHz;
    this.chains.clear();
  }

  get active(): boolean {
    return this.settings.notchHz !== 0 || this.settings.bandPass;
  }

  private chain(ch: number): Biquad[] {
    let c = this.chains.get(ch);
    if (c === undefined) {
      c = [];
      const nyq = this.rateHz / 2;
      if (this.settings.notchHz !== 0 && this.settings.notchHz < nyq) {
        c.push(Biquad.make("notch", this.settings.notchHz, this.rateHz, 30));
      }
      if (this.settings.bandPass) {
        c.push(Biquad.make("highpass", 1, this.rateHz, Math.SQRT1_2));
        if (40 < nyq * 0.95) c.push(Biquad.make("lowpass", 40, this.rateHz, Math.SQRT1_2));
      }
      this.chains.set(ch, c);
    }
    return c;
  }

  /** Filtered copies of the batch's channels (the input arrays are not modified). */
  apply(channels: ReadonlyMap<number, Float32Array>): ReadonlyMap<number, Float32Array> {
    if (!this.active || this.rateHz <= 0) return channels;
    const out = new Map<number, Float32Array>();
    for (const [ch, values] of channels) {
      const c = this.chain(ch);
      const y = new Float32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        let v = values[i]!;
        for (const b of c) v = b.step(v);
        y[i] = v;
      }
      out.set(ch, y);
    }
    return out;
  }
}

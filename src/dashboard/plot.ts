/** @module The dashboard's stacked 12-channel time-series plot: one ring buffer per channel, min/max per pixel column on one canvas. */

export const CHANNELS = 12;
/** How long a lead-off flag stays on after the last batch that reported the channel off (ms). */
const LEAD_OFF_HOLD_MS = 1500;

/** One row's colours: trace, and the row background when the channel is off. */
const TRACE = "#1f5fa8";
const LEAD_OFF_BG = "rgba(220, 40, 40, 0.18)";
const GRID = "#e3e6ea";

/** Ring buffers of the last `windowS` seconds of every channel at `rateHz`, drawn on demand. */
export class StackedPlot {
  private rings: Float32Array[] = [];
  private length = 0;
  private written = 0;
  private rateHz = 0;
  private windowS = 10;
  private dirty = true;
  private readonly leadOffUntil = new Float64Array(CHANNELS + 1);
  /** µV at the edge of a row (the scale ±scaleUv). */
  scaleUv = 200;
  /** The last frame times of `draw` (ms), newest last, at most 600. */
  readonly frameTimes: number[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts over with a window of `windowS` seconds at `rateHz` (the stream's rate after decimation). */
  reset(windowS: number, rateHz: number): void {
    this.windowS = windowS;
    this.rateHz = rateHz;
    this.length = Math.max(1, Math.round(windowS * rateHz));
    this.rings = Array.from(
      { length: CHANNELS + 1 },
      () => new Float32Array(this.length).fill(Number.NaN),
    );
    this.written = 0;
    this.dirty = true;
  }

  get window(): number {
    return this.windowS;
  }

  /** Appends `count` samples per channel (a missing channel appends NaN); `leadOff` lists channels off in them. */
  push(
    channels: ReadonlyMap<number, Float32Array>,
    count: number,
    leadOff: readonly number[],
  ): void {
    if (this.length === 0 || count === 0) return;
    const start = this.written % this.length;
    for (let ch = 1; ch <= CHANNELS; ch++) {
      const ring = this.rings[ch]!;
      const values = channels.get(ch);
      for (let i = 0; i < count; i++) ring[(start + i) % this.length] = values?.[i] ?? Number.NaN;
    }
    this.written += count;
    const until = this.now() + LEAD_OFF_HOLD_MS;
    for (const ch of leadOff) if (ch >= 1 && ch <= CHANNELS) this.leadOffUntil[ch] = until;
    this.dirty = true;
  }

  /** Marks channels as off (from diagnostics), as `push` does. */
  markLeadOff(channels: readonly number[]): void {
    const until = this.now() + LEAD_OFF_HOLD_MS;
    for (const ch of channels) if (ch >= 1 && ch <= CHANNELS) this.leadOffUntil[ch] = until;
  }

  /** Whether channel `ch` (1–12) is shown as off now. */
  isLeadOff(ch: number): boolean {
    return (this.leadOffUntil[ch] ?? 0) > this.now();
  }

  /** The newest `n` samples of channel `ch` (oldest first; NaN where nothing was written yet). */
  recent(ch: number, n: number): Float32Array {
    const ring = this.rings[ch];
    const out = new Float32Array(n).fill(Number.NaN);
    if (ring === undefined || this.length === 0) return out;
    const take = Math.min(n, this.length, this.written);
    for (let i = 0; i < take; i++) {
      out[n - take + i] = ring[(this.written - take + i) % this.length]!;
    }
    return out;
  }

  /** The rate of the samples in the rings (Hz). */
  get rate(): number {
    return this.rateHz;
  }

  /** Samples appended since the last reset. */
  get samples(): number {
    return this.written;
  }

  /** Redraws when something changed (new data, a resize, a lead-off flag running out); returns whether it drew. */
  draw(force = false): boolean {
    const canvas = this.canvas;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      this.dirty = true;
    }
    if (!this.dirty && !force) return false;
    const t0 = performance.now();
    const ctx = canvas.getContext("2d");
    if (ctx === null) return false;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, w, h);
    const rowH = h / CHANNELS;
    const n = this.length;
    const filled = Math.min(this.written, n);
    // the newest sample sits at the right edge; older ones scroll left
    const pxPerSample = w / n;
    const firstIndex = this.written - filled;
    ctx.lineWidth = Math.max(1, dpr);
    for (let ch = 1; ch <= CHANNELS; ch++) {
      const top = (ch - 1) * rowH;
      if (this.isLeadOff(ch)) {
        ctx.fillStyle = LEAD_OFF_BG;
        ctx.fillRect(0, top, w, rowH);
      }
      ctx.fillStyle = GRID;
      ctx.fillRect(0, Math.round(top + rowH / 2), w, 1);
      if (filled > 0) {
        this.trace(ctx, this.rings[ch]!, firstIndex, filled, pxPerSample, top, rowH, w);
      }
    }
    this.dirty = false;
    this.frameTimes.push(performance.now() - t0);
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, this.frameTimes.length - 600);
    return true;
  }

  /** Draws one row: per pixel column the min and max of its samples, joined into one path. */
  private trace(
    ctx: CanvasRenderingContext2D,
    ring: Float32Array,
    firstIndex: number,
    filled: number,
    pxPerSample: number,
    top: number,
    rowH: number,
    w: number,
  ): void {
    const n = this.length;
    const mid = top + rowH / 2;
    const k = -(rowH / 2) / this.scaleUv;
    const lo = top + 0.5;
    const hi = top + rowH - 0.5;
    const startX = (n - filled) * pxPerSample;
    ctx.strokeStyle = TRACE;
    ctx.beginPath();
    let pen = false;
    let column = -1;
    let min = 0;
    let max = 0;
    let have = false;
    const flush = (x: number) => {
      if (!have) {
        pen = false;
        return;
      }
      const yMin = clamp(mid + k * max, lo, hi);
      const yMax = clamp(mid + k * min, lo, hi);
      if (pen) ctx.lineTo(x, yMin);
      else ctx.moveTo(x, yMin);
      if (yMax !== yMin) ctx.lineTo(x, yMax);
      pen = true;
    };
    for (let i = 0; i < filled; i++) {
      const v = ring[(firstIndex + i) % n]!;
      const x = Math.min(w - 1, Math.floor(startX + i * pxPerSample));
      if (x !== column) {
        if (column >= 0) flush(column + 0.5);
        column = x;
        have = false;
      }
      if (Number.isNaN(v)) continue;
      if (!have) {
        min = v;
        max = v;
        have = true;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    if (column >= 0) flush(column + 0.5);
    ctx.stroke();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The decimations the bridge accepts (docs/protocol/bridge-api.md §2.2). */
export type Decimate = 1 | 2 | 4 | 5 | 10 | 20 | 25 | 50;
const DECIMATIONS: readonly Decimate[] = [1, 2, 4, 5, 10, 20, 25, 50];

/** A decimation the bridge accepts, or null. */
export function asDecimate(n: number): Decimate | null {
  return (DECIMATIONS as readonly number[]).includes(n) ? (n as Decimate) : null;
}

/** The decimation (of those the bridge accepts) that keeps about `maxPoints` samples in a window of `windowS` s at 500 Hz. */
export function decimationFor(windowS: number, maxPoints: number): Decimate {
  for (const d of DECIMATIONS) if ((windowS * 500) / d <= maxPoints) return d;
  return 50;
}

/** @module Display-side spectrum: a Hann-windowed PSD per channel (core's real FFT) and band power (the filter tests' measure). */
import { RealFft } from "../core/fft.ts";

/** One transform per size, its tables kept: the plot asks for the same size again and again. */
const transforms = new Map<number, RealFft>();

function transformOf(n: number): RealFft {
  let t = transforms.get(n);
  if (t === undefined) transforms.set(n, t = new RealFft(n));
  return t;
}

/** Largest power of two ≤ n (at least 2). */
export function pow2Below(n: number): number {
  let p = 2;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** One-sided PSD (µV²/Hz) of `x` (NaNs count as 0, mean removed) with a Hann window; bin k is k·rate/n Hz. */
export function psd(x: Float32Array, rateHz: number): Float64Array {
  const n = x.length;
  const input = new Float64Array(n);
  let mean = 0, valid = 0;
  for (const v of x) if (Number.isFinite(v)) (mean += v), valid++;
  mean = valid > 0 ? mean / valid : 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const v = x[i]!;
    input[i] = (Number.isFinite(v) ? v - mean : 0) * w;
    wsum += w * w;
  }
  const out = new Float64Array(n / 2 + 1);
  transformOf(n).power(input, out);
  for (let k = 0; k <= n / 2; k++) {
    const p = out[k]! / (rateHz * wsum);
    out[k] = k === 0 || k === n / 2 ? p : 2 * p;
  }
  return out;
}

/** Power (µV²) in [lo, hi] Hz of a PSD of an n-point transform at `rateHz`. */
export function bandPower(p: Float64Array, rateHz: number, lo: number, hi: number): number {
  const df = rateHz / ((p.length - 1) * 2);
  let sum = 0;
  for (let k = Math.ceil(lo / df); k <= Math.floor(hi / df) && k < p.length; k++) sum += p[k]!;
  return sum * df;
}

export interface ChannelSpectrum {
  ch: number;
  psd: Float64Array;
}

/** Draws log10 power vs 1–60 Hz (or up to Nyquist), one line per channel, on `canvas`. */
export function drawSpectra(
  canvas: HTMLCanvasElement,
  spectra: readonly ChannelSpectrum[],
  rateHz: number,
  colours: readonly string[],
): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) (canvas.width = w), (canvas.height = h);
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  ctx.clearRect(0, 0, w, h);
  const fMax = Math.min(60, rateHz / 2);
  if (spectra.length === 0 || fMax <= 1) return;
  const df = rateHz / ((spectra[0]!.psd.length - 1) * 2);
  let lo = Infinity, hi = -Infinity;
  const logs = spectra.map((s) => Array.from(s.psd, (v) => Math.log10(v + 1e-9)));
  for (const l of logs) {
    for (
      let k = Math.ceil(1 / df);
      k * df <= fMax && k < l.length;
      k++
    ) (lo = Math.min(lo, l[k]!)), (hi = Math.max(hi, l[k]!));
  }
  if (!(hi > lo)) hi = lo + 1;
  ctx.strokeStyle = "#e3e6ea";
  for (const f of [10, 20, 30, 40, 50, 60]) {
    if (f > fMax) break;
    const x = ((f - 1) / (fMax - 1)) * w;
    ctx.beginPath(), ctx.moveTo(x, 0), ctx.lineTo(x, h), ctx.stroke();
  }
  spectra.forEach((_spectrum, i) => {
    ctx.strokeStyle = colours[i % colours.length]!;
    ctx.beginPath();
    let first = true;
    const l = logs[i]!;
    for (let k = Math.ceil(1 / df); k * df <= fMax && k < l.length; k++) {
      const x = ((k * df - 1) / (fMax - 1)) * w;
      const y = h - ((l[k]! - lo) / (hi - lo)) * h;
      if (first) ctx.moveTo(x, y), (first = false);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  });
}

/** @module Time correction from timedata probes (docs/protocol/lsl-wire.md §7): the datagrams and the estimate. */

/** Probes per estimate, and the fewest replies an estimate needs (liblsl TimeProbeCount / MinProbes). */
export const PROBE_COUNT = 8;
export const MIN_PROBES = 6;

/** One answered probe: t0/t3 on the inlet's clock (send, arrival), t1/t2 on the outlet's (arrival, reply). */
export interface Probe {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
}

/** The request sent to the outlet's service port. */
export function timeRequest(waveId: number, t0: number): string {
  return `LSL:timedata\r\n${waveId} ${t0}\r\n`;
}

/** Parses a reply `" <wave_id> <t0> <t1> <t2>"`; null when malformed or not of `waveId`. */
export function parseTimeReply(
  text: string,
  waveId: number,
): { t0: number; t1: number; t2: number } | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 4 || Number(parts[0]) !== waveId || parts[0] !== String(waveId)) return null;
  const [t0 = NaN, t1 = NaN, t2 = NaN] = parts.slice(1, 4).map(Number);
  return [t0, t1, t2].every(Number.isFinite) ? { t0, t1, t2 } : null;
}

/** The estimate: the correction (local − remote, s) of the probe with the smallest round trip, and that rtt. */
export interface TimeEstimate {
  readonly timeCorrection: number;
  readonly rtt: number;
}

/** The estimate from one wave's probes, or null when fewer than MIN_PROBES answered. */
export function estimateTime(probes: readonly Probe[]): TimeEstimate | null {
  if (probes.length < MIN_PROBES) return null;
  let best: TimeEstimate | null = null;
  for (const { t0, t1, t2, t3 } of probes) {
    const rtt = (t3 - t0) - (t2 - t1);
    const offset = ((t1 - t0) + (t2 - t3)) / 2;
    if (best === null || rtt < best.rtt) best = { timeCorrection: -offset, rtt };
  }
  return best;
}

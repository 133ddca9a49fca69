/** @module Markers the LSL inlet read, placed on every device through the `marker` command's own checks; each reason of a refusal logged once. */
import type { Logger } from "../ports/logger.ts";
import { parseMarker } from "../protocol/recording-requests.ts";
import type { ReceivedMarker } from "../lsl/inlet/types.ts";
import type { Bridge } from "../server/bridge.ts";

/** The longest marker label §4.2 accepts; a longer LSL marker is cut there. */
const LABEL_MAX = 128;
/** Distinct (stream, reason) pairs logged; a hostile stream cannot flood the log past this. */
const LOGGED_MAX = 256;

/** Places inlet markers on every device; the inlet counts the refused ones per stream (/health). */
export class InletMarkers {
  readonly #logged = new Set<string>();

  constructor(private readonly bridge: Bridge, private readonly log: Logger) {}

  /**
   * Validates like `marker` (label 1–128 characters, a finite timestamp within the window of §4.2 —
   * a sender stamping Unix time instead of LSL time lands far outside it) and places it on every
   * device, at its sample, as `marker` would. False when refused (no device got it).
   */
  place(m: ReceivedMarker, nowMs: number): boolean {
    const label = m.label.length > LABEL_MAX ? m.label.slice(0, LABEL_MAX) : m.label;
    const timestamp = Number.isFinite(m.unixTime) ? m.unixTime : String(m.unixTime);
    const parsed = parseMarker({ label, timestamp }, nowMs);
    if (!parsed.ok) {
      this.#refuse(m, parsed.message);
      return false;
    }
    let placedAny = false;
    for (const device of this.bridge.list()) {
      const placed = device.mark({ ...parsed.value, source: m.source });
      if (placed.ok) placedAny = true;
      else this.#refuse(m, `${device.identity.id}: ${placed.message}`);
    }
    return placedAny;
  }

  #refuse(m: ReceivedMarker, why: string): void {
    const id = m.stream.sourceId;
    const key = `${id}\n${why.replace(/got .*/, "")}`;
    if (this.#logged.has(key) || this.#logged.size >= LOGGED_MAX) return;
    this.#logged.add(key);
    this.log.log("WARNING", `LSL marker from ${m.source} not placed (${why}); counted in /health`);
  }
}

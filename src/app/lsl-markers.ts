/** @module Markers the LSL inlet read, placed on every device through the `marker` command's own checks; refusals counted per stream, each reason logged once. */
import type { Logger } from "../ports/logger.ts";
import { parseMarker } from "../protocol/recording-requests.ts";
import type { ReceivedMarker } from "../lsl/inlet/types.ts";
import type { Bridge } from "../server/bridge.ts";

/** The longest marker label §4.2 accepts; a longer LSL marker is cut there. */
const LABEL_MAX = 128;
/** Distinct (stream, reason) pairs logged; a hostile stream cannot flood the log past this. */
const LOGGED_MAX = 256;

/** Places inlet markers on every device and counts the ones refused, per source_id. */
export class InletMarkers {
  readonly #rejected = new Map<string, number>();
  readonly #logged = new Set<string>();

  constructor(private readonly bridge: Bridge, private readonly log: Logger) {}

  /** Markers of the stream `sourceId` that no device took (empty label, time out of range, …). */
  rejected(sourceId: string): number {
    return this.#rejected.get(sourceId) ?? 0;
  }

  /**
   * Validates like `marker` (label 1–128 characters, a finite timestamp within the window of §4.2 —
   * a sender stamping Unix time instead of LSL time lands far outside it) and places it on every
   * device, at its sample, as `marker` would.
   */
  place(m: ReceivedMarker, nowMs: number): void {
    const label = m.label.length > LABEL_MAX ? m.label.slice(0, LABEL_MAX) : m.label;
    const timestamp = Number.isFinite(m.unixTime) ? m.unixTime : String(m.unixTime);
    const parsed = parseMarker({ label, timestamp }, nowMs);
    if (!parsed.ok) return this.#refuse(m, parsed.message);
    for (const device of this.bridge.list()) {
      const placed = device.mark({ ...parsed.value, source: m.source });
      if (!placed.ok) this.#refuse(m, `${device.identity.id}: ${placed.message}`);
    }
  }

  #refuse(m: ReceivedMarker, why: string): void {
    const id = m.stream.sourceId;
    this.#rejected.set(id, this.rejected(id) + 1);
    const key = `${id}\n${why.replace(/got .*/, "")}`;
    if (this.#logged.has(key) || this.#logged.size >= LOGGED_MAX) return;
    this.#logged.add(key);
    this.log.log("WARNING", `LSL marker from ${m.source} not placed (${why}); counted in /health`);
  }
}

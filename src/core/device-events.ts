/** @module Discrete device events of the `events` stream (docs/protocol/bridge-api.md §2.4), and the lead-off transition tracker. */
import { CHANNELS } from "./samples.ts";
import type { Marker } from "./markers.ts";
import type { Gap, SampleBlock } from "./samples.ts";
import type { StatusState } from "./session-events.ts";

/** One event; `atMs` is Unix ms (sample-clock time for gap and lead_off, host time otherwise). */
export type DeviceEvent =
  | {
    readonly type: "state_change";
    readonly atMs: number;
    readonly from: StatusState;
    readonly to: StatusState;
  }
  | { readonly type: "gap"; readonly atMs: number; readonly gap: Gap }
  | {
    readonly type: "lead_off";
    readonly atMs: number;
    readonly seq: number;
    readonly off: number[];
    readonly on: number[];
  }
  | { readonly type: "battery"; readonly atMs: number; readonly level: number }
  | { readonly type: "marker"; readonly atMs: number; readonly marker: Marker }
  /** A recording's new state; `recording` is its wire object (built where recordings live). */
  | {
    readonly type: "recording";
    readonly atMs: number;
    readonly recording: Readonly<Record<string, unknown>>;
  };

/** 1-based channel numbers of the bits set in `mask`. */
export function channelsOf(mask: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < CHANNELS; c++) if ((mask & (1 << c)) !== 0) out.push(c + 1);
  return out;
}

/**
 * Follows the per-channel lead-off state sample by sample and reports each change. A new
 * connection starts with every channel on, so a channel already on the sentinel at the first
 * sample produces one event.
 */
export class LeadOffTracker {
  #mask = 0;

  reset(): void {
    this.#mask = 0;
  }

  /** Calls `emit` for every sample of `block` whose lead-off mask differs from the previous one. */
  scan(block: SampleBlock, emit: (event: DeviceEvent) => void): void {
    for (let i = 0; i < block.count; i++) {
      const mask = block.leadOff[i]!;
      if (mask === this.#mask) continue;
      const off = mask & ~this.#mask;
      const on = this.#mask & ~mask;
      this.#mask = mask;
      emit({
        type: "lead_off",
        atMs: block.time[i]! * 1000,
        seq: block.seq[i]!,
        off: channelsOf(off),
        on: channelsOf(on),
      });
    }
  }
}

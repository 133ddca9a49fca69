/**
 * @module What the hub computes once and hands to many subscribers: an input's encodings (one per
 * encoding key, only when someone wants it) and the device's figures of a diagnostics tick.
 */
import type { Device } from "../core/device.ts";
import type { DeviceFigures, Encoding } from "./subscribers.ts";

/** Encodes one input once per encoding key, for all subscribers of one delivery. */
export class EncodingMemo<I> {
  #memo = new Map<string, unknown>();
  constructor(readonly input: I) {}

  get<M>(encoding: Encoding<I, M> | undefined): M {
    if (encoding === undefined) return undefined as M;
    if (this.#memo.has(encoding.key)) return this.#memo.get(encoding.key) as M;
    const value = encoding.encode(this.input);
    this.#memo.set(encoding.key, value);
    return value;
  }
}

/** The device's figures at `nowMs`. */
export function deviceFigures(device: Device, nowMs: number): DeviceFigures {
  const session = device.session;
  return {
    nowMs,
    deviceState: session.reportedState,
    health: device.health.figures(nowMs),
    live: session.liveStats(),
    batteryLevel: session.batteryLevel,
  };
}

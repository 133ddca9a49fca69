/**
 * @module What the hub computes once and hands to many subscribers: an input's encodings (one per
 * encoding key, only when someone wants it) and the device's figures of a diagnostics tick.
 */
import type { Device } from "../core/device.ts";
import type { DeviceFigures, Encoding } from "./subscribers.ts";

/** Encodes one input once per encoding key, for all subscribers of one delivery. */
export class EncodingMemo<I> {
  // one encoding is the common case: kept in two fields, a map only for a second key (a memo is
  // made per block, hundreds a second)
  #key: string | null = null;
  #value: unknown;
  #more: Map<string, unknown> | null = null;
  constructor(readonly input: I) {}

  get<M>(encoding: Encoding<I, M> | undefined): M {
    if (encoding === undefined) return undefined as M;
    if (this.#key === encoding.key) return this.#value as M;
    if (this.#more?.has(encoding.key)) return this.#more.get(encoding.key) as M;
    const value = encoding.encode(this.input);
    if (this.#key === null) {
      this.#key = encoding.key;
      this.#value = value;
    } else (this.#more ??= new Map()).set(encoding.key, value);
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

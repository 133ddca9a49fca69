/** @module Markers on their way into a device's recording: held while a start is under way, and refused (with the reason) when the running recording would leave them out. */
import type { Clock } from "../core/clock.ts";
import type { DeviceEvent } from "../core/device-events.ts";
import { placeMarker } from "../core/markers.ts";
import type { Marker, MarkerRequest } from "../core/markers.ts";
import type { Recorder } from "./recorder.ts";
import { MAX_EARLY_MARKERS } from "./recorder-markers.ts";

/** What markers need of the device: its sample clock, and the events stream they go out on. */
export interface MarkerDevice {
  /** The seq of the sample at or just after Unix ms `timeMs`, or null before any sample. */
  seqAt(timeMs: number): number | null;
  emit(event: DeviceEvent): void;
}

/** The recording a marker may go to: `ending` once its stop began (by a command or by itself). */
export interface MarkerTarget {
  recorder: Recorder;
  sessionName: string;
  ending: boolean;
}

/** A placed marker, or why it is refused. */
export type MarkResult = { ok: true; marker: Marker } | {
  ok: false;
  code: "INVALID_PARAMETERS";
  message: string;
};

/**
 * Routes a device's markers to its recording. Markers sent while a start waits in the command queue
 * or creates its files are held (bounded) and handed to the recording once it runs: they were sent
 * after `start_recording`, so they belong to it. If the start fails they are dropped; they were
 * never part of a recording (they still went out on the events stream).
 */
export class MarkerRouter {
  #o: { device: MarkerDevice; clock: Clock; current(): MarkerTarget | null };
  #held: Marker[] = [];
  /** Starts queued or under way. */
  #starts = 0;
  /** The marker `mark` is sending: its own event is not placed a second time. */
  #sending: Marker | null = null;

  constructor(o: { device: MarkerDevice; clock: Clock; current(): MarkerTarget | null }) {
    this.#o = o;
  }

  /** A start entered the command queue. */
  startQueued(): void {
    this.#starts++;
  }

  /** A start is over (started or refused); held markers are dropped once no start is left to take them. */
  startDone(): void {
    if (--this.#starts === 0) this.#held.length = 0;
  }

  /** The recording started: it takes every held marker (it has no sample yet, so it holds them for its first one). */
  started(recorder: Recorder): void {
    for (const marker of this.#held.splice(0)) recorder.onMarker(marker);
  }

  /**
   * Places a marker (the `marker` command, POST /markers) and sends it on the events stream, unless the
   * running recording would leave it out: then it is refused with the reason, neither sent nor written.
   */
  mark(req: MarkerRequest, id: string): MarkResult {
    const marker = placeMarker(req, id, this.#o.clock.now(), (t) => this.#o.device.seqAt(t));
    const refusal = this.#take(marker);
    if (refusal !== null) return { ok: false, code: "INVALID_PARAMETERS", message: refusal };
    this.#sending = marker;
    try {
      this.#o.device.emit({ type: "marker", atMs: marker.timestamp * 1000, marker });
    } finally {
      this.#sending = null;
    }
    return { ok: true, marker };
  }

  /** A marker event of the device: one placed there directly (not through `mark`) cannot be refused, only taken. */
  onEvent(marker: Marker): void {
    if (marker !== this.#sending) this.#take(marker);
  }

  /** The running recording takes it, else a start under way holds it, else a recording still ending may; the refusal, else null. */
  #take(marker: Marker): string | null {
    const target = this.#o.current();
    if (target !== null && !target.ending) return give(target, marker);
    if (this.#starts > 0) return this.#hold(marker);
    return target === null ? null : give(target, marker);
  }

  #hold(marker: Marker): string | null {
    if (this.#held.length >= MAX_EARLY_MARKERS) {
      return `${MAX_EARLY_MARKERS} markers already wait for the recording being started: this one is refused`;
    }
    this.#held.push(marker);
    return null;
  }
}

/** Gives `marker` to a recording; the reason when the recording, still running, leaves it out, else null. */
function give(target: MarkerTarget, marker: Marker): string | null {
  const { recorder, sessionName } = target;
  // a recording that is over takes no marker: it is only on the events stream, as with no recording
  if (recorder.state !== "recording" || recorder.onMarker(marker)) return null;
  const firstSeq = recorder.figures().firstSeq;
  if (firstSeq === null) {
    return `${MAX_EARLY_MARKERS} markers already wait for the first sample of recording ${sessionName}: this one is refused`;
  }
  return `timestamp ${marker.timestamp} is before the first sample of the running recording ${sessionName} ` +
    `(seq ${
      marker.seq ?? "none"
    } < first_seq ${firstSeq}): the marker would not be part of it; send a later timestamp or none`;
}

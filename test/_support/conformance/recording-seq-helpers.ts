/** @module What a recording scenario reads of the stream: `recording` messages, the seqs a client saw, where a recording starts, and the seq jumps a recording must show. */
import type { Msg, WsClient } from "../ws-client.ts";
import type { Data } from "./stream-helpers.ts";
import { until } from "./recording-helpers.ts";

// --- waits ---

/** The next `recording` message whose state is `state` (and session, when given), bounded. */
export function nextRecording(
  c: WsClient,
  state: string,
  timeoutMs: number,
  session?: string,
): Promise<Msg> {
  return c.next(
    (m) =>
      m.type === "recording" && m.data["state"] === state &&
      (session === undefined || m.data["session_name"] === session),
    timeoutMs,
    `a recording message with state ${state}`,
  );
}

/** The last seq of the eeg_batch messages in `msgs` (-1 before the first). */
export function latestSeq(msgs: Msg[]): number {
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!;
    if (m.type === "eeg_batch") {
      return (m.data["first_seq"] as number) + (m.data["count"] as number) - 1;
    }
  }
  return -1;
}

/**
 * Waits until the client holds the batches up to `recording`'s last sample (first_seq plus its
 * duration): the recording's end reaches the client just before or after its stop broadcast.
 * 5 s: the batches come every 50 ms or so; the rest is for a loaded machine.
 */
export function untilBatchesCover(c: WsClient, recording: Data, what: string): Promise<void> {
  const last = (recording["first_seq"] as number) +
    Math.round((recording["duration_s"] as number) * 500) - 1;
  return until(() => latestSeq(c.messages) >= last, 5000, `${what}: the batches up to seq ${last}`);
}

/**
 * The running recording's first_seq, asked every 50 ms until the first sample is in (null before).
 * 5 s: the first sample comes within one chunk (~20 ms), or after one reconnect in the link-loss
 * scenario (100 ms base); the rest is for a loaded machine.
 */
export async function recordingFirstSeq(c: WsClient): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const first = (await c.request("recording_status", {})).data["first_seq"];
    if (typeof first === "number") return first;
    if (Date.now() > deadline) throw new Error("timed out after 5000 ms waiting for first_seq");
    await new Promise((r) => setTimeout(r, 50));
  }
}

// --- parsers ---

/** A seq jump in the stream: `missing` seqs after `after`, the stream goes on at `next`. */
export interface Jump {
  after: number;
  next: number;
  missing: number;
}

/** The jumps of ascending, distinct `seqs`. */
export function jumpsOf(seqs: number[]): Jump[] {
  const out: Jump[] = [];
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i]! !== seqs[i - 1]! + 1) {
      out.push({ after: seqs[i - 1]!, next: seqs[i]!, missing: seqs[i]! - seqs[i - 1]! - 1 });
    }
  }
  return out;
}

/**
 * The jumps whose missing seqs start inside [first, last], cut at `last`: a recording whose last
 * samples were lost ends in a gap (the files still span the whole duration).
 */
export function jumpsInside(jumps: Jump[], first: number, last: number): Jump[] {
  return jumps
    .filter((j) => j.after >= first && j.after < last)
    .map((j) => (j.next <= last ? j : { after: j.after, next: last + 1, missing: last - j.after }));
}

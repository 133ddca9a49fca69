/** @module An mqtt.js subscriber for the MQTT tests: records every message under a topic filter, with bounded waits. */
import mqtt from "mqtt";
import type { IClientOptions, MqttClient } from "mqtt";
import { readEegBatchFrame } from "../../../src/protocol/encoders/binary-frame-reader.ts";

/** One received message. */
export interface Received {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
  qos: number;
  atMs: number;
}

/** A frame received on `<…>/<device>/eeg`. */
export interface ReceivedFrame {
  device: string;
  firstSeq: number;
  count: number;
  bytes: Uint8Array;
}

export interface Subscriber {
  readonly client: MqttClient;
  readonly messages: Received[];
  /** Resolves with the first message (from `from` on) matching `pred`; rejects after `timeoutMs`. */
  next(
    pred: (m: Received) => boolean,
    timeoutMs: number,
    what: string,
    from?: number,
  ): Promise<Received>;
  /** The `eeg` frames of `device`, in arrival order. */
  frames(device: string): ReceivedFrame[];
  close(): Promise<void>;
}

export const text = (m: Received): string => new TextDecoder().decode(m.payload);
export const json = (m: Received): Record<string, unknown> =>
  JSON.parse(text(m)) as Record<string, unknown>;

/** Connects (bounded) and subscribes to `filter` at QoS 1; `options` e.g. a fixed clientId with clean: false. */
export async function subscribe(
  url: string,
  filter: string,
  options: IClientOptions = {},
): Promise<Subscriber> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 200,
    connectTimeout: 5000,
    ...options,
  });
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  client.on("message", (topic, payload, packet) => {
    messages.push({
      topic,
      payload: new Uint8Array(payload),
      retain: packet.retain,
      qos: packet.qos,
      atMs: Date.now(),
    });
    for (const w of waiters) w();
  });
  client.on("error", () => {}); // a broker restart is part of some tests
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    next(pred, timeoutMs, what, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.slice(from).find(pred);
          if (m === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no MQTT message within ${timeoutMs} ms: ${what} (${messages.length} received)`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    frames(device) {
      return messages.filter((m) => m.topic.endsWith(`/${device}/eeg`)).map((m) => {
        const f = readEegBatchFrame(m.payload);
        return { device, firstSeq: f.firstSeq, count: f.count, bytes: m.payload };
      });
    },
    async close() {
      await Promise.race([client.endAsync(true), new Promise((r) => setTimeout(r, 1000))]);
    },
  };
}

/**
 * Problems in a device's frame sequence: a frame that does not start right after the previous one
 * (a gap or a duplicate). Empty when every seq from the first frame to the last came exactly once.
 */
export function seqProblems(frames: ReceivedFrame[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < frames.length; i++) {
    const expected = frames[i - 1]!.firstSeq + frames[i - 1]!.count;
    if (frames[i]!.firstSeq !== expected) {
      problems.push(`frame ${i}: first_seq ${frames[i]!.firstSeq}, expected ${expected}`);
    }
  }
  return problems;
}

/**
 * The frames with repeats removed: a frame whose first_seq came before is a resend after a
 * reconnection (at least once) and must be byte-identical to the first copy, else it counts as a
 * mismatch.
 */
export function withoutRepeats(
  frames: ReceivedFrame[],
): { frames: ReceivedFrame[]; repeats: number; mismatches: number } {
  const seen = new Map<number, Uint8Array>();
  const unique: ReceivedFrame[] = [];
  let repeats = 0;
  let mismatches = 0;
  for (const f of frames) {
    const first = seen.get(f.firstSeq);
    if (first === undefined) {
      seen.set(f.firstSeq, f.bytes);
      unique.push(f);
    } else {
      repeats++;
      if (Buffer.compare(Buffer.from(first), Buffer.from(f.bytes)) !== 0) mismatches++;
    }
  }
  return { frames: unique, repeats, mismatches };
}

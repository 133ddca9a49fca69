/** @module The metrics benchmark's clients: one WebSocket per device that drops `eeg`, subscribes the stream under test and counts its messages and their seq steps. */
import { BenchClient } from "./bench-client.ts";
import { acked } from "./devices-clients.ts";

/** Handshakes in flight at once while the clients open. */
const OPEN_CONCURRENCY = 8;

/**
 * What the clients subscribe: `metrics`, or `diagnostics` to try the harness on a bridge that does
 * not serve metrics yet (its interval_ms starts at 100, and its messages carry no seq).
 */
export type BenchStream = "metrics" | "diagnostics";

/** One subscription: the stream and its options. */
export interface Subscription {
  stream: BenchStream;
  intervalMs: number;
  windowS: number;
}

/** Messages per second the bridge promises for `sub`: metrics every round(interval_ms / 2) samples of 500 Hz. */
export function expectedRate(sub: Subscription): number {
  return sub.stream === "metrics"
    ? 500 / Math.round(sub.intervalMs / 2)
    : 1000 / diagnosticsInterval(sub.intervalMs);
}

/** diagnostics accepts interval_ms from 100 only: faster asks are sent as 100. */
const diagnosticsInterval = (ms: number): number => Math.max(100, ms);

/** Samples between consecutive metrics messages (their seq step); null for diagnostics. */
export function expectedStep(sub: Subscription): number | null {
  return sub.stream === "metrics" ? Math.round(sub.intervalMs / 2) : null;
}

/** A client and its tally: messages, and seq steps that differ from the promised hop. */
export class CountingClient {
  messages = 0;
  /** Consecutive messages whose seq step was not `step`. */
  offSteps = 0;
  /** The first message, parsed, so the run can check its shape once. */
  first: unknown = null;
  #lastSeq = -1;

  constructor(readonly client: BenchClient, marker: string, step: number | null) {
    client.onText = (text) => {
      if (text.indexOf(marker) === -1) return;
      if (this.messages++ === 0) this.first = JSON.parse(text);
      if (step === null) return;
      // `seq` is a top-level field of the data (channels carry none), so indexOf finds it cheaply
      const at = text.indexOf('"seq":') + 6;
      const seq = Number(text.slice(at, text.indexOf(",", at)));
      if (this.#lastSeq >= 0 && seq - this.#lastSeq !== step) this.offSteps++;
      this.#lastSeq = seq;
    };
  }
}

/**
 * Opens `count` clients on `url` (per-device sockets `/devices/sim-K/ws` when `perDevice`, else `/`),
 * at most OPEN_CONCURRENCY handshakes at once; each unsubscribes `eeg` and, unless `sub` is null,
 * subscribes `sub`. On a failure the clients already open are closed first.
 */
export async function openCountingClients(
  url: string,
  count: number,
  perDevice: boolean,
  sub: Subscription | null,
): Promise<CountingClient[]> {
  const clients: CountingClient[] = new Array(count);
  const marker = `"type":"${sub?.stream ?? "metrics"}"`;
  const step = sub === null ? null : expectedStep(sub);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const path = perDevice ? `/devices/sim-${i + 1}/ws` : "/";
      const c = new CountingClient(await BenchClient.open(url, path), marker, step);
      clients[i] = c;
      await acked(c.client, "unsub", "unsubscribe", { stream: "eeg" });
      if (sub === null) continue;
      const options = sub.stream === "metrics"
        ? { stream: "metrics", interval_ms: sub.intervalMs, window_s: sub.windowS }
        : { stream: "diagnostics", interval_ms: diagnosticsInterval(sub.intervalMs) };
      await acked(c.client, "sub", "subscribe", options);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, worker),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed === undefined) return clients;
  for (const c of clients) c?.client.close();
  throw failed.reason;
}

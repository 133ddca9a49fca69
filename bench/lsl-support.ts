/** @module LSL-benchmark plumbing: the bench's LSL clock, /health, stream resolution and feed consumers that count what they get. */
import { hostname } from "node:os";
import { systemClock } from "../src/core/clock.ts";
import type { Logger } from "../src/ports/logger.ts";
import { type LslTime, lslTime } from "../src/lsl/clock.ts";
import { type Feed, openFeed } from "../src/lsl/inlet/feed-reader.ts";
import { Resolver } from "../src/lsl/inlet/resolver.ts";
import type { Scope } from "../src/lsl/wire/constants.ts";
import type { FeedSample } from "../src/lsl/wire/feed-decode.ts";
import type { StreamInfo } from "../src/lsl/wire/stream-info.ts";
import { type ServerProcess, sleep } from "./server-harness.ts";

/**
 * Link scope for every stream of the benchmark: machine scope asks 127.0.0.1:16571 by unicast only, which
 * reaches ONE of the sockets sharing that port (the bench's and the bridge's), so streams would hide.
 */
export const SCOPE: Scope = "link";
export const SESSION = "default";
export const HOST = hostname();

/** Problems the LSL modules log in the bench process, printed once at the end. */
export const benchProblems: string[] = [];
export const benchLog: Logger = {
  log(level, message) {
    if ((level === "WARNING" || level === "ERROR") && benchProblems.length < 20) {
      benchProblems.push(`${level} ${message}`);
    }
  },
};

/** The runtime's CLOCK_MONOTONIC (liblsl's clock), the same one `serve` stamps LSL samples with. */
export async function monotonicSeconds(): Promise<() => number> {
  const warn = (text: string): void => void process.stderr.write(text);
  if ("Bun" in globalThis) {
    return (await import("../src/adapters/runtime/monotonic-bun.ts")).bunMonotonic(warn);
  }
  if ("Deno" in globalThis) {
    // a computed specifier: tsc (which has no Deno types here) must not follow it
    const deno = "../src/adapters/runtime/deno.ts";
    const m = (await import(deno)) as { denoMonotonic(w: typeof warn): () => number };
    return m.denoMonotonic(warn);
  }
  return () => Number(process.hrtime.bigint()) / 1e9;
}

/** The bench's LslTime on the runtime's monotonic clock. */
export async function benchTime(): Promise<LslTime> {
  return lslTime(await monotonicSeconds(), systemClock.now);
}

/** GET /health of a running bridge. */
export async function health(srv: ServerProcess): Promise<BridgeHealth> {
  const res = await fetch(`http://${srv.url}/health`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as BridgeHealth;
}

export interface BridgeHealth {
  devices: { packets: { lost: number } }[];
  lsl: {
    outlets: { name: string; consumers: number; samples_pushed: number; dropped: number }[];
    inlets: {
      name: string;
      connected: boolean;
      markers: number;
      time_correction_ms: number | null;
    }[];
  } | null;
}

/** Resolves the one stream answering `query` (link scope) within `timeoutMs`. */
export async function resolveOne(query: string, timeoutMs = 10_000): Promise<StreamInfo> {
  const resolver = await Resolver.start({
    query,
    scope: SCOPE,
    sessionId: SESSION,
    knownPeers: [],
    clock: systemClock,
    log: benchLog,
  });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = [...resolver.streams().values()];
      if (found.length > 0) return found[0]!.info;
      await sleep(50);
    }
    throw new Error(`no stream answered ${query} within ${timeoutMs} ms`);
  } finally {
    await resolver.close();
  }
}

/** One feed reader that counts samples and timestamp holes, and hands each batch to `onBatch`. */
export class CountingConsumer {
  samples = 0;
  /** Samples missing between consecutive timestamps (a step above 1.5 periods). */
  missing = 0;
  open = false;
  ended: string | null = null;
  #last = Number.NaN;
  readonly #feed: Feed;

  constructor(
    info: StreamInfo,
    onBatch: (samples: readonly FeedSample[]) => void = () => {},
  ) {
    const period = info.nominalSrate > 0 ? 1 / info.nominalSrate : 0;
    this.#feed = openFeed({
      info,
      hostname: HOST,
      sessionId: SESSION,
      clock: systemClock,
      onOpen: () => (this.open = true),
      onSamples: (samples) => {
        for (const { timestamp: t } of samples) {
          if (period > 0 && t - this.#last > 1.5 * period) {
            this.missing += Math.round((t - this.#last) / period) - 1;
          }
          this.#last = t;
        }
        this.samples += samples.length;
        onBatch(samples);
      },
      onEnd: (end) => (this.ended = `${end.kind} ${end.detail}`),
    });
  }

  close(): Promise<void> {
    return this.#feed.close();
  }
}

/** Opens `n` consumers of `info` and waits (≤ 10 s) until every feed is live. */
export async function openConsumers(
  info: StreamInfo,
  n: number,
  onBatch?: (samples: readonly FeedSample[]) => void,
): Promise<CountingConsumer[]> {
  const all = Array.from(
    { length: n },
    (_, i) => new CountingConsumer(info, i === 0 ? onBatch : undefined),
  );
  const deadline = Date.now() + 10_000;
  while (all.some((c) => !c.open)) {
    const broken = all.find((c) => c.ended !== null);
    if (broken || Date.now() > deadline) {
      await Promise.all(all.map((c) => c.close()));
      throw new Error(`a consumer did not open: ${broken?.ended ?? "timeout after 10 s"}`);
    }
    await sleep(20);
  }
  return all;
}

/** @module Our own LSL inlet pieces as a test uses them against a bridge: resolve, fullinfo, feed, time correction, in the test process's LSL clock. */
import net from "node:net";
import { systemClock } from "../../src/core/clock.ts";
import { bunMonotonic } from "../../src/adapters/runtime/monotonic-bun.ts";
import { lslTime } from "../../src/lsl/clock.ts";
import type { LslTime } from "../../src/lsl/clock.ts";
import { openFeed } from "../../src/lsl/inlet/feed-reader.ts";
import { Resolver } from "../../src/lsl/inlet/resolver.ts";
import { TimeSync } from "../../src/lsl/inlet/time-sync.ts";
import type { Scope } from "../../src/lsl/wire/constants.ts";
import type { FeedSample } from "../../src/lsl/wire/feed-decode.ts";
import { readStreamInfo } from "../../src/lsl/wire/info-read.ts";
import type { StreamInfo } from "../../src/lsl/wire/stream-info.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { waitUntil } from "./conformance/helpers.ts";

/** The test process's LSL clock (CLOCK_MONOTONIC, as the bridge's), under Bun. */
export const testTime: LslTime = lslTime(bunMonotonic(() => {}), systemClock.now);

/** A logger that keeps its lines (the inlet pieces log once per problem). */
export function keptLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => void lines.push(`${level} ${message}`) };
}

/**
 * Resolves `query` in `scope` (plus known peers) until `count` streams answer or `timeoutMs` passes
 * (a wave every 0.5 s; loopback replies take milliseconds, so a few seconds is a wide margin).
 */
export async function resolve(
  query: string,
  scope: Scope,
  timeoutMs: number,
  o: { knownPeers?: string[]; count?: number } = {},
): Promise<StreamInfo[]> {
  const resolver = await Resolver.start({
    query,
    scope,
    sessionId: "default",
    knownPeers: o.knownPeers ?? [],
    clock: systemClock,
    log: keptLog(),
  });
  try {
    await waitUntil(
      () => resolver.streams().size >= (o.count ?? 1),
      timeoutMs,
      `${o.count ?? 1} stream(s) answering ${query} in ${scope} scope`,
    );
    return [...resolver.streams().values()].map((r) => r.info);
  } finally {
    await resolver.close();
  }
}

/** `LSL:fullinfo` over the data port: the outlet writes its whole info and closes. */
export function fullinfo(info: StreamInfo): Promise<StreamInfo> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: info.v4address, port: info.v4dataPort });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (text += d));
    socket.on("error", reject);
    socket.on("connect", () => socket.write("LSL:fullinfo\r\n"));
    socket.on("end", () => {
      try {
        resolve(readStreamInfo(text, info.v4address));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Reads `count` samples of `info`'s feed (bounded by `timeoutMs`), then closes it. */
export async function readSamples(
  info: StreamInfo,
  count: number,
  timeoutMs: number,
): Promise<FeedSample[]> {
  const samples: FeedSample[] = [];
  let ended = "";
  const feed = openFeed({
    info,
    hostname: "test",
    sessionId: "default",
    clock: systemClock,
    onOpen: () => {},
    onSamples: (s) => void samples.push(...s),
    onEnd: (end) => void (ended = `${end.kind} ${end.detail}`),
  });
  try {
    await waitUntil(
      () => samples.length >= count || (ended !== "" && !ended.startsWith("stopped")),
      timeoutMs,
      `${count} samples of ${info.name}`,
    );
    if (samples.length < count) throw new Error(`the feed of ${info.name} ended: ${ended}`);
    return samples.slice(0, count);
  } finally {
    await feed.close();
  }
}

/** The 8-probe time correction against `info`'s service port (s), or null without an estimate. */
export async function timeCorrection(info: StreamInfo): Promise<number | null> {
  const sync = new TimeSync({
    address: info.v4address,
    servicePort: info.v4servicePort,
    time: testTime,
    clock: systemClock,
  });
  sync.start();
  try {
    return await sync.waitFirst(3000); // an estimate takes 0.64 s
  } finally {
    await sync.close();
  }
}

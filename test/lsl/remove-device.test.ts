/** @module `remove_device` with `--lsl`, bridges under Bun, Deno and Node, in the loopback-only namespace (docs/protocol/bridge-api.md §11): the removed device's outlets stop answering discovery while the others still answer, and a consumer of its EEG outlet is closed. */
import { describe, expect, test } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { openFeed } from "../../src/lsl/inlet/feed-reader.ts";
import type { FeedEnd } from "../../src/lsl/inlet/feed-reader.ts";
import { Resolver } from "../../src/lsl/inlet/resolver.ts";
import { waitUntil } from "../_support/conformance/helpers.ts";
import { keptLog, resolve } from "../_support/lsl-inlet.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";

/** A resolver of every stream named `prefix…`, keeping each reply's stream name and arrival time. */
async function listening(prefix: string) {
  const replies: Array<{ name: string; atMs: number }> = [];
  const resolver = await Resolver.start({
    query: `starts-with(name,'${prefix}')`,
    scope: "site",
    sessionId: "default",
    knownPeers: [],
    clock: systemClock,
    log: keptLog(),
    onReply: (r) => void replies.push({ name: r.info.name, atMs: Date.now() }),
  });
  return { replies, close: () => resolver.close() };
}

for (const runtime of RUNTIMES) {
  describe(`LSL and remove_device (${runtime})`, () => {
    test(
      "the removed device's outlets no longer resolve, its consumer is closed; the others still resolve",
      async () => {
        requireLoopbackOnly();
        const name = `RM_${runtime}${Math.random().toString(36).slice(2, 8)}`;
        const srv = await startServer(runtime, [
          "--sim-devices",
          "2",
          "--autoconnect",
          "--lsl",
          "--lsl-name",
          name,
        ]);
        const ws = await connectWs(srv.ws);
        let ended: FeedEnd | null = null;
        let feed: { close(): Promise<void> } | null = null;
        const resolvers: Array<{ close(): Promise<void> }> = [];
        try {
          const before = await listening(name);
          resolvers.push(before);
          const [eeg2] = await resolve(`name='${name}_sim-2'`, "site", 5000);
          let samples = 0;
          feed = openFeed({
            info: eeg2!,
            hostname: "test",
            sessionId: "default",
            clock: systemClock,
            onOpen: () => {},
            onSamples: (s) => void (samples += s.length),
            onEnd: (e) => void (ended = e),
          });
          await waitUntil(() => samples > 0, 5000, "samples of sim-2's outlet");
          await waitUntil(
            () => before.replies.some((r) => r.name === `${name}_sim-2_Markers`),
            5000,
            "sim-2's outlets answering",
          );

          const ack = await ws.request("remove_device", { device_id: "sim-2" }, 15_000);
          expect([ack.type, ack.data["device_id"]]).toEqual(["command_ack", "sim-2"]);
          // the consumer's connection was closed with the outlet
          await waitUntil(() => ended !== null, 5000, "the end of sim-2's feed");
          expect(ended!.kind).not.toBe("stopped");
          // a resolver started after the ack asks only after the removal: sim-1's EEG outlet answers
          // over two of its waves (0.5 s apart; one wave may bring a reply per multicast group),
          // sim-2's outlets never
          const after = await listening(name);
          resolvers.push(after);
          const sim1 = () => after.replies.filter((r) => r.name === name);
          await waitUntil(
            () => sim1().length > 0 && sim1().at(-1)!.atMs - sim1()[0]!.atMs >= 400,
            5000,
            "sim-1 answering two waves after the removal",
          );
          expect(after.replies.filter((r) => r.name.startsWith(`${name}_sim-2`))).toEqual([]);
          const health = await (await fetch(`${srv.http}/health`)).json();
          const outlets = health["lsl"]["outlets"] as Array<{ device_id: string }>;
          expect([...new Set(outlets.map((o) => o.device_id))]).toEqual(["sim-1"]);
        } finally {
          await feed?.close();
          for (const r of resolvers) await r.close();
          ws.close();
          srv.kill();
        }
      },
      40_000,
    );
  });
}

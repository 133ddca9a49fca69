/**
 * @module The `metrics` stream end to end (docs/protocol/bridge-api.md §2.6), with the bridge under the
 * runtime running this file: a replay of known content gets the figures and quality each channel
 * promises, a late subscriber is answered from retention, bad options are INVALID_PARAMETERS
 * naming field and range, and 20 clients with equal options share one computation.
 */
import { describe, expect, test } from "bun:test";
import { currentRuntime } from "../_support/client/live-server.ts";
import { health, until, withMetricsBridge } from "../_support/metrics-bridge.ts";
import { metricsProblems } from "../_support/metrics-expect.ts";
import { connectWs } from "../_support/ws-client.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";

const runtime = currentRuntime();
// a hang guard for the slowest runtime on a loaded 2-core machine; each test takes 3–6 s
const TEST_MS = 30_000;
/**
 * The first message needs 2 s of samples since start-up (window_s 2 at real time); 12 s leaves
 * 10 s for a busy machine to start the runtime and replay.
 */
const FIRST_MS = 12_000;

const isMetrics = (m: Msg) => m.type === "metrics";

/** A client with only the metrics stream (no per-sample eeg_data to wade through). */
async function metricsClient(url: string, options: Record<string, unknown>): Promise<WsClient> {
  const ws = await connectWs(url);
  expect((await ws.request("unsubscribe", { stream: "eeg" })).type).toBe("command_ack");
  const ack = await ws.request("subscribe", { stream: "metrics", ...options });
  expect({ type: ack.type, data: ack.data }).toMatchObject({
    type: "command_ack",
    data: { command: "subscribe", stream: "metrics" },
  });
  return ws;
}

describe(`metrics stream (${runtime})`, () => {
  test(
    "each channel of a known replay gets the figures and the quality its content promises",
    async () => {
      await withMetricsBridge(runtime, ["--max-clients", "2"], async (srv) => {
        const ws = await metricsClient(`${srv.ws}/`, { window_s: 2 });
        try {
          const seqs: number[] = [];
          for (let i = 0; i < 3; i++) {
            const m = await ws.next(isMetrics, FIRST_MS, `metrics message ${i + 1}`);
            expect(metricsProblems(m.data, 2)).toEqual([]);
            expect(m.data["device_id"]).toBeUndefined(); // the default socket (§6)
            seqs.push(m.data["seq"] as number);
          }
          // default interval 100 ms: one message every 50 samples of the stream
          expect(seqs.slice(1).map((s, i) => s - seqs[i]!)).toEqual([50, 50]);
          const status = await ws.request("status");
          expect(status.data["subscriptions"]).toEqual([
            { stream: "metrics", options: { interval_ms: 100, window_s: 2 } },
          ]);

          // a per-device socket of the same options: the same message (same id) plus device_id
          const id = (await health(srv))["devices"][0]["device_id"] as string;
          const named = await metricsClient(`${srv.ws}/devices/${id}/ws`, {});
          try {
            const m = await named.next(isMetrics, FIRST_MS, "a per-device metrics message");
            const plain = await ws.next(
              (p) => isMetrics(p) && p.data["seq"] === m.data["seq"],
              5000,
              "the same seq on /",
            );
            expect({ id: m.id, data: m.data }).toEqual({
              id: plain.id,
              data: { ...plain.data, device_id: id },
            });
          } finally {
            named.close();
          }
        } finally {
          ws.close();
        }
      });
    },
    TEST_MS,
  );

  test(
    "a device that has streamed a window's worth already answers a new subscriber within one interval",
    async () => {
      await withMetricsBridge(runtime, [], async (srv) => {
        const ws = await connectWs(`${srv.ws}/`); // subscribed to eeg: its seqs say where the stream is
        try {
          const latest = () =>
            Math.max(
              -1,
              ...ws.messages.filter((m) => m.type === "eeg_data").map((m) =>
                m.data["seq"] as number
              ),
            );
          // 3 s streamed: the ring holds a full 2-s window before metrics is asked for
          await until(() => latest() >= 1500, FIRST_MS, "1500 samples of eeg_data");
          const before = latest();
          ws.skipAll();
          await ws.request("subscribe", { stream: "metrics", interval_ms: 100, window_s: 2 });
          const first = await ws.next(isMetrics, FIRST_MS, "the first metrics message");
          expect(metricsProblems(first.data, 2)).toEqual([]);
          // read from retention: it ends one hop (50 samples) after subscribing; a computation that
          // waited for a new window would end ≥ 999 samples after `before` whatever the lag. Below 900
          // leaves 850 samples (1.7 s) for eeg_data still in flight when `before` was read.
          const after = (first.data["seq"] as number) - before;
          expect({ after, within: after < 900 }).toEqual({ after, within: true });
        } finally {
          ws.close();
        }
      });
    },
    TEST_MS,
  );
  test(
    "out-of-range or unknown options are INVALID_PARAMETERS naming field and range; the socket goes on",
    async () => {
      await withMetricsBridge(runtime, [], async (srv) => {
        const ws = await connectWs(`${srv.ws}/`);
        try {
          await ws.request("unsubscribe", { stream: "eeg" });
          const interval = ["interval_ms", "33", "10000"];
          const windowS = ["window_s", "0.5", "10"];
          const cases: Array<[Record<string, unknown>, string[]]> = [
            [{ interval_ms: 32 }, interval],
            [{ interval_ms: 10_001 }, interval],
            [{ interval_ms: "x" }, interval],
            [{ interval_ms: 100.5 }, interval],
            [{ window_s: 0.4 }, windowS],
            [{ window_s: 11 }, windowS],
            [{ window_s: "2" }, windowS],
            [{ window: 2 }, ["window", "interval_ms", "window_s"]],
          ];
          for (const [options, words] of cases) {
            const reply = await ws.request("subscribe", { stream: "metrics", ...options });
            const message = String(reply.data["message"]);
            expect({ options, type: reply.type, code: reply.data["code"] })
              .toEqual({ options, type: "error", code: "INVALID_PARAMETERS" });
            expect({ options, missing: words.filter((w) => !message.includes(w)), message })
              .toEqual({ options, missing: [], message });
          }
          // nothing was subscribed by the refusals
          expect((await ws.request("status")).data["subscriptions"]).toEqual([]);
          // the range's ends are allowed, and echoed as the effective options
          for (
            const options of [{ interval_ms: 33, window_s: 0.5 }, {
              interval_ms: 10_000,
              window_s: 10,
            }]
          ) {
            const ack = await ws.request("subscribe", { stream: "metrics", ...options });
            expect({ type: ack.type, options: ack.data["options"] }).toEqual({
              type: "command_ack",
              options,
            });
            expect((await ws.request("unsubscribe", { stream: "metrics" })).type).toBe(
              "command_ack",
            );
          }
          ws.skipAll();
          const ack = await ws.request("subscribe", {
            stream: "metrics",
            interval_ms: 200,
            window_s: 1,
          });
          expect(ack.data["options"]).toEqual({ interval_ms: 200, window_s: 1 });
          const m = await ws.next(isMetrics, FIRST_MS, "a metrics message after the refusals");
          expect(metricsProblems(m.data, 1)).toEqual([]);
        } finally {
          ws.close();
        }
      });
    },
    TEST_MS,
  );

  test(
    "20 clients with equal options get the same encoded messages from one computation",
    async () => {
      await withMetricsBridge(runtime, ["--max-clients", "25"], async (srv) => {
        const options = { interval_ms: 200, window_s: 2 };
        const clients = await Promise.all(
          Array.from({ length: 20 }, () => metricsClient(`${srv.ws}/`, options)),
        );
        try {
          const bySeq = (ws: WsClient) =>
            new Map(ws.messages.filter(isMetrics).map((m) => [m.data["seq"] as number, m]));
          const common = () => {
            const maps = clients.map(bySeq);
            return [...maps[0]!.keys()].filter((seq) => maps.every((m) => m.has(seq)));
          };
          await until(() => common().length >= 3, FIRST_MS, "3 messages every client received");
          const maps = clients.map(bySeq);
          const seqs = common();
          const ids = new Set<unknown>();
          for (const seq of seqs) {
            const first = maps[0]!.get(seq)!;
            expect(first.id).toBeDefined();
            ids.add(first.id);
            // one computation, encoded once: the same id and the very same text on every socket
            const differing = maps.filter((m) => m.get(seq)!.raw !== first.raw).length;
            expect({ seq, differing }).toEqual({ seq, differing: 0 });
          }
          expect(ids.size).toBe(seqs.length); // each message is its own encoding
          expect(metricsProblems(maps[0]!.get(seqs[0]!)!.data, 2)).toEqual([]);
          const h = await health(srv);
          expect(h["devices"][0]["metrics"]).toEqual([{ ...options, subscribers: 20 }]);
        } finally {
          for (const ws of clients) ws.close();
        }
        // the computation goes with its last subscriber (closing is asynchronous: poll, bounded)
        await until(
          async () => ((await health(srv))["devices"][0]["metrics"] ?? []).length === 0,
          5000,
          "no computation left",
        );
      });
    },
    TEST_MS,
  );
});

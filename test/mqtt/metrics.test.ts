/**
 * @module The MQTT `metrics` topic (docs/protocol/bridge-api.md §7) against a real mosquitto, with the
 * bridge under Bun, Deno and Node replaying the known capture (test/_support/metrics-capture.ts):
 * the §2.6 data JSON (12 channels, window 2 s, figures as the content promises) at QoS 0, every
 * 500 samples (about once a second), computed once with a WebSocket client of the same options.
 */
import { describe, expect, test } from "bun:test";
import { RUNTIMES } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";
import { startBroker } from "../_support/mqtt/broker.ts";
import { json, subscribe } from "../_support/mqtt/subscriber.ts";
import type { Received } from "../_support/mqtt/subscriber.ts";
import { cleanupsAfterAll } from "../_support/mqtt/test-kit.ts";
import { health, until, withMetricsBridge } from "../_support/metrics-bridge.ts";
import { metricsProblems } from "../_support/metrics-expect.ts";
import { MQTT_METRICS_OPTIONS } from "../../src/protocol/metrics.ts";

const cleanups = cleanupsAfterAll();
/** 1000 ms at 500 samples a second: the replay's pace sets the topic's. */
const HOP = 500;

for (const runtime of RUNTIMES) {
  describe(`mqtt metrics topic (${runtime})`, () => {
    test(
      "the data JSON of a 2-s window every 500 samples at QoS 0, shared with a WebSocket of the same options",
      async () => {
        const broker = await startBroker();
        cleanups.push(() => broker.dispose());
        const bridgeId = `metrics-${runtime}`;
        const base = `mw75/${bridgeId}`;
        const sub = await subscribe(broker.url, `${base}/#`);
        cleanups.push(() => sub.close());
        const args = ["--mqtt", broker.url, "--bridge-id", bridgeId, "--max-clients", "4"];
        await withMetricsBridge(runtime, args, async (srv) => {
          const online = await sub.next((m) => m.topic === `${base}/status`, 10_000, "online");
          const devices = json(online)["devices"] as Array<{ device_id: string }>;
          const topic = `${base}/${devices[0]!.device_id}/metrics`;
          const metrics = () => sub.messages.filter((m) => m.topic === topic);

          // a WebSocket client of the MQTT options joins that computation rather than starting one
          const ws = await connectWs(`${srv.ws}/`);
          cleanups.push(() => ws.close());
          await ws.request("unsubscribe", { stream: "eeg" });
          const ack = await ws.request("subscribe", { stream: "metrics", ...MQTT_METRICS_OPTIONS });
          expect(ack.type).toBe("command_ack");
          expect((await health(srv))["devices"][0]["metrics"]).toEqual([
            { ...MQTT_METRICS_OPTIONS, subscribers: 2 },
          ]);

          // 2 s for the first window, then one a second: 4 messages by ~5 s of stream; 20 s
          // bounds a loaded machine starting the runtime
          await until(() => metrics().length >= 4, 20_000, `4 messages on ${topic}`);
          const got: Received[] = metrics().slice(0, 4);
          for (const m of got) {
            expect({ qos: m.qos, retain: m.retain }).toEqual({ qos: 0, retain: false });
            expect(metricsProblems(json(m), MQTT_METRICS_OPTIONS.window_s)).toEqual([]);
            expect(Object.keys(json(m))).not.toContain("device_id"); // the topic names the device
          }
          const seqs = got.map((m) => json(m)["seq"] as number);
          expect(seqs.slice(1).map((s, i) => s - seqs[i]!)).toEqual([HOP, HOP, HOP]);
          // once a second by the sample clock (arrival times would measure the machine's load)
          const times = got.map((m) => json(m)["timestamp"] as number);
          const steps = times.slice(1).map((t, i) => Math.round((t - times[i]!) * 10) / 10);
          expect(steps).toEqual([1, 1, 1]);

          // the WebSocket got the very same figures for the same window
          const last = seqs[3]!;
          const same = await ws.next(
            (m) => m.type === "metrics" && m.data["seq"] === last,
            5000,
            `the WebSocket's message for seq ${last}`,
          );
          expect(same.data).toEqual(json(got[3]!));
        });
      },
      40_000,
    );
  });
}

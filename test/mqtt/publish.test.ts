/**
 * @module The bridge as an MQTT publisher against a real mosquitto, under Bun, Deno and Node: the
 * retained online status and device states, every seq of two simulated devices exactly once for
 * 10 s, `eeg` frames byte-equal to the WebSocket's binary `eeg_batch`, events, the last will after
 * SIGKILL; and a broker that refuses the bridge's password.
 */
import { describe, expect, test } from "bun:test";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";
import { startBroker } from "../_support/mqtt/broker.ts";
import type { Broker } from "../_support/mqtt/broker.ts";
import { json, seqProblems, subscribe } from "../_support/mqtt/subscriber.ts";
import {
  cleanupsAfterAll,
  health,
  startPublishingBridge,
  until,
} from "../_support/mqtt/test-kit.ts";

const cleanups = cleanupsAfterAll();

for (const runtime of RUNTIMES) {
  describe(`mqtt publishing (${runtime})`, () => {
    test(
      "status, states, 10 s of samples of both devices' frames seq by seq, frames equal to eeg_batch, events, last will on SIGKILL",
      async () => {
        const broker = await startBroker();
        cleanups.push(() => broker.dispose());
        const bridgeId = `pub-${runtime}`;
        const base = `mw75/${bridgeId}`;
        const sub = await subscribe(broker.url, `${base}/#`);
        cleanups.push(() => sub.close());
        // 2000 samples/s (4× real time): what is checked is the frames' seqs, sizes and bytes,
        // not their pacing, so 10 s of samples (5000 a device) come in 2.5 s
        const srv = await startPublishingBridge(cleanups, {
          runtime,
          brokerUrl: broker.url,
          bridgeId,
          devices: 2,
          extra: ["--sim-rate-hz", "2000"],
        });
        expect(srv.stdout()).toContain(`mqtt: publishing to ${broker.url} under ${base}/`);

        const online = await sub.next((m) => m.topic === `${base}/status`, 10_000, "online status");
        expect(json(online)).toMatchObject({ online: true, bridge_id: bridgeId, runtime });
        expect(online.qos).toBe(1);
        expect((json(online)["devices"] as Array<{ device_id: string }>).map((d) => d.device_id))
          .toEqual(["sim-1", "sim-2"]);
        await sub.next(
          (m) => m.topic === `${base}/sim-1/eeg`,
          10_000,
          "first sim-1 frame",
        );

        // a WebSocket subscriber of the same options, and a marker that must reach the events topic
        const ws = await connectWs(`${srv.ws}/devices/sim-1/ws`);
        cleanups.push(() => ws.close());
        await ws.request("unsubscribe", { stream: "eeg" });
        // the publisher's options (docs/mqtt.md): this socket shares its batcher, so frames must be identical
        await ws.request("subscribe", {
          stream: "eeg_batch",
          format: "binary",
          num_samples: 50,
          interval_ms: 500,
          ref_drl: true,
        });
        const marker = await ws.request("marker", { label: "mqtt-check" });
        expect(marker.type).toBe("command_ack");
        // 10 s of samples of both devices reached the consumer (2.5 s at 2000/s); 20 s bounds a
        // loaded machine
        const reached = (device: string) => {
          const frames = sub.frames(device);
          const last = frames[frames.length - 1];
          return last !== undefined && last.firstSeq + last.count >= 5000;
        };
        await until(() => reached("sim-1") && reached("sim-2"), 20_000, "10 s of samples");
        ws.close();

        for (const device of ["sim-1", "sim-2"]) {
          const frames = sub.frames(device);
          expect({ device, firstSeq: frames[0]?.firstSeq }).toEqual({ device, firstSeq: 0 });
          expect({ device, problems: seqProblems(frames) }).toEqual({ device, problems: [] });
          const last = frames[frames.length - 1]!;
          expect(last.firstSeq + last.count).toBeGreaterThanOrEqual(5000); // 10 s of samples at 500 a second
          expect(frames.every((f) => f.bytes.byteLength === 36 + (12 * 4 + 8 + 2) * f.count)).toBe(
            true,
          );
          expect({ device, notFifty: frames.filter((f) => f.count !== 50).length }).toEqual({
            device,
            notFifty: 0,
          });
        }
        expect(
          sub.messages.filter((m) => m.topic.endsWith("/eeg")).every((m) =>
            m.qos === 0 && !m.retain
          ),
        ).toBe(true);

        const wsFrames = ws.messages.filter((m) => m.type === "__binary__").map((m) => m.bytes!);
        const seqOf = (bytes: Uint8Array) =>
          new DataView(bytes.buffer, bytes.byteOffset).getFloat64(16, true);
        // the WebSocket is a hop shorter than the broker: the consumer gets its newest frames a
        // little later (5 s bounds that on a loaded machine)
        const wsLast = Math.max(...wsFrames.map(seqOf));
        await until(
          () => sub.frames("sim-1").some((f) => f.firstSeq >= wsLast),
          5000,
          "the consumer has every frame the WebSocket got",
        );
        const bySeq = new Map(sub.frames("sim-1").map((f) => [f.firstSeq, f.bytes]));
        expect(wsFrames.length).toBeGreaterThan(20);
        let equal = 0;
        for (const bytes of wsFrames) {
          const seq = seqOf(bytes);
          const mine = bySeq.get(seq);
          expect({ seq, found: mine !== undefined }).toEqual({ seq, found: true });
          if (mine !== undefined && Buffer.compare(Buffer.from(mine), Buffer.from(bytes)) === 0) {
            equal++;
          }
        }
        expect(equal).toBe(wsFrames.length);

        const events = sub.messages.filter((m) => m.topic === `${base}/sim-1/events`).map(json);
        expect(events.find((e) => e["event_type"] === "marker")).toMatchObject({
          device_id: "sim-1",
          marker: { label: "mqtt-check" },
        });
        for (const device of ["sim-1", "sim-2"]) {
          const own = sub.messages.filter((m) => m.topic === `${base}/${device}/events`);
          expect(own.every((m) => m.qos === 1)).toBe(true);
          expect(
            own.map(json).find((e) =>
              e["event_type"] === "state_change" && e["to_state"] === "connected"
            ),
          ).toMatchObject({ device_id: device });
        }
        const h = await health(srv);
        expect(h["mqtt"]).toMatchObject({ connected: true, dropped: 0 });
        expect(h["mqtt"].published).toBeGreaterThan(200);

        // a late subscriber gets what is retained: the online status and each device's state, no frame
        const late = await subscribe(broker.url, `${base}/#`);
        cleanups.push(() => late.close());
        for (const device of ["sim-1", "sim-2"]) {
          const state = await late.next(
            (m) => m.topic === `${base}/${device}/state`,
            5000,
            `${device} retained state`,
          );
          expect(state.retain).toBe(true);
          expect(json(state)).toMatchObject({
            state: "connected",
            device_id: device,
            battery_level: 85,
          });
        }
        expect(
          (await late.next((m) => m.topic === `${base}/status`, 5000, "retained status")).retain,
        ).toBe(true);
        expect(late.messages.some((m) => m.topic.endsWith("/eeg") && m.retain)).toBe(false);

        srv.kill(); // SIGKILL: no goodbye, the broker publishes the last will
        const will = await sub.next(
          (m) => m.topic === `${base}/status` && json(m)["online"] === false,
          10_000,
          "last will",
        );
        expect(json(will)).toEqual({ online: false, bridge_id: bridgeId });
        const after = await subscribe(broker.url, `${base}/status`);
        cleanups.push(() => after.close());
        const retained = await after.next(() => true, 5000, "retained will");
        expect([retained.retain, json(retained)["online"]]).toEqual([true, false]);
      },
      45_000,
    );

    test(
      "a wrong password: a clear log line, mqtt.connected false, WebSocket clients still served",
      async () => {
        const broker: Broker = await startBroker({ users: { bridge: "right-password-42" } });
        cleanups.push(() => broker.dispose());
        const wrong = "wrong-password-17";
        const [bad, good] = await Promise.all([
          startServer(
            runtime,
            [
              "--autoconnect",
              "--mqtt",
              broker.url,
              "--mqtt-username",
              "bridge",
              "--bridge-id",
              "bad",
            ],
            20_000,
            { MW75_MQTT_PASSWORD: wrong },
          ),
          startServer(runtime, [
            "--autoconnect",
            "--mqtt",
            broker.url,
            "--mqtt-username",
            "bridge",
            "--mqtt-password",
            "right-password-42",
            "--bridge-id",
            "good",
          ]),
        ]);
        cleanups.push(() => bad.kill(), () => good.kill());
        await until(
          () => bad.stderr().includes("refused the login"),
          10_000,
          "the refused-login log line",
        );
        expect(bad.stderr()).toMatch(
          /ERROR - MQTT: the broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login .*--mqtt-password/,
        );
        const h = await health(bad);
        expect(h["mqtt"]).toMatchObject({ connected: false });
        expect(JSON.stringify(h) + bad.stderr() + bad.stdout()).not.toContain(wrong);
        await until(
          async () => (await health(good))["mqtt"]?.connected === true,
          10_000,
          "the right password connects",
        );
        expect(JSON.stringify(await health(good))).not.toContain("right-password-42");

        const ws = await connectWs(`${bad.ws}/`);
        cleanups.push(() => ws.close());
        const welcome = await ws.next((m) => m.type === "status", 5000, "welcome");
        expect(welcome.data["state"]).toBeDefined();
        await ws.next((m) => m.type === "eeg_data", 5000, "eeg_data despite the broker");
        ws.close();
      },
      40_000,
    );
  });
}

/** @module `remove_device` with `--mqtt` against a real mosquitto, under Bun, Deno and Node (docs/protocol/bridge-api.md §11): the removed device's retained state is emptied (a new subscriber gets none), the online status no longer lists it, the other devices keep theirs. */
import { describe, expect, test } from "bun:test";
import { RUNTIMES } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";
import { startBroker } from "../_support/mqtt/broker.ts";
import { json, subscribe } from "../_support/mqtt/subscriber.ts";
import type { Received } from "../_support/mqtt/subscriber.ts";
import { cleanupsAfterAll, startPublishingBridge, until } from "../_support/mqtt/test-kit.ts";

const cleanups = cleanupsAfterAll();

/** The retained messages a brand-new subscriber of `filter` gets, once `expected` topics have come (bounded). */
async function retainedNow(url: string, filter: string, expected: string[]): Promise<Received[]> {
  const sub = await subscribe(url, filter);
  try {
    // a broker sends every retained match right after the SUBACK: once the expected ones are in, so are the others
    await until(
      () => expected.every((t) => sub.messages.some((m) => m.topic === t)),
      5000,
      `retained ${expected.join(", ")}`,
    );
    return sub.messages.filter((m) => m.retain);
  } finally {
    await sub.close();
  }
}

for (const runtime of RUNTIMES) {
  describe(`mqtt and remove_device (${runtime})`, () => {
    test(
      "the removed device's retained state is emptied; the others keep theirs; the status lists the rest",
      async () => {
        const broker = await startBroker();
        cleanups.push(() => broker.dispose());
        const bridgeId = `rm-${runtime}`;
        const base = `mw75/${bridgeId}`;
        const state = (id: string) => `${base}/${id}/state`;
        const live = await subscribe(broker.url, `${base}/#`);
        cleanups.push(() => live.close());
        const srv = await startPublishingBridge(cleanups, {
          runtime,
          brokerUrl: broker.url,
          bridgeId,
          devices: 3,
        });
        await live.next(
          (m) => m.topic === state("sim-2") && json(m)["state"] === "connected",
          10_000,
          "sim-2 connected",
        );
        const before = await retainedNow(broker.url, `${base}/+/state`, [state("sim-2")]);
        expect(before.map((m) => m.topic).sort()).toEqual(["sim-1", "sim-2", "sim-3"].map(state));

        const ws = await connectWs(srv.ws);
        cleanups.push(() => ws.close());
        const ack = await ws.request("remove_device", { device_id: "sim-2" }, 15_000);
        expect([ack.type, ack.data["device_id"]]).toEqual(["command_ack", "sim-2"]);

        // the live subscriber sees the empty payload that clears it…
        const cleared = await live.next(
          (m) => m.topic === state("sim-2") && m.payload.length === 0,
          5000,
          "the empty retained sim-2 state",
        );
        // …after any state of sim-2 (QoS 1 keeps the order)
        const after = live.messages.slice(live.messages.indexOf(cleared) + 1);
        expect(after.filter((m) => m.topic.startsWith(`${base}/sim-2/`) && m.payload.length > 0))
          .toEqual([]);
        // a new subscriber gets sim-1's and sim-3's retained states and nothing of sim-2
        const retained = await retainedNow(broker.url, `${base}/#`, [
          state("sim-1"),
          state("sim-3"),
          `${base}/status`,
        ]);
        expect(retained.map((m) => m.topic).sort()).toEqual([
          `${base}/sim-1/state`,
          `${base}/sim-3/state`,
          `${base}/status`,
        ]);
        const status = json(retained.find((m) => m.topic === `${base}/status`)!);
        expect((status["devices"] as Array<{ device_id: string }>).map((d) => d.device_id))
          .toEqual(["sim-1", "sim-3"]);
        // sim-3 still publishes frames
        const from = live.messages.length;
        await live.next((m) => m.topic === `${base}/sim-3/eeg`, 5000, "a sim-3 frame", from);
      },
      60_000,
    );
  });
}

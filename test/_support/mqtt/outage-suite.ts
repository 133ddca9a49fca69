/**
 * @module The MQTT broker-outage suite, run for one runtime by each of test/mqtt/outage-{bun,deno,node}.test.ts
 * (one file per runtime, so that the parallel runner spreads the three over its workers).
 * A broker restart mid-stream, with a real mosquitto that keeps the subscriber's session
 * (so nothing is lost on the consumer's side): after a 3-s outage the bridge reconnects by itself
 * and every seq arrives exactly once (under Bun, Deno and Node); after a 12-s outage, longer than
 * the 10-s queue, the oldest frames are dropped and counted in /health.
 * Frames the broker had not confirmed when it went away are sent again, so a consumer may get one
 * or two of them twice (identical bytes); a repeat is allowed, a hole is not.
 * A frozen broker (SIGSTOP: connected, reading nothing; the bridge leaves it after 3 s of silence) does not slow the WebSocket side.
 */
import { describe, expect, test } from "bun:test";
import type { Runtime } from "../server-process.ts";
import { startBroker } from "./broker.ts";
import { seqProblems, subscribe, withoutRepeats } from "./subscriber.ts";
import type { ReceivedFrame } from "./subscriber.ts";
import { connectWs } from "../ws-client.ts";
import { cleanupsAfterAll, delay, health, startPublishingBridge, until } from "./test-kit.ts";

/** Streams, stops the broker for `outageMs`, restarts it, waits for the bridge to publish again; returns what was seen. */
async function restartScenario(
  cleanups: Array<() => Promise<void> | void>,
  runtime: Runtime,
  outageMs: number,
  reconnectWithinMs: number,
) {
  const broker = await startBroker({ persistent: true });
  cleanups.push(() => broker.dispose());
  const bridgeId = `outage-${runtime}-${outageMs}`;
  const base = `mw75/${bridgeId}`;
  // a persistent session: the restarted broker queues for it what arrives before it is back
  const sub = await subscribe(broker.url, `${base}/#`, {
    clientId: `test-${bridgeId}-${Date.now()}`,
    clean: false,
  });
  cleanups.push(() => sub.close());
  const srv = await startPublishingBridge(cleanups, {
    runtime,
    brokerUrl: broker.url,
    bridgeId,
    devices: 2,
  });
  await sub.next((m) => m.topic === `${base}/sim-2/eeg`, 10_000, "frames before the outage");
  // not a readiness wait: 1.5 s of frames before the outage (the seq-span check below counts them)
  await delay(1500);
  await broker.stop();
  await until(
    async () => (await health(srv))["mqtt"].connected === false,
    5000,
    "the bridge notices the outage",
  );
  await delay(outageMs);
  await broker.start();
  const restartedAt = Date.now();
  await until(
    async () => (await health(srv))["mqtt"].connected === true,
    reconnectWithinMs,
    "the bridge reconnects by itself",
  );
  const reconnectedAfterMs = Date.now() - restartedAt;
  const seen = sub.messages.length;
  // publishing resumes: new frames of both devices after the reconnection, then a second more
  await sub.next(
    (m) => m.topic === `${base}/sim-1/eeg`,
    5000,
    "sim-1 frames after the restart",
    seen,
  );
  await sub.next(
    (m) => m.topic === `${base}/sim-2/eeg`,
    5000,
    "sim-2 frames after the restart",
    seen,
  );
  // not a readiness wait: a second of frames after the reconnection (counted by the seq-span check)
  await delay(1000);
  const h = await health(srv);
  return { srv, sub, h, reconnectedAfterMs };
}

/** Samples missing between consecutive frames (0 for a complete sequence). */
const missingSamples = (frames: ReceivedFrame[]) =>
  frames.slice(1).reduce(
    (sum, f, i) => sum + f.firstSeq - (frames[i]!.firstSeq + frames[i]!.count),
    0,
  );

/** Registers the outage tests for `runtime`, with their clean-ups after the calling file. */
export function outageSuite(runtime: Runtime): void {
  const cleanups = cleanupsAfterAll();
  describe(`mqtt broker outages (${runtime})`, () => {
    test(
      "a frozen broker (SIGSTOP 4 s): WebSocket eeg_data keeps its 500/s, publishing catches up, losses only as counted",
      async () => {
        const broker = await startBroker();
        cleanups.push(() => broker.dispose());
        const base = `mw75/frozen-${runtime}`;
        const sub = await subscribe(broker.url, `${base}/#`);
        cleanups.push(() => sub.close());
        const srv = await startPublishingBridge(cleanups, {
          runtime,
          brokerUrl: broker.url,
          bridgeId: `frozen-${runtime}`,
          devices: 2,
        });
        await sub.next((m) => m.topic === `${base}/sim-1/eeg`, 10_000, "frames before the freeze");
        const ws = await connectWs(`${srv.ws}/devices/sim-1/ws`);
        cleanups.push(() => ws.close());
        await ws.next((m) => m.type === "eeg_data", 5000, "eeg_data");
        const from = ws.messages.length;
        const pid = broker.pid!;
        process.kill(pid, "SIGSTOP");
        cleanups.push(() => void (broker.running && process.kill(pid, "SIGCONT")));
        // the freeze under test: 4 s of WebSocket traffic while the broker reads nothing
        await delay(4000);
        const during = ws.messages.slice(from).filter((m) => m.type === "eeg_data").map((m) =>
          m.data["seq"] as number
        );
        process.kill(pid, "SIGCONT");
        // the rate under test: 4 s at 500/s is 2000; the 15 % margin (0.6 s) covers frames still in
        // flight to this process and a loaded machine's late timers, far from a stalled stream
        expect(during.length).toBeGreaterThan(4 * 500 * 0.85);
        expect(during.every((seq, i) => i === 0 || seq === during[i - 1]! + 1)).toBe(true);
        const seen = sub.messages.length;
        await sub.next(
          (m) => m.topic === `${base}/sim-2/eeg`,
          10_000,
          "frames after SIGCONT",
          seen,
        );
        // publishing has caught up once the bridge is connected with nothing queued; 10 s covers
        // the reconnection backoff (1-3 s) and draining 4 s of frames on a loaded machine
        await until(
          async () => {
            const m = (await health(srv))["mqtt"];
            return m.connected === true && m.queued === 0;
          },
          10_000,
          "publishing catches up after SIGCONT",
        );
        // frames published from here on arrive after every older one on the same connection: one
        // more of each device means the consumer holds everything the bridge sent before it
        const caughtUp = sub.messages.length;
        for (const device of ["sim-1", "sim-2"]) {
          await sub.next(
            (m) => m.topic === `${base}/${device}/eeg`,
            5000,
            `${device} after catch-up`,
            caughtUp,
          );
        }
        const h = await health(srv);
        let missing = 0;
        let mismatches = 0;
        for (const device of ["sim-1", "sim-2"]) {
          // silent for 3 s, the broker was left and its unconfirmed frames resent on a new connection; on
          // SIGCONT it still reads the old connection's, so a frame may arrive twice (identical bytes)
          const unique = withoutRepeats(sub.frames(device));
          missing += missingSamples(unique.frames);
          mismatches += unique.mismatches;
        }
        // 4 s fit in the 10-s queue: nothing is dropped, nothing is missing
        expect({ missing, mismatches, connected: h["mqtt"].connected }).toEqual({
          missing: h["mqtt"].dropped_samples,
          mismatches: 0,
          connected: true,
        });
        ws.close();
      },
      // the waits above add up to ~50 s in the worst case (start, 10 s, 5 s, 4 s, 10 s, 10 s, 2 × 5 s)
      60_000,
    );

    test(
      "3-s outage: reconnects by itself, every seq arrives (a resent frame at most twice), nothing dropped",
      async () => {
        const { srv, sub, h } = await restartScenario(cleanups, runtime, 3000, 15_000);
        for (const device of ["sim-1", "sim-2"]) {
          const { frames, repeats, mismatches } = withoutRepeats(sub.frames(device));
          expect({ device, firstSeq: frames[0]?.firstSeq }).toEqual({ device, firstSeq: 0 });
          expect({ device, problems: seqProblems(frames) }).toEqual({ device, problems: [] });
          // only what was unconfirmed at the loss (about one round trip of frames) may come twice
          expect({ device, few: repeats <= 3, mismatches }).toEqual({
            device,
            few: true,
            mismatches: 0,
          });
          const last = frames[frames.length - 1]!;
          expect(last.firstSeq + last.count).toBeGreaterThan(500 * 5); // 1.5 s before, 3 s out, 1 s after at least
        }
        expect(h["mqtt"]).toMatchObject({ connected: true, dropped: 0, dropped_samples: 0 });
        // the log lines come through a pipe the test reads on its own schedule: wait for them
        await until(
          () => (srv.stderr().match(/MQTT: connected to/g)?.length ?? 0) >= 2,
          5000,
          "the second 'MQTT: connected to' line",
        );
        expect(srv.stderr()).toContain("MQTT: lost the connection to");
        expect(srv.stderr().match(/MQTT: connected to/g)?.length).toBe(2);
      },
      // worst case of the waits: start, 10 s, 1.5 s, 5 s, 3 s, 15 s, 2 × 5 s, 1 s, 5 s (~55 s)
      65_000,
    );

    test(
      "12-s outage (longer than the queue): the oldest frames are dropped, counted, and those are what is missing",
      async () => {
        // the retries come at 1, 3, 7, 15 and 31 s after the loss: 12 s away (2 s beyond the queue)
        // brings the broker back ~3 s before the 15-s retry, which reconnects ~3 s after the
        // restart (a 15-s outage would wait for the 31-s one); a broker slow to start on a loaded
        // machine falls to the 31-s retry, ~19 s after the restart, still within the 25 s allowed
        const { sub, h } = await restartScenario(cleanups, runtime, 12_000, 25_000);
        expect(h["mqtt"].dropped).toBeGreaterThan(0);
        let missing = 0;
        for (const device of ["sim-1", "sim-2"]) {
          const { frames, mismatches } = withoutRepeats(sub.frames(device));
          expect([frames[0]?.firstSeq, mismatches]).toEqual([0, 0]);
          // one hole per device: the frames that were older than the 10 s kept while the broker was away
          expect({ device, holes: seqProblems(frames).length }).toEqual({ device, holes: 1 });
          missing += missingSamples(frames);
        }
        // only frames never handed to the broker are dropped (an unconfirmed one is resent instead,
        // the broker may have routed it): what is counted is exactly what is missing
        expect(missing).toBe(h["mqtt"].dropped_samples);
        // at least the outage beyond the 10-s queue (2 s of 12), per device, less 10 % for the
        // queue's frame granularity
        expect(h["mqtt"].dropped_samples).toBeGreaterThanOrEqual(2 * 2 * 500 * 0.9);
      },
      // the sum of the waits above, worst case: start ~5 s, first frames 10 s, 1.5 s, loss 5 s,
      // outage 12 s, reconnection 25 s, 2 × 5 s, 1 s: each wait fails with its own message first
      90_000,
    );
  });
}

/**
 * @module The bridge's LSL markers end to end (docs/protocol/bridge-api.md §10): two bridges at once,
 * the marker inlet (never a bridge's marker outlet) into events and recordings, the marker outlet in
 * LSL time, recovery after a restart on both sides. Loopback namespace only.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import { MarkerInlet } from "../../src/lsl/inlet/marker-inlet.ts";
import type { ReceivedMarker } from "../../src/lsl/inlet/types.ts";
import { LslOutlets, type Outlet } from "../../src/lsl/outlet/outlets.ts";
import { healthUntil, waitUntil } from "./conformance/helpers.ts";
import { keptLog, testTime } from "./lsl-inlet.ts";
import { requireLoopbackOnly } from "./netns.ts";
import { type Runtime, type ServerProcess, startServer } from "./server-process.ts";
import { connectWs, type Msg } from "./ws-client.ts";

// deno-lint-ignore no-explicit-any -- parsed JSON that the tests walk field by field
type Json = Record<string, any>;

/** The suite for one runtime (test/lsl/bridge-lsl-<runtime>.test.ts: one file each, so they run in parallel). */
export function lslMarkerSuite(runtime: Runtime): void {
  describe(`the bridge's LSL markers (${runtime})`, () => {
    const tag = `${runtime}${Math.random().toString(36).slice(2, 8)}`;
    const argsA = ["--autoconnect", "--lsl", "--lsl-name", `A_${tag}`, "--bridge-id", `a${tag}`];
    let a: ServerProcess;
    let b: ServerProcess | null = null;
    let stim: LslOutlets | null = null;
    let inlet: MarkerInlet | null = null;

    beforeAll(async () => {
      requireLoopbackOnly();
      a = await startServer(runtime, [...argsA, "--max-clients", "4"]);
    });
    afterAll(async () => {
      a?.kill();
      b?.kill();
      await inlet?.close();
      await stim?.close();
    });

    test(
      "two bridges at once: B's marker inlet reads a stimulus stream (never A's marker outlet) and follows its restart",
      async () => {
        const log = keptLog();
        const recordings = mkdtempSync(join(tmpdir(), "mw75-lsl-"));
        const outlets = stim = await LslOutlets.start({
          scope: "site",
          sessionId: "default",
          hostname: "stimhost",
          time: testTime,
          clock: systemClock,
          log,
        });
        const describeStim = {
          name: `Stim_${tag}`,
          type: "Markers",
          channelCount: 1,
          channelFormat: "string",
          nominalSrate: 0,
          sourceId: `stim-${tag}`,
          desc: [],
        } as const;
        let outlet: Outlet = await outlets.open(describeStim);
        // B's query matches the stimulus stream, A's marker outlet and B's own: it reads only the first
        b = await startServer(runtime, [
          "--autoconnect",
          "--lsl",
          "--lsl-name",
          `B_${tag}`,
          "--bridge-id",
          `b${tag}`,
          "--lsl-markers",
          `type='Markers' and contains(name,'${tag}')`,
          "--recordings-dir",
          recordings,
          "--record",
          "csv",
        ]);
        const ready = (h: Json) =>
          h["lsl"]?.inlets?.some((i: Json) => i.connected && i.time_correction_ms !== null);
        await healthUntil(b, ready, 10_000, "B's inlet connected with a time estimate");
        const ws = await connectWs(b.ws);
        await ws.request("subscribe", { stream: "events" });
        const isMarker = (label: string) => (m: Msg) =>
          m.type === "event" && m.data["event_type"] === "marker" &&
          (m.data["marker"] as Record<string, unknown>)["label"] === label;
        const pushedAt = testTime.now() - 0.25; // a marker stamped in the past lands at its sample
        outlet.pushString("m1", pushedAt);
        const m1 = (await ws.next(isMarker("m1"), 5000, "m1")).data["marker"] as Json;
        expect(m1["source"]).toBe(`lsl:Stim_${tag}@stimhost`);
        // the stamp, not the arrival: within 5 ms of the push time (two processes' Unix readings)
        expect(Math.abs(m1["timestamp"] - testTime.toUnix(pushedAt))).toBeLessThan(0.005);
        expect(typeof m1["seq"]).toBe("number");
        // …and in the running recording at that sample (the events file is flushed within 1 s)
        const row = `,m1,,${m1["seq"]}\n`;
        const eventsFile = () =>
          readdirSync(recordings).filter((f) => f.endsWith("_events.csv")).map((f) =>
            readFileSync(join(recordings, f), "utf8")
          ).join("");
        await waitUntil(() => eventsFile().includes(row), 5000, `the events row ${row.trim()}`);
        // the stimulus outlet restarts: same source_id, new uid; B follows it by itself
        await outlet.close();
        outlet = await outlets.open(describeStim);
        await healthUntil(
          b,
          (h) => h["lsl"].inlets.some((i: { connected: boolean; markers: number }) => i.connected),
          10_000,
          "B reconnected to the restarted stimulus stream",
        );
        await waitUntil(
          async () => {
            outlet.pushString("m2", testTime.now());
            return await ws.next(isMarker("m2"), 500, "m2").then(() => true, () => false);
          },
          10_000,
          "m2 through the restarted stream",
        );
        const inlets = (await healthUntil(b, () => true, 1000, "health"))["lsl"].inlets;
        expect(inlets.map((i: { name: string }) => i.name)).toEqual([`Stim_${tag}`]);
        ws.close();
      },
      60_000,
    );

    test(
      "a restarted bridge is picked up by the same inlet; its marker outlet stamps markers in LSL time",
      async () => {
        const got: ReceivedMarker[] = [];
        inlet = MarkerInlet.start({
          query: `name='A_${tag}_Markers'`,
          scope: "site",
          sessionId: "default",
          knownPeers: [],
          time: testTime,
          clock: systemClock,
          log: keptLog(),
          ownUids: () => new Set(),
          onMarker: (m) => void got.push(m),
        });
        const post = async (srv: ServerProcess, label: string) => {
          const res = await fetch(`${srv.http}/markers`, {
            method: "POST",
            body: JSON.stringify({ label }),
          });
          expect(res.status).toBe(201);
          return (await res.json()) as Json;
        };
        await waitUntil(
          () => inlet!.figures().some((f) => f.connected),
          10_000,
          "inlet on A's marker outlet",
        );
        const a1 = await post(a, "a1");
        await waitUntil(() => got.some((m) => m.label === "a1"), 5000, "a1");
        const r1 = got.find((m) => m.label === "a1")!;
        const a1Time = (a1["marker"] ?? a1)["timestamp"] as number;
        expect(Math.abs(r1.lslTime - testTime.fromUnix(a1Time))).toBeLessThan(0.005);
        // SIGKILL, then the same command line: same source_id, new uid
        a.kill();
        await a.exited;
        a = await startServer(runtime, [...argsA, "--max-clients", "4"]);
        await waitUntil(
          async () => {
            await post(a, "a2");
            return got.some((m) => m.label === "a2");
          },
          15_000,
          "a2 from the restarted bridge",
        );
        expect(got.filter((m) => m.label === "a1")).toHaveLength(1);
      },
      60_000,
    );
  });
}

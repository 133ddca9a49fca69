/**
 * @module The bridge's LSL side end to end (docs/protocol/bridge-api.md §10), our inlet against our
 * outlet, on Bun, Deno and Node: discovery in each scope, fullinfo, the feed equal to the WebSocket
 * stream with timestamps equal to its sample clock, time correction ≈ 0, the marker outlet and inlet,
 * recovery after a restart, two bridges at once. Runs only inside the loopback-only namespace.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import { openFeed } from "../../src/lsl/inlet/feed-reader.ts";
import type { FeedSample } from "../../src/lsl/wire/feed-decode.ts";
import { MarkerInlet } from "../../src/lsl/inlet/marker-inlet.ts";
import type { ReceivedMarker } from "../../src/lsl/inlet/types.ts";
import { LslOutlets, type Outlet } from "../../src/lsl/outlet/outlets.ts";
import { readXml } from "../../src/lsl/wire/info-read.ts";
import type { XmlElement } from "../../src/lsl/wire/stream-info.ts";
import { healthUntil, waitUntil } from "../_support/conformance/helpers.ts";
import {
  fullinfo,
  keptLog,
  readSamples,
  resolve,
  testTime,
  timeCorrection,
} from "../_support/lsl-inlet.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { RUNTIMES, type ServerProcess, startServer } from "../_support/server-process.ts";
import { connectWs, type Msg } from "../_support/ws-client.ts";

// deno-lint-ignore no-explicit-any -- parsed JSON that the tests walk field by field
type Json = Record<string, any>;

const text = (e: XmlElement | undefined, name: string) =>
  e?.children.find((c) => c.name === name)?.text;

/** Every sample of the eeg_batch messages: seq, sample-clock time, the 14 values as float32. */
function wsSamples(msgs: Msg[]): { seq: number; t: number; values: number[] }[] {
  const out = [];
  for (const m of msgs.filter((m) => m.type === "eeg_batch")) {
    const d = m.data as Json;
    for (let i = 0; i < d["count"]; i++) {
      const values = [d["ref"][i], d["drl"][i]];
      for (let c = 1; c <= 12; c++) values.push(d["channels"][`ch${c}`][i]);
      out.push({
        seq: d["first_seq"] + i,
        t: d["timestamps"][i],
        values: values.map((v) => (v === null ? NaN : Math.fround(v))),
      });
    }
  }
  return out;
}

for (const runtime of RUNTIMES) {
  describe(`the bridge's LSL (${runtime})`, () => {
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
      "its outlets are found in each scope, and the fullinfo describes the 14 channels",
      async () => {
        const h = await healthUntil(a, (h) => h["lsl"]?.outlets?.length === 2, 5000, "two outlets");
        const [eeg, markers] = h["lsl"].outlets;
        expect(eeg).toMatchObject({ device_id: "sim-1", name: `A_${tag}`, type: "EEG" });
        expect(markers).toMatchObject({ name: `A_${tag}_Markers`, type: "Markers" });
        expect(a.stdout()).toContain("no authentication: anyone within the site scope can read");
        // site and link: multicast (and the broadcast, which has no route here); machine: unicast
        // to 16571 reaches one process only when several bridges run, so liblsl's peer sweep too
        const query = `name='A_${tag}'`;
        for (const scope of ["site", "link"] as const) {
          const [found] = await resolve(query, scope, 5000);
          expect(found).toMatchObject({
            uid: eeg.uid,
            sourceId: `a${tag}/sim-1`,
            v4address: "127.0.0.1",
          });
        }
        const [byPeer] = await resolve(query, "machine", 5000, { knownPeers: ["127.0.0.1"] });
        expect(byPeer!.uid).toBe(eeg.uid);
        const full = await fullinfo(byPeer!);
        expect(full).toMatchObject({
          channelCount: 14,
          channelFormat: "float32",
          nominalSrate: 500,
        });
        const desc = { name: "desc", text: "", children: [...full.desc] };
        const channels = desc.children.find((c) => c.name === "channels")!.children;
        expect(channels.map((c) => text(c, "label"))).toEqual([
          "REF",
          "DRL",
          ...Array.from({ length: 12 }, (_, i) => `Ch${i + 1}`),
        ]);
        expect(channels.map((c) => text(c, "type"))).toEqual([
          "MISC",
          "MISC",
          ...Array(12).fill("EEG"),
        ]);
        const acquisition = desc.children.find((c) => c.name === "acquisition");
        expect(text(acquisition, "model")).toBe("MW75 Neuro");
        expect(text(acquisition, "synthetic")).toBe("true");
        expect(readXml("<x/>").name).toBe("x"); // the reader used above is the inlet's own
      },
      30_000,
    );

    test(
      "the feed equals the WebSocket stream sample by sample, stamped with its sample clock in LSL time",
      async () => {
        const ws = await connectWs(a.ws);
        await ws.request("subscribe", { stream: "eeg_batch", num_samples: 50, format: "json" });
        const [info] = await resolve(`name='A_${tag}'`, "site", 5000);
        const lsl = await readSamples(info!, 500, 10_000);
        const last = lsl[lsl.length - 1]!.values.map(Number);
        const same = (x: number[], y: number[]) => x.every((v, k) => Object.is(v, y[k]));
        // the WebSocket subscription began first; wait (bounded) until it has passed the feed's last sample
        await waitUntil(() => wsSamples(ws.messages).some((s) => same(s.values, last)), 5000, "ws");
        ws.close();
        const all = wsSamples(ws.messages);
        const k = all.findIndex((s) => same(s.values, lsl[0]!.values.map(Number)));
        expect(k).toBeGreaterThanOrEqual(0);
        const offsets: number[] = [];
        lsl.forEach((sample, i) => {
          const w = all[k + i]!;
          expect(w.seq).toBe(all[k]!.seq + i); // the simulator loses nothing: consecutive seq
          expect(sample.values.map(Number)).toEqual(w.values);
          offsets.push(sample.timestamp - w.t);
        });
        // one constant maps the sample clock (Unix s) to LSL time: every sample within 2 µs of it
        // (the outlet sends a timestamp explicitly unless the deduced one is within 1 µs)
        const spread = Math.max(...offsets) - Math.min(...offsets);
        expect(spread).toBeLessThan(2e-6);
        // …and that constant is the Unix-to-CLOCK_MONOTONIC offset this process measures too: both
        // read the same two clocks (50 ms bound; a Unix-stamped outlet would be 1.8e9 s off)
        expect(Math.abs(-offsets[0]! - testTime.toUnix(0))).toBeLessThan(0.05);
        // same machine, same CLOCK_MONOTONIC: the correction is the probes' asymmetry, far below 2 ms
        const tc = await timeCorrection(info!);
        expect(tc).not.toBeNull();
        expect(Math.abs(tc!)).toBeLessThan(0.002);
      },
      30_000,
    );

    test(
      "bad input — a query flood, garbage, a wrong uid, an oversize request, a consumer that never reads — disturbs no one",
      async () => {
        const [info] = await resolve(`name='A_${tag}'`, "site", 5000);
        const ws = await connectWs(a.ws);
        await ws.request("subscribe", { stream: "eeg_batch", num_samples: 25, format: "json" });
        const samples: FeedSample[] = [];
        const feed = openFeed({
          info: info!,
          hostname: "test",
          sessionId: "default",
          clock: systemClock,
          onOpen: () => {},
          onSamples: (s) => void samples.push(...s),
          onEnd: () => {},
        });
        const talk = (request: string) =>
          new Promise<string>((done) => {
            const socket = net.createConnection({ host: "127.0.0.1", port: info!.v4dataPort });
            let reply = "";
            socket.on("data", (d) => (reply += d.toString("latin1")));
            socket.on("error", () => {});
            socket.on("close", () => done(reply));
            socket.on("connect", () => socket.write(request));
          });
        // a consumer that never reads: its request goes out, then its socket is paused for good
        const stalled = net.createConnection({ host: "127.0.0.1", port: info!.v4dataPort });
        stalled.on("error", () => {});
        stalled.on("connect", () => {
          stalled.write(`LSL:streamfeed/110 ${info!.uid}\r\nMax-Buffer-Length: 180000\r\n\r\n`);
          stalled.pause();
        });
        expect(await talk(`LSL:streamfeed/110 not-the-uid\r\nValue-Size: 4\r\n\r\n`)).toStartWith(
          "LSL/110 404",
        );
        expect(await talk("x".repeat(20_000))).toBe(""); // oversize: closed without a word
        expect(await talk("LSL:nonsense\r\n\r\n")).toBe("");
        // 3000 datagrams at every responder on this machine: garbage, unsupported and real queries
        const flood = dgram.createSocket("udp4");
        await new Promise<void>((r) => flood.bind(0, "127.0.0.1", () => r()));
        const port = flood.address().port;
        const before = (await healthUntil(a, () => true, 1000, "health"))["lsl"].discovery;
        for (let i = 0; i < 1000; i++) {
          flood.send(`\u0000\u00ff garbage ${i}`, 16571, "239.255.172.215");
          flood.send(
            `LSL:shortinfo\r\nname[1]='${i}'\r\n${port} ${i}\r\n`,
            16571,
            "239.255.172.215",
          );
          flood.send(
            `LSL:shortinfo\r\nname='nobody'\r\n${port} q${i}\r\n`,
            16571,
            "239.255.172.215",
          );
          // paced a little, or the kernel drops most of a burst at the socket's receive buffer
          if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
        }
        // some of it arrives: a full receive buffer drops datagrams (Deno reads a burst slowly and
        // saw ~1 in 6 here), so 100 counted is the bound — it shows garbage is counted, not crashed on
        const after = await healthUntil(
          a,
          (h) => h["lsl"].discovery.malformed >= before.malformed + 100,
          5000,
          "the garbage counted",
        );
        flood.close();
        expect(after["lsl"].discovery.queries).toBeGreaterThan(before.queries);
        // the reading consumer and the WebSocket client go on, every sample one period after the last
        const n = samples.length;
        await waitUntil(() => samples.length >= n + 500, 5000, "500 more samples on the feed");
        await feed.close();
        stalled.destroy();
        const steps = samples.slice(1).map((s, i) => s.timestamp - samples[i]!.timestamp);
        // no sample lost: a lost one is a 2-ms jump; the sample clock's refit moves a step by < 0.5 ms
        expect(steps.filter((d) => Math.abs(d - 0.002) > 0.0005)).toEqual([]);
        const seqs = wsSamples(ws.messages).map((w) => w.seq);
        expect(seqs.slice(1).filter((q, i) => q !== seqs[i]! + 1)).toEqual([]);
        expect(seqs.length).toBeGreaterThan(500);
        ws.close();
      },
      30_000,
    );

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

/** @module Conformance scenarios for eeg_batch resume from the ring (since_seq, docs/protocol/bridge-api.md §2.5) and for slow batch subscribers. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { WsClient } from "../ws-client.ts";
import {
  delay,
  healthUntil,
  isEeg,
  isStatus,
  openWelcomed,
  since,
  waitUntil,
  withServer,
} from "./helpers.ts";
import {
  eegBySeq,
  expectConsecutive,
  frameSeqs,
  framesOf,
  isBatch,
  isBinary,
  untilCount,
} from "./stream-helpers.ts";
import type { Frame } from "./stream-helpers.ts";

// --- resume (since_seq) ---

const BINARY_CH1 = { stream: "eeg_batch", format: "binary", num_samples: 25, channels: [1] };

/** Closes `c` and waits (bounded) until its socket is gone. */
async function closeAndWait(c: WsClient): Promise<void> {
  c.close();
  await Promise.race([
    c.closed,
    // a local close takes ms; 3 s only bounds a loaded machine
    delay(3000).then(() => Promise.reject(new Error("socket did not close within 3 s"))),
  ]);
}

/**
 * A client that reconnects and resubscribes with since_seq = last seen + 1 gets every seq exactly
 * once, while another client keeps the device streaming.
 */
export async function resumeAfterReconnect(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "2"], async (_srv, open) => {
    const { c: holder } = await openWelcomed(open); // keeps eeg_data: the reference values
    await holder.request("connect", {});
    await holder.next(isStatus("connected"), 5000);

    const { c: r } = await openWelcomed(open);
    await r.request("unsubscribe", { stream: "eeg" });
    const sub = await r.request("subscribe", BINARY_CH1);
    // 14 frames of 25 = 350 seqs (0.7 s at 500 Hz); 5 s only bounds a loaded machine
    await untilCount(r, r.messages.indexOf(sub), isBinary, 14, 5000, "frames before the reconnect");
    await closeAndWait(r);
    const before = frameSeqs(framesOf(r.messages));
    expect(before.length).toBeGreaterThan(300);
    expectConsecutive(before, "seqs before the reconnect");
    await delay(1000); // the time away, which the resume must replay from the ring

    const { c: r2 } = await openWelcomed(open);
    await r2.request("unsubscribe", { stream: "eeg" });
    const next = before.at(-1)! + 1;
    const ack = await r2.request("subscribe", { ...BINARY_CH1, since_seq: next });
    expect(ack.data).toEqual({
      command: "subscribe",
      stream: "eeg_batch",
      options: {
        format: "binary",
        num_samples: 25,
        interval_ms: 100,
        decimate: 1,
        channels: [1],
        ref_drl: false,
        since_seq: next,
      },
    });
    // the ~500 seqs of the time away, replayed, then live ones: 36 frames of 25 = 900 seqs;
    // 8 s only bounds a loaded machine
    await untilCount(r2, r2.messages.indexOf(ack), isBinary, 36, 8000, "frames after the resume");
    const frames = framesOf(since(r2, r2.messages.indexOf(ack)));
    for (const f of frames) expect(f.count).toBeLessThanOrEqual(25);
    const after = frameSeqs(frames);
    expect(after[0]).toBe(next);
    expect(after.length).toBeGreaterThan(800); // more than the time away: replay ran into live
    expectConsecutive([...before, ...after], "seqs across the reconnect");
    expect((await holder.request("status")).data["device_state"]).toBe("connected");
    // replayed from the ring or live, the values are the device's
    const reference = eegBySeq(holder.messages);
    let compared = 0;
    for (const f of [...framesOf(r.messages), ...frames]) {
      for (let i = 0; i < f.count; i++) {
        const e = reference.get(f.firstSeq + i);
        if (e === undefined) continue;
        compared++;
        expect(f.planes.get(1)![i]).toBe(Math.fround(e["channels"]["ch1"]));
      }
    }
    expect(compared).toBeGreaterThan(1200); // 350 + 900 frames' seqs were waited for
  });
}

/**
 * since_seq older than the ring: the ring (a fixed 30 000 samples, 60 s at 500 Hz) wraps in 1.5 s
 * with the simulator at 20 kHz, so since_seq 0 gets `resumed_from` = the oldest retained seq in the
 * ack's options and the replay starts there.
 */
export async function resumeOlderThanRing(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-rate-hz", "20000"], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("unsubscribe", { stream: "eeg" });
    await c.request("subscribe", { ...BINARY_CH1, num_samples: 500 });
    await c.request("connect", {});
    const deadline = Date.now() + 10_000;
    const newest = () => {
      const last = c.messages.findLast(isBinary);
      return last === undefined ? -1 : frameSeqs([framesOf([last])[0]!]).at(-1)!;
    };
    while (newest() < 40_000) {
      if (Date.now() > deadline) {
        throw new Error(`the 20 kHz stream reached only seq ${newest()} in 10 s`);
      }
      await delay(50);
    }

    const ack = await c.request("subscribe", { ...BINARY_CH1, num_samples: 5000, since_seq: 0 });
    const seenAtAck = newest();
    const options = ack.data["options"] as Record<string, number>;
    expect(options["since_seq"]).toBe(0);
    expect(typeof options["resumed_from"]).toBe("number");
    expect(options["resumed_from"]).toBeGreaterThan(seenAtAck - 32_000);
    expect(options["resumed_from"]).toBeLessThanOrEqual(seenAtAck);
    const from = c.messages.indexOf(ack);
    await untilCount(c, from, isBinary, 8, 5000, "replayed frames");
    const replay: Frame[] = framesOf(since(c, from));
    // the ring moves on at 20 samples/ms while the replay starts
    expect(replay[0]!.firstSeq).toBeGreaterThanOrEqual(options["resumed_from"]!);
    expect(replay[0]!.firstSeq).toBeLessThan(options["resumed_from"]! + 2000);
    expectConsecutive(frameSeqs(replay), "the replay from the oldest retained seq on");
  });
}

/**
 * since_seq ahead of the stream: the first sample sent is since_seq itself, nothing before it
 * (§2.2). Three clients ask for three consecutive seqs, so at most one of them can fall on the
 * first sample of a chunk (the simulator delivers 4–5 samples per 10-ms chunk).
 */
export async function resumeAheadOfStream(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "3"], async (_srv, open) => {
    const clients = await Promise.all([openWelcomed(open), openWelcomed(open), openWelcomed(open)])
      .then((l) => l.map((w) => w.c));
    await clients[0]!.request("connect", {});
    await untilCount(clients[0]!, 0, isEeg, 50, 5000, "eeg_data");
    const latest = clients[0]!.messages.findLast(isEeg)!.data["seq"] as number;
    // 0.6 s ahead at 500 Hz: the subscribes are answered within a few ms on an idle machine, so a
    // loaded one has 0.6 s of room (the check below fails the test if the stream got there first);
    // more than 1 s ahead would be taken for a seq of an earlier process (FUTURE_SLACK) and go live
    const ahead = latest + 300;
    const acks = await Promise.all(
      clients.map((c, k) =>
        c.request("subscribe", { stream: "eeg_batch", num_samples: 10, since_seq: ahead + k })
      ),
    );
    // client 0 gets eeg_data too: the last one before its ack is where the stream was then
    const before = clients[0]!.messages.slice(0, clients[0]!.messages.indexOf(acks[0]!));
    const streamAtAck = before.findLast(isEeg)!.data["seq"] as number;
    expect(streamAtAck).toBeLessThan(ahead);
    const wrong: string[] = [];
    for (const [k, c] of clients.entries()) {
      const options = acks[k]!.data["options"] as Record<string, unknown>;
      expect(options["since_seq"]).toBe(ahead + k);
      expect("resumed_from" in options).toBe(false);
      const from = c.messages.indexOf(acks[k]!);
      await untilCount(c, from, isBatch, 2, 5000, "batches after since_seq");
      const first = since(c, from).find(isBatch)!.data;
      if (first["first_seq"] !== ahead + k) {
        wrong.push(`since_seq ${ahead + k} → first eeg_batch first_seq ${first["first_seq"]}`);
      }
    }
    if (wrong.length > 0) {
      throw new Error(
        `subscribe with since_seq ahead of the stream (at seq ${latest}) sent earlier samples: ${
          wrong.join("; ")
        }`,
      );
    }
  });
}

// --- slow subscribers ---

/**
 * A paused binary subscriber sheds whole batches, counted in its status reply, while a fast one
 * with the same subscription keeps every seq; control messages reach the paused one in order. The
 * simulator runs at 50 kHz and the backlog limit is 1 KiB so the kernel buffers fill within ~2 s.
 */
export async function slowBatchSubscriber(runtime: Runtime): Promise<void> {
  await withServer(runtime, [
    "--max-clients",
    "2",
    "--sim-rate-hz",
    "50000",
    "--client-buffer-bytes",
    "1024",
  ], async (srv, open) => {
    const { c: fast } = await openWelcomed(open);
    const { c: slow } = await openWelcomed(open);
    // interval 10 s: at 50 kHz every batch closes by count, so every frame holds 25 samples
    const options = {
      stream: "eeg_batch",
      format: "binary",
      num_samples: 25,
      interval_ms: 10_000,
      ref_drl: true,
    };
    for (const c of [fast, slow]) {
      await c.request("unsubscribe", { stream: "eeg" });
      await c.request("subscribe", options);
    }
    await fast.request("connect", {});
    await slow.next(isBinary, 5000);
    slow.pause();
    // the backlog is full once shedding starts (~1-2 s at 50 kHz); 10 s only bounds a loaded machine
    await healthUntil(srv, (h) => h["shed"] > 0, 10_000, "a paused subscriber shedding");
    // the notes go out while it sheds, and it sheds on for a while behind them (that span is the
    // scenario: control messages are never shed)
    for (let i = 0; i < 5; i++) fast.send({ id: `note-${i}`, type: "broadcast", data: { i } });
    await delay(300);
    slow.resume();
    const st = await slow.request("status", undefined, 15_000);
    expect(st.data["shed_messages"] as number).toBeGreaterThan(0);
    expect(slow.messages.filter((m) => m.type === "broadcast").map((m) => m.id)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `note-${i}`),
    );
    expect(slow.isClosed).toBe(false);
    // caught up = a 0.3-s span between two status replies in which frames arrived (10 = 5 ms of
    // the 50-kHz stream) and its shed count did not move; on a loaded machine the reader (or a
    // stalled server) may need a few tries, bounded, to get there
    let caughtUp = -1;
    let final = st;
    let settled = false;
    for (let tries = 0; tries < 20 && !settled; tries++) {
      const before = await slow.request("status", undefined, 5000);
      caughtUp = slow.messages.indexOf(before);
      await delay(300);
      final = await slow.request("status", undefined, 5000);
      const frames = slow.messages.slice(caughtUp, slow.messages.indexOf(final)).filter(isBinary);
      const steady = final.data["shed_messages"] === before.data["shed_messages"];
      settled = steady && frames.length >= 10;
    }
    // the checks after catching up need a window that really had frames and shed none
    expect(settled).toBe(true);
    const lastSlow = frameSeqs(framesOf(slow.messages.slice(0, slow.messages.indexOf(final))))
      .at(-1)!;
    // the fast client's copy of everything the slow one got (it is a few ms behind at most)
    await waitUntil(
      () => (frameSeqs(framesOf(fast.messages)).at(-1) ?? -1) >= lastSlow,
      5000,
      "the fast client's frames to reach the slow one's last seq",
    );

    const fastFrames = framesOf(fast.messages);
    const slowFrames = framesOf(slow.messages.slice(0, slow.messages.indexOf(final)));
    for (const f of [...fastFrames, ...slowFrames]) expect(f.count).toBe(25);
    const fastSeqs = frameSeqs(fastFrames);
    expectConsecutive(fastSeqs, "the fast client's seqs");
    expect((await fast.request("status")).data["shed_messages"]).toBe(0);
    // every frame the slow client got is one the fast client got, value for value
    const fastRef = new Map<number, number>();
    for (const f of fastFrames) {
      for (let i = 0; i < f.count; i++) fastRef.set(f.firstSeq + i, f.ref![i]!);
    }
    for (const f of slowFrames) {
      for (let i = 0; i < f.count; i++) {
        const seq = f.firstSeq + i;
        if (!fastRef.has(seq) || !Object.is(fastRef.get(seq), f.ref![i])) {
          throw new Error(`slow frame ${f.firstSeq}: seq ${seq} differs from the fast client's`);
        }
      }
    }
    const slowSeqs = frameSeqs(slowFrames);
    for (let i = 1; i < slowSeqs.length; i++) {
      if (slowSeqs[i]! <= slowSeqs[i - 1]!) {
        throw new Error(`slow client got seq ${slowSeqs[i]} twice`);
      }
    }
    const span = fastSeqs.filter((s) => s >= slowSeqs[0]! && s <= slowSeqs.at(-1)!).length;
    // whole batches only: the missing samples are exactly the shed frames × 25
    expect(span - slowSeqs.length).toBe((final.data["shed_messages"] as number) * 25);
    expectConsecutive(
      frameSeqs(framesOf(slow.messages.slice(caughtUp, slow.messages.indexOf(final)))),
      "the slow client's seqs after catching up",
    );
  });
}

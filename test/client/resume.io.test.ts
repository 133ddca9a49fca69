/**
 * @module Resume across a dropped connection: a TCP proxy between the client and a live bridge is
 * cut (or black-holed, for liveness); the client reconnects through it and resubscribes with
 * since_seq, so the consumer sees every seq exactly once — or hears what was lost.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type {
  BridgeClient,
  CloseInfo,
  DataLoss,
  EegBatch,
  Subscription,
} from "../../src/client/mod.ts";
import { startProxy } from "../_support/client/tcp-proxy.ts";
import {
  batchSeqs,
  delay,
  seqProblems,
  until,
  webSocketClass,
  withBridge,
} from "../_support/client/live-server.ts";

const WebSocket = await webSocketClass();

/** What a test watches on one client. */
function watch(client: BridgeClient, sub: Subscription<EegBatch>) {
  const w = {
    seqs: [] as number[],
    losses: [] as DataLoss[],
    closes: [] as CloseInfo[],
    opens: 0,
    sinceSeqs: [] as unknown[],
    done: Promise.resolve(),
  };
  client.on("data_loss", (l) => w.losses.push(l));
  client.on("close", (c) => w.closes.push(c));
  client.on("open", () => w.opens++);
  client.on(
    "command_ack",
    (ack) =>
      void (ack.command === "subscribe" &&
        w.sinceSeqs.push((ack["options"] as Record<string, unknown>)["since_seq"])),
  );
  w.done = (async () => {
    for await (const b of sub) w.seqs.push(...batchSeqs(b));
  })();
  return w;
}

/**
 * The simulator 4× faster than real time, for tests that count samples and resume by seq: pacing is
 * not what they check, and the 300-ms-class gaps they cut stay far inside the 60-s default
 * retention (≥ 15 s of samples at this rate).
 */
const FAST_SIM = ["--sim-rate-hz", "2000"];

describe("BridgeClient resume", () => {
  test("a cut connection resumes with every seq exactly once", async () => {
    await withBridge(["--autoconnect", "--max-clients", "4", ...FAST_SIM], async (srv) => {
      const proxy = await startProxy(srv.port);
      const client = connect(proxy.url(), {
        WebSocket,
        eeg: false,
        reconnect: { baseMs: 300, maxMs: 300, jitter: 0 },
      });
      try {
        const w = watch(
          client,
          client.subscribe("eeg_batch", { format: "binary", num_samples: 25, channels: [1] }),
        );
        // deadlines: 500 samples take 0.25 s at 2000 Hz after a ≤ 0.5-s sim start, the reconnect
        // 0.3 s, 1000 more samples 0.5 s; each bound is ≥ 10× that, for a loaded machine
        await until(() => w.seqs.length >= 500, 10_000, "500 samples");
        proxy.cut(); // frames in flight in the proxy are gone with it
        const atCut = w.seqs.length;
        await until(() => w.opens === 2, 5000, "the reconnect");
        await until(() => w.seqs.length >= atCut + 1000, 10_000, "1000 more samples");
        expect(w.closes.map((c) => c.cause)).toEqual(["server"]);
        expect(w.closes[0]!.reconnectInMs).toBe(300);
        expect(proxy.accepted).toBe(2);
        expect(seqProblems(w.seqs)).toBe("");
        expect(w.losses).toEqual([]);
        // The resubscription asked for the seq after the last one the client received before the
        // cut. That is not always w.seqs[atCut - 1]: batches the SDK had already received may
        // still wait in the subscription's queue when the test reads atCut (seen under Node on a
        // loaded machine, one 25-sample batch behind). So: the seq before since_seq was delivered,
        // at or after the last one the test had seen, within a few batches of it — and together
        // with the consecutive seqs and the empty loss list above, nothing was replayed twice.
        expect(w.sinceSeqs).toHaveLength(2);
        expect(w.sinceSeqs[0]).toBeUndefined();
        const resumedAfter = (w.sinceSeqs[1] as number) - 1;
        expect(w.seqs).toContain(resumedAfter);
        expect(resumedAfter).toBeGreaterThanOrEqual(w.seqs[atCut - 1]!);
        // 500 samples: 20 batches, at 2000 Hz the last 0.25 s before the cut
        expect(resumedAfter - w.seqs[atCut - 1]!).toBeLessThan(500);
        await client.unsubscribe("eeg_batch");
        await w.done;
      } finally {
        client.close();
        await proxy.close();
      }
    });
  }, 40_000);

  test(
    "an outage longer than the bridge retains is reported as the missing seq range",
    async () => {
      await withBridge(
        ["--autoconnect", "--max-clients", "4", "--retention-s", "1"],
        async (srv) => {
          const proxy = await startProxy(srv.port);
          const client = connect(proxy.url(), {
            WebSocket,
            eeg: false,
            reconnect: { baseMs: 2500, maxMs: 2500, jitter: 0 },
          });
          try {
            const w = watch(
              client,
              client.subscribe("eeg_batch", { format: "json", num_samples: 25 }),
            );
            await until(() => w.seqs.length >= 250, 10_000, "0.5 s of samples");
            proxy.cut();
            const atCut = w.seqs.length;
            // 15 s: the 2.5-s backoff, a reconnect and 0.5 s of samples, with 10 s to spare
            await until(
              () =>
                w.seqs.length >= atCut + 250 && w.losses.length > 0 &&
                w.seqs.at(-1)! > w.losses[0]!.toSeq!,
              15_000,
              "samples after the reconnect and its loss report",
            );
            expect(w.losses).toHaveLength(1);
            const loss = w.losses[0]!;
            // Where the stream resumed is found by seq, not taken as atCut: batches the SDK had
            // already received can still wait in the subscription's queue when the test reads
            // atCut (seen under Node on a loaded machine), so they land after it.
            const resumeAt = w.seqs.findIndex((seq) => seq >= loss.fromSeq!);
            expect(resumeAt).toBeGreaterThanOrEqual(atCut);
            // at most 500 samples (1 s at 500 Hz, 20 batches) were still queued at the cut
            expect(resumeAt - atCut).toBeLessThan(500);
            expect(loss).toMatchObject({
              stream: "eeg_batch",
              reason: "retention",
              fromSeq: w.seqs[resumeAt - 1]! + 1,
            });
            // real time here: the lost span is the outage's wall time against the retention in
            // seconds. 2.5 s away, 1 s retained: about 1.5 s (750 samples) could not be replayed;
            // 500–1000 allows ±0.5 s for the cut, the reconnect and the ring's trimming
            expect(loss.toSeq! - loss.fromSeq! + 1).toBeGreaterThan(500);
            expect(loss.toSeq! - loss.fromSeq! + 1).toBeLessThan(1000);
            // the stream goes on right after the reported range (the ring may have moved a little on)
            const resumedAt = w.seqs[resumeAt]!;
            expect(resumedAt).toBeGreaterThan(loss.toSeq!);
            expect(resumedAt - loss.toSeq!).toBeLessThan(20);
            expect(seqProblems(w.seqs.slice(0, resumeAt))).toBe("");
            expect(seqProblems(w.seqs.slice(resumeAt))).toBe("");
          } finally {
            client.close();
            await proxy.close();
          }
        },
      );
    },
    40_000,
  );

  test(
    "a connection that goes silent without closing is dropped by the liveness timeout and resumed",
    async () => {
      // real time: this case waits for silence, not for samples, and a slower stream keeps the
      // bridge's load down. The 1-s timeout: a 600-ms one fired on the stream itself, before the
      // stall, once the loaded machine held a process back that long.
      await withBridge(["--autoconnect", "--max-clients", "4"], async (srv) => {
        const proxy = await startProxy(srv.port);
        const client = connect(proxy.url(), {
          WebSocket,
          eeg: false,
          liveness: { timeoutMs: 1000 },
          reconnect: { baseMs: 100, maxMs: 100, jitter: 0 },
        });
        try {
          const w = watch(
            client,
            client.subscribe("eeg_batch", { format: "binary", num_samples: 25 }),
          );
          await until(() => w.seqs.length >= 250, 10_000, "0.5 s of samples");
          proxy.stall(); // nothing closes: only the silence tells
          const atStall = Date.now();
          await until(() => w.closes.length === 1, 5000, "the liveness close");
          const silentFor = Date.now() - atStall;
          expect(w.closes[0]!.cause).toBe("liveness");
          // 1000 ms of silence is counted from the last frame, which may precede the stall by a
          // batch or two (hence 850); 2400 allows 1.4 s of timer lateness on a loaded machine, far
          // short of what a missing liveness check would show (no close within the 5-s wait)
          expect(silentFor).toBeGreaterThan(850);
          expect(silentFor).toBeLessThan(2400);
          await until(() => w.opens === 2, 5000, "the reconnect");
          const atOpen = w.seqs.length;
          await until(() => w.seqs.length >= atOpen + 500, 10_000, "1 s more samples");
          expect(w.losses).toEqual([]);
          expect(seqProblems(w.seqs)).toBe("");
        } finally {
          client.close();
          await proxy.close();
        }
      });
    },
    40_000,
  );

  test("an idle connection stays up on its own pings", async () => {
    // No device streaming, heartbeats every 30 s: only the pongs keep the 1-s timeout satisfied.
    // A ping goes out after 500 ms of silence, leaving the bridge 500 ms to answer: a 400-ms
    // timeout (200 ms to answer) closed this link once under Deno on a loaded machine.
    await withBridge(["--max-clients", "4"], async (srv) => {
      const client = connect(`${srv.ws}/`, {
        WebSocket,
        eeg: false,
        liveness: { timeoutMs: 1000 },
      });
      let closes = 0;
      let pongs = 0;
      client.on("close", () => closes++);
      client.on("pong", () => pongs++);
      try {
        await client.opened();
        await delay(3000); // the scenario: 3 s of an idle link, 3 liveness timeouts long
        expect(closes).toBe(0);
        // ~6 pongs idle (one per 500 ms); 3 leaves half for a loaded machine's late timers
        expect(pongs).toBeGreaterThanOrEqual(3);
      } finally {
        client.close();
      }
    });
  }, 30_000);
});

/**
 * @module Resume on a default bridge (single-client policy, no --autoconnect): a network cut makes
 * the bridge release the headset, so the SDK must connect it again after reconnecting, replay what
 * was retained once, and report the seqs that never reached it as one `data_loss` range.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type {
  BridgeClient,
  DataLoss,
  EegBatch,
  HeadsetReconnect,
  Subscription,
  WebSocketConstructorLike,
} from "../../src/client/mod.ts";
import { startProxy } from "../_support/client/tcp-proxy.ts";
import { batchSeqs, until, webSocketClass, withBridge } from "../_support/client/live-server.ts";

const BaseWebSocket = await webSocketClass();

/** Every text message a client sent, parsed (the socket subclass records them). */
function spyingWebSocket(sent: Array<{ type: string; data: unknown }>): WebSocketConstructorLike {
  // deno-lint-ignore no-explicit-any
  const Base = BaseWebSocket as any;
  return class extends Base {
    send(text: string): void {
      sent.push(JSON.parse(text));
      super.send(text);
    }
  } as unknown as WebSocketConstructorLike;
}

/**
 * "" when every seq from the first received to the last received is either received exactly once
 * or inside exactly one loss range, and no loss range covers a received seq; else what is wrong.
 */
function coverageProblems(seqs: number[], losses: DataLoss[]): string {
  if (seqs.length === 0) return "no samples";
  const first = seqs[0]!;
  const last = seqs.at(-1)!;
  const hits = new Map<number, number>();
  for (const s of seqs) hits.set(s, (hits.get(s) ?? 0) + 1);
  for (const l of losses) {
    if (l.fromSeq === null || l.toSeq === null) {
      return `a loss without a range: ${JSON.stringify(l)}`;
    }
    // bounded: a loss range is at most a few seconds of samples here
    if (l.toSeq - l.fromSeq > 100_000) return `an implausible loss range: ${JSON.stringify(l)}`;
    for (let s = l.fromSeq; s <= l.toSeq; s++) hits.set(s, (hits.get(s) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (let s = first; s <= last && problems.length < 5; s++) {
    const n = hits.get(s) ?? 0;
    if (n !== 1) problems.push(`seq ${s} seen ${n} times`);
  }
  return problems.join("; ");
}

function watch(client: BridgeClient, sub: Subscription<EegBatch>) {
  const w = {
    seqs: [] as number[],
    losses: [] as DataLoss[],
    reopens: 0,
    rejoins: [] as HeadsetReconnect[],
    done: Promise.resolve(),
  };
  client.on("data_loss", (l) => w.losses.push(l));
  client.on("open", (o) => void (o.reconnect && w.reopens++));
  client.on("headset_reconnect", (info) => w.rejoins.push(info));
  w.done = (async () => {
    for await (const b of sub) w.seqs.push(...batchSeqs(b));
  })();
  return w;
}

// 300 ms between the cut and the next attempt: long enough for the bridge to have noticed the cut
// and released the headset (it sees the TCP close at once), short enough to keep the test quick
const RECONNECT = { baseMs: 300, maxMs: 300, jitter: 0 };

describe("BridgeClient resume on a default bridge", () => {
  test(
    "connects the released headset again, replays the retained samples once and reports the skipped seqs",
    async () => {
      await withBridge([], async (srv) => {
        const proxy = await startProxy(srv.port);
        const sent: Array<{ type: string; data: unknown }> = [];
        const client = connect(proxy.url(), {
          WebSocket: spyingWebSocket(sent),
          eeg: false,
          reconnect: RECONNECT,
        });
        try {
          await client.connectHeadset({ auto_reconnect: true });
          const w = watch(
            client,
            client.subscribe("eeg_batch", { format: "binary", num_samples: 25, channels: [1] }),
          );
          // 1 s of samples at 500 Hz; 10 s of margin for a loaded machine (the sim starts within ~0.5 s)
          await until(() => w.seqs.length >= 500, 10_000, "1 s of samples");
          proxy.cut();
          const atCut = w.seqs.length;
          await until(() => w.reopens === 1, 5000, "the reconnect");
          // ≥ 1 s of samples after the cut: without the re-connect only the ring's tail (well under
          // 500) ever arrives; 10 s covers the 300-ms backoff, the headset's start and a slow machine
          await until(() => w.seqs.length >= atCut + 500, 10_000, "1 s of samples after the cut");
          expect((await client.status()).device_state).toBe("connected");
          // the same options as the app's connectHeadset, sent once
          const connects = sent.filter((m) => m.type === "connect");
          expect(connects.map((m) => m.data)).toEqual([{ auto_reconnect: true }, {
            auto_reconnect: true,
          }]);
          expect(w.rejoins).toEqual([{ options: { auto_reconnect: true }, error: null }]);
          // every seq once, or in exactly one loss range: the span the headset was released for
          expect(coverageProblems(w.seqs, w.losses)).toBe("");
          expect(w.losses.map((l) => l.reason)).toEqual(["released"]);
          const loss = w.losses[0]!;
          // the released span is at least the 300-ms backoff (150 samples) minus estimation slack
          expect(loss.toSeq! - loss.fromSeq! + 1).toBeGreaterThan(100);
          await client.unsubscribe("eeg_batch");
          await w.done;
        } finally {
          client.close();
          await proxy.close();
        }
      });
    },
    40_000,
  );

  test(
    "sends no connect after a reconnect while a second client keeps the headset streaming",
    async () => {
      await withBridge(["--max-clients", "2"], async (srv) => {
        const proxy = await startProxy(srv.port);
        const sent: Array<{ type: string; data: unknown }> = [];
        const client = connect(proxy.url(), {
          WebSocket: spyingWebSocket(sent),
          eeg: false,
          reconnect: RECONNECT,
        });
        const holder = connect(`${srv.ws}/`, { WebSocket: BaseWebSocket, eeg: false });
        try {
          await holder.opened();
          await client.connectHeadset({ auto_reconnect: false });
          const w = watch(
            client,
            client.subscribe("eeg_batch", { format: "binary", num_samples: 25, channels: [1] }),
          );
          await until(() => w.seqs.length >= 250, 10_000, "0.5 s of samples");
          proxy.cut();
          const atCut = w.seqs.length;
          await until(() => w.reopens === 1, 5000, "the reconnect");
          await until(() => w.seqs.length >= atCut + 500, 10_000, "1 s of samples after the cut");
          expect(sent.filter((m) => m.type === "connect")).toHaveLength(1);
          expect(w.rejoins).toEqual([]);
          expect(w.losses).toEqual([]);
          expect(coverageProblems(w.seqs, w.losses)).toBe("");
        } finally {
          client.close();
          holder.close();
          await proxy.close();
        }
      });
    },
    40_000,
  );
});

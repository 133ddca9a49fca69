/**
 * @module `client.stats()` against a live bridge on each runtime: the figures equal what a counting
 * WebSocket underneath saw (messages, UTF-8 and binary bytes) across a cut connection, a refused
 * subscribe is one error, the reopen one reconnect.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type {
  BridgeClientError,
  WebSocketConstructorLike,
  WebSocketLike,
} from "../../src/client/mod.ts";
import { startProxy } from "../_support/client/tcp-proxy.ts";
import { until, webSocketClass, withBridge } from "../_support/client/live-server.ts";

const Base = await webSocketClass();

/** What every socket the client opened received, counted independently of the SDK. */
const seen = { messages: 0, bytes: 0 };
const encoder = new TextEncoder();

/**
 * The runtime's WebSocket with a listener of its own on every message: `addEventListener` runs
 * beside the SDK's `onmessage` in the same dispatch, so between two events both counts agree.
 */
const Counting = class extends (Base as unknown as new (url: string) => WebSocketLike) {
  constructor(url: string) {
    super(url);
    (this as unknown as EventTarget).addEventListener("message", (e) => {
      const data = (e as MessageEvent).data as unknown;
      seen.messages++;
      seen.bytes += typeof data === "string"
        ? encoder.encode(data).byteLength
        : (data as ArrayBuffer).byteLength;
    });
  }
} as unknown as WebSocketConstructorLike;

describe("client.stats() on a live bridge", () => {
  test(
    "messages and bytes as received, one refused subscribe, one reconnect, the subscribed stream",
    async () => {
      await withBridge(["--autoconnect", "--max-clients", "4"], async (srv) => {
        const proxy = await startProxy(srv.port);
        const client = connect(proxy.url(), {
          WebSocket: Counting,
          eeg: false,
          reconnect: { baseMs: 200, maxMs: 200, jitter: 0 },
        });
        let opens = 0;
        client.on("open", () => opens++);
        let batches = 0;
        client.on("binary", () => batches++);
        try {
          const sub = client.subscribe("eeg_batch", { format: "binary", num_samples: 25 });
          await sub.ready;
          // deadlines: 10 batches of 25 samples take 0.5 s at 500 Hz after a ≤ 0.5-s sim start;
          // 10 s is ≥ 10× that on a loaded machine
          await until(() => batches >= 10, 10_000, "10 binary batches");
          const refused = await client.request("subscribe", { stream: "telepathy" }).catch((e) =>
            e
          );
          expect((refused as BridgeClientError).code).toBe("UNKNOWN_STREAM");

          const before = client.stats();
          expect(before).toMatchObject({ errors: 1, reconnects: 0 });
          proxy.cut();
          // the 200-ms backoff, the reopen and 10 more batches: 10 s bound, ≥ 10× idle
          await until(() => opens === 2, 10_000, "the reconnect");
          const atOpen = batches;
          await until(() => batches >= atOpen + 10, 10_000, "10 batches after the reconnect");

          const now = Date.now() / 1000;
          const s = client.stats();
          expect(s.messages_received).toBe(seen.messages);
          expect(s.bytes_received).toBe(seen.bytes);
          expect(s.messages_received).toBeGreaterThanOrEqual(before.messages_received + 10);
          // a 25-sample binary frame alone is over 1 KB: bytes grow by more than the messages do
          expect(s.bytes_received).toBeGreaterThan(before.bytes_received + 10 * 1000);
          expect(s.errors).toBe(1);
          expect(s.reconnects).toBe(1);
          expect(s.active_subscriptions).toEqual(["eeg_batch"]);
          // the last batch arrived within the last 2 s (batches come every 50 ms; 2 s is load slack)
          expect(s.last_message_at).toBeGreaterThan(now - 2);
          expect(s.last_message_at).toBeLessThanOrEqual(now + 0.001);
          expect(proxy.accepted).toBe(2);
        } finally {
          client.close();
          await proxy.close();
        }
      });
    },
    40_000,
  );
});

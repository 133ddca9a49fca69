/** @module `client.stats()` on scripted sockets: messages and UTF-8 bytes, errors and failed commands, reconnects, subscriptions, a fresh snapshot each call. */
import { describe, expect, test } from "bun:test";
import type { BridgeClientError } from "../../src/client/mod.ts";
import { Utf8Length } from "../../src/client/stats.ts";
import { type FakeSocket, scriptedClient } from "../_support/client/manual.ts";

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;

const setup = () => scriptedClient({ requestTimeoutMs: 500 });

/** The welcome FakeSocket.welcome() sends, as a value of its own to measure. */
const WELCOME = {
  id: "w",
  type: "status",
  data: {
    state: "idle",
    message: "Client connected to MW75 server",
    timestamp: 1,
    battery_level: null,
  },
};

/** Sends `text` as one text message on `s` and returns its UTF-8 length. */
function receiveText(s: FakeSocket, text: string): number {
  s.receive(text);
  return utf8(text);
}

describe("client.stats()", () => {
  test("a new client has counted nothing; the base eeg stream is its one subscription", () => {
    const { client } = setup();
    expect(client.stats()).toEqual({
      messages_received: 0,
      bytes_received: 0,
      errors: 0,
      reconnects: 0,
      active_subscriptions: ["eeg"],
      last_message_at: null,
    });
    client.close();
  });

  test("counts text messages as UTF-8 bytes and binary ones by byteLength, and stamps the last in Unix seconds", () => {
    const { client, socket } = setup();
    const before = Date.now() / 1000;
    let bytes = 0;
    bytes += receiveText(socket(), JSON.stringify(WELCOME));
    // two- and three-byte characters and a surrogate pair (four bytes for two UTF-16 units)
    const marker = JSON.stringify({
      id: "x",
      type: "broadcast",
      data: { from: "é", data: "µV ≥ 10 mV 🧠" },
    });
    bytes += receiveText(socket(), marker);
    expect(marker.length).toBeLessThan(utf8(marker));
    // a binary message counts even when it is no valid frame (the client reports it as a problem)
    const problems: Error[] = [];
    client.on("problem", (e) => problems.push(e));
    socket().onmessage?.({ data: new Uint8Array([1, 2, 3, 4, 5, 6, 7]).buffer });
    bytes += 7;
    const after = Date.now() / 1000;
    const s = client.stats();
    expect(problems).toHaveLength(1);
    expect(s.messages_received).toBe(3);
    expect(s.bytes_received).toBe(bytes);
    expect(s.last_message_at).toBeGreaterThanOrEqual(before);
    expect(s.last_message_at).toBeLessThanOrEqual(after);
    client.close();
  });

  test("errors: every error message (replies and broadcasts) and each command failing by TIMEOUT or CONNECTION_LOST, once", async () => {
    const { client, timers, socket } = setup();
    socket().welcome();
    // a server refusal: one error message, its command's rejection is not counted again
    const refused = client.request("subscribe", { stream: "telepathy" }).catch((e) => e);
    const req = socket().sent.find((m) => m["type"] === "subscribe")!;
    socket().receive({
      id: req["id"],
      type: "error",
      data: { code: "UNKNOWN_STREAM", message: "Unknown stream: telepathy" },
    });
    expect(((await refused) as BridgeClientError).code).toBe("UNKNOWN_STREAM");
    expect(client.stats().errors).toBe(1);
    // an error no command asked for (a device error broadcast)
    socket().receive({ id: "d", type: "error", data: { code: "DEVICE_ERROR", message: "lost" } });
    expect(client.stats().errors).toBe(2);
    // no reply within requestTimeoutMs
    const timedOut = client.ping().catch((e) => e);
    timers.advance(500);
    expect(((await timedOut) as BridgeClientError).code).toBe("TIMEOUT");
    expect(client.stats().errors).toBe(3);
    // in flight when the socket drops
    const lost = client.status().catch((e) => e);
    socket().drop();
    expect(((await lost) as BridgeClientError).code).toBe("CONNECTION_LOST");
    expect(client.stats().errors).toBe(4);
    // closing the client is the app's choice: CLIENT_CLOSED is not counted
    const closed = client.ping().catch((e) => e);
    client.close();
    expect(((await closed) as BridgeClientError).code).toBe("CLIENT_CLOSED");
    expect(client.stats().errors).toBe(4);
  });

  test("reconnects count reopened sockets only, figures carry across them, subscriptions follow subscribe and unsubscribe", async () => {
    const { client, timers, socket } = setup();
    const sub = client.subscribe("events");
    client.subscribe("diagnostics", { interval_ms: 500 });
    expect(client.stats().active_subscriptions).toEqual(["diagnostics", "eeg", "events"]);
    socket().welcome();
    socket().drop();
    timers.advance(100); // the attempt whose socket never opens is not a reconnect
    socket().drop();
    expect(client.stats().reconnects).toBe(0);
    timers.advance(1000);
    socket().open();
    socket().welcome();
    expect(client.stats()).toMatchObject({ reconnects: 1, messages_received: 2 });
    socket().drop();
    timers.advance(100);
    socket().open();
    expect(client.stats().reconnects).toBe(2);
    await sub.close();
    void client.unsubscribe("eeg").catch(() => {});
    expect(client.stats().active_subscriptions).toEqual(["diagnostics"]);
    client.close();
  });

  test("each call returns a fresh object: changing one snapshot changes neither the client nor the next", () => {
    const { client, socket } = setup();
    socket().welcome();
    const a = client.stats();
    a.messages_received = 99;
    a.active_subscriptions.push("nonsense");
    const b = client.stats();
    expect(b).not.toBe(a);
    expect(b.messages_received).toBe(1);
    expect(b.active_subscriptions).toEqual(["eeg"]);
    client.close();
  });

  test("Utf8Length agrees with TextEncoder, for short strings, long ones and lone surrogates", () => {
    const u = new Utf8Length();
    const long = "é🧠a".repeat(30_000); // past the scratch buffer's limit
    for (const s of ["", "abc", "µV", "≥", "🧠", "\ud800x", "x\udc00", "a".repeat(5000), long]) {
      expect(u.of(s)).toBe(utf8(s));
    }
  });
});

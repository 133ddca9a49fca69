/**
 * @module The rules of getting the headset back after a reconnect, and of labelling seq jumps, on
 * scripted sockets: who re-connects, with which options, what a failure looks like, and which
 * jumps are losses.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type { DataLoss, HeadsetReconnect, WebSocketConstructorLike } from "../../src/client/mod.ts";
import { FakeSocket, ManualTimers } from "../_support/client/manual.ts";

const Fake = FakeSocket as unknown as WebSocketConstructorLike;

function setup() {
  FakeSocket.reset();
  const timers = new ManualTimers();
  const client = connect("ws://bridge.test/", {
    WebSocket: Fake,
    timers,
    random: () => 0,
    liveness: false,
    reconnect: { baseMs: 100, maxMs: 100 },
    eeg: false,
  });
  const losses: DataLoss[] = [];
  const rejoins: HeadsetReconnect[] = [];
  client.on("data_loss", (l) => losses.push(l));
  client.on("headset_reconnect", (r) => rejoins.push(r));
  const socket = () => FakeSocket.made.at(-1)!;
  socket().open();
  welcome(socket(), "idle");
  return { client, timers, losses, rejoins, socket };
}

function welcome(s: FakeSocket, state: string): void {
  s.receive({
    id: "w",
    type: "status",
    data: { state, message: "Client connected to MW75 server", timestamp: 1, battery_level: null },
  });
}

/** A status broadcast (not the first status on the socket). */
const broadcast = welcome;

/** The latest request of `type` on `s`. */
function last(s: FakeSocket, type: string): Record<string, unknown> | undefined {
  return s.sent.filter((m) => m["type"] === type).at(-1);
}

function ack(s: FakeSocket, type: string, extra: Record<string, unknown> = {}): void {
  const req = last(s, type)!;
  const data = req["data"] as Record<string, unknown>;
  s.receive({
    id: req["id"],
    type: "command_ack",
    data: {
      command: type,
      ...(type === "subscribe"
        ? { stream: data["stream"], options: { ...data, ...extra } }
        : extra),
    },
  });
}

function refuse(s: FakeSocket, type: string, code: string): void {
  s.receive({
    id: last(s, type)!["id"],
    type: "error",
    data: { code, message: `refused: ${code}`, timestamp: 1 },
  });
}

/** Drops the socket, lets the backoff run and opens the next one with a welcome saying `state`. */
function reconnect(timers: ManualTimers, state: string): FakeSocket {
  FakeSocket.made.at(-1)!.drop();
  timers.advance(100);
  const s = FakeSocket.made.at(-1)!;
  s.open();
  welcome(s, state);
  return s;
}

function batch(first: number, count: number, decimate = 1) {
  const seqs = Array.from({ length: count }, (_, i) => first + i * decimate);
  return {
    id: "b",
    type: "eeg_batch",
    data: {
      first_seq: first,
      count,
      sample_rate: 500 / decimate,
      decimate,
      timestamps: seqs.map((q) => q / 500),
      counters: seqs.map((q) => q % 256),
      ref: seqs.map(() => 0),
      drl: seqs.map(() => 0),
      channels: { ch1: seqs },
      lead_off: [],
    },
  };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));
const connects = (s: FakeSocket) =>
  s.sent.filter((m) => m["type"] === "connect").map((m) => m["data"]);

describe("BridgeClient headset reconnect", () => {
  test("connects the headset again with the same options when the welcome after a reconnect says idle", async () => {
    const { client, timers, socket, rejoins } = setup();
    const connected = client.connectHeadset({ auto_reconnect: false, log_level: "DEBUG" });
    ack(socket(), "connect");
    await connected;
    const s = reconnect(timers, "idle");
    expect(connects(s)).toEqual([{ auto_reconnect: false, log_level: "DEBUG" }]);
    ack(s, "connect");
    await flush();
    expect(rejoins).toEqual([{
      options: { auto_reconnect: false, log_level: "DEBUG" },
      error: null,
    }]);
    // held still: the next release is undone too
    expect(connects(reconnect(timers, "idle"))).toHaveLength(1);
    client.close();
  });

  test("sends nothing when the headset streams on, was never connected, or was disconnected by the app", async () => {
    const { client, timers, socket } = setup();
    expect(connects(reconnect(timers, "idle"))).toEqual([]); // never connected
    const connected = client.connectHeadset();
    ack(socket(), "connect");
    await connected;
    expect(connects(reconnect(timers, "connected"))).toEqual([]); // another client keeps it streaming
    const disconnected = client.disconnectHeadset();
    ack(socket(), "disconnect");
    await disconnected;
    expect(connects(reconnect(timers, "idle"))).toEqual([]);
    client.close();
  });

  test("a refusal is reported once and ends the hold; a lost socket tries again on the next one only", async () => {
    const { client, timers, socket, rejoins } = setup();
    const connected = client.connectHeadset({ auto_reconnect: true });
    ack(socket(), "connect");
    await connected;
    let s = reconnect(timers, "idle");
    s.drop(); // lost before the reply: one attempt per socket, paced by the backoff, never a loop
    await flush();
    expect(rejoins.map((r) => r.error?.code)).toEqual(["CONNECTION_LOST"]);
    expect(FakeSocket.made.flatMap(connects)).toHaveLength(2);
    timers.advance(100);
    s = FakeSocket.made.at(-1)!;
    s.open();
    welcome(s, "idle");
    expect(connects(s)).toHaveLength(1);
    refuse(s, "connect", "DEVICE_CONTROL_TAKEN");
    await flush();
    expect(rejoins.map((r) => r.error?.code)).toEqual(["CONNECTION_LOST", "DEVICE_CONTROL_TAKEN"]);
    expect(rejoins[1]!.error!.command).toBe("connect");
    expect(connects(reconnect(timers, "idle"))).toEqual([]);
    client.close();
  });

  test("the app's own connect getting there first counts as success", async () => {
    const { client, timers, socket, rejoins } = setup();
    const connected = client.connectHeadset();
    ack(socket(), "connect");
    await connected;
    const s = reconnect(timers, "idle");
    refuse(s, "connect", "ALREADY_CONNECTED");
    await flush();
    expect(rejoins).toEqual([{ options: {}, error: null }]);
    expect(connects(reconnect(timers, "idle"))).toHaveLength(1);
    client.close();
  });
});

describe("BridgeClient data_loss from seq jumps", () => {
  test("a jump inside eeg_batch is reported as its exact range; decimation steps are not jumps", () => {
    const { client, socket, losses } = setup();
    client.subscribe("eeg_batch", { decimate: 2 });
    ack(socket(), "subscribe");
    socket().receive(batch(0, 5, 2)); // 0..8
    socket().receive(batch(10, 5, 2)); // 10..18: the next step
    socket().receive(batch(30, 5, 2)); // 20..28 never came
    expect(losses).toEqual([{ stream: "eeg_batch", reason: "gap", fromSeq: 19, toSeq: 29 }]);
    client.close();
  });

  test("a jump across a deliberate stop is no loss; the jump after a release is, labelled released", async () => {
    const { client, timers, socket, losses } = setup();
    client.subscribe("eeg_batch");
    ack(socket(), "subscribe");
    socket().receive(batch(0, 10));
    broadcast(socket(), "disconnecting");
    broadcast(socket(), "idle");
    socket().receive(batch(500, 10));
    expect(losses).toEqual([]);
    const connected = client.connectHeadset();
    ack(socket(), "connect");
    await connected;
    // released while away: the ring's tail is replayed, then the headset's new samples jump
    const s = reconnect(timers, "idle");
    ack(s, "subscribe");
    s.receive(batch(510, 5));
    s.receive(batch(900, 5));
    expect(losses).toEqual([{ stream: "eeg_batch", reason: "released", fromSeq: 515, toSeq: 899 }]);
    s.receive(batch(920, 5)); // a later jump is an ordinary gap again
    expect(losses.at(-1)).toEqual({ stream: "eeg_batch", reason: "gap", fromSeq: 905, toSeq: 919 });
    client.close();
  });

  test("a resume whose replay starts past resumed_from reports one exact retention range", () => {
    const { client, timers, socket, losses } = setup();
    client.subscribe("eeg_batch");
    ack(socket(), "subscribe");
    socket().receive(batch(0, 10));
    const s = reconnect(timers, "connected");
    ack(s, "subscribe", { resumed_from: 40 });
    s.receive(batch(47, 5)); // the ring moved on between the ack and the replay
    expect(losses).toEqual([{ stream: "eeg_batch", reason: "retention", fromSeq: 10, toSeq: 46 }]);
    client.close();
  });
});

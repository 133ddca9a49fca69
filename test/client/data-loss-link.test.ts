/**
 * @module A lost link is never hidden by a later deliberate stop: on scripted sockets, a `disconnected`
 * or `error` status between two samples makes the next seq jump a `gap`, whatever `disconnect`
 * follows, as the bridge itself reports it; a stop with no link loss stays no loss.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type { DataLoss, WebSocketConstructorLike } from "../../src/client/mod.ts";
import { FakeSocket, ManualTimers } from "../_support/client/manual.ts";

const Fake = FakeSocket as unknown as WebSocketConstructorLike;

function status(s: FakeSocket, state: string): void {
  s.receive({
    id: "s",
    type: "status",
    data: { state, message: state, timestamp: 1, battery_level: null },
  });
}

/** Acknowledges every `subscribe` sent on `s`, echoing its options. */
function ackSubscribes(s: FakeSocket): void {
  for (const req of s.sent.filter((m) => m["type"] === "subscribe")) {
    const data = req["data"] as Record<string, unknown>;
    s.receive({
      id: req["id"],
      type: "command_ack",
      data: { command: "subscribe", stream: data["stream"], options: data },
    });
  }
}

function batch(first: number, count: number) {
  const seqs = Array.from({ length: count }, (_, i) => first + i);
  return {
    id: "b",
    type: "eeg_batch",
    data: {
      first_seq: first,
      count,
      sample_rate: 500,
      decimate: 1,
      timestamps: seqs.map((q) => q / 500),
      counters: seqs.map((q) => q % 256),
      ref: seqs.map(() => 0),
      drl: seqs.map(() => 0),
      channels: { ch1: seqs },
      lead_off: [],
    },
  };
}

function eeg(seq: number) {
  return {
    id: "e",
    type: "eeg_data",
    data: {
      seq,
      timestamp: seq / 500,
      event_id: 239,
      counter: seq % 256,
      ref: 0,
      drl: 0,
      channels: { ch1: 0 },
    },
  };
}

/** A client streaming `eeg_batch` (and the base `eeg`) on its first socket, seqs 0..9 delivered. */
function streaming() {
  FakeSocket.reset();
  const timers = new ManualTimers();
  const client = connect("ws://bridge.test/", {
    WebSocket: Fake,
    timers,
    random: () => 0,
    liveness: false,
    reconnect: { baseMs: 100, maxMs: 100 },
  });
  const losses: DataLoss[] = [];
  client.on("data_loss", (l) => losses.push(l));
  const s = FakeSocket.made.at(-1)!;
  s.open();
  status(s, "connected"); // the welcome
  client.subscribe("eeg");
  client.subscribe("eeg_batch");
  ackSubscribes(s);
  s.receive(batch(0, 10));
  for (let q = 0; q < 10; q++) s.receive(eeg(q));
  return { client, timers, losses, s };
}

/** Anyone's `disconnect` and then `connect`, as broadcast to every client. */
function stopAndStart(s: FakeSocket, { failedAttempt = false } = {}): void {
  status(s, "disconnecting");
  status(s, "idle");
  if (failedAttempt) {
    status(s, "connecting");
    status(s, "error"); // the source could not be opened: no link was up, so none was lost
  }
  status(s, "connecting");
  status(s, "connected");
}

describe("BridgeClient data_loss after a lost link", () => {
  test("a link loss followed by a disconnect and a connect is still a gap, on eeg_batch and eeg", () => {
    for (const lost of ["disconnected", "error"]) {
      const { client, losses, s } = streaming();
      status(s, lost); // auto_reconnect off: the link is gone, the bridge keeps its link-loss flag
      stopAndStart(s);
      s.receive(batch(800, 5));
      s.receive(eeg(800));
      expect({ lost, losses }).toEqual({
        lost,
        losses: [
          { stream: "eeg_batch", reason: "gap", fromSeq: 10, toSeq: 799 },
          { stream: "eeg", reason: "gap", fromSeq: 10, toSeq: 799 },
        ],
      });
      client.close();
    }
  });

  test("the link-loss mark lasts until the next jump only: a later clean stop is no loss again", () => {
    const { client, losses, s } = streaming();
    status(s, "disconnected");
    stopAndStart(s);
    s.receive(batch(800, 5));
    expect(losses).toHaveLength(1);
    stopAndStart(s);
    s.receive(batch(1500, 5));
    expect(losses).toHaveLength(1);
    client.close();
  });

  test("a stop with no link loss is no loss, even with a failed connect attempt in it", () => {
    const { client, losses, s } = streaming();
    stopAndStart(s, { failedAttempt: true });
    s.receive(batch(800, 5));
    s.receive(eeg(800));
    expect(losses).toEqual([]);
    client.close();
  });

  test("a welcome saying the link was lost while this client was away is a gap despite a later stop", () => {
    const { client, timers, losses, s } = streaming();
    s.drop();
    timers.advance(100);
    const s2 = FakeSocket.made.at(-1)!;
    s2.open();
    status(s2, "disconnected"); // the welcome
    ackSubscribes(s2);
    s2.receive(batch(10, 5)); // the resume replays the tail the bridge kept
    stopAndStart(s2);
    s2.receive(batch(800, 5));
    expect(losses.filter((l) => l.stream === "eeg_batch")).toEqual([
      { stream: "eeg_batch", reason: "gap", fromSeq: 15, toSeq: 799 },
    ]);
    client.close();
  });
});

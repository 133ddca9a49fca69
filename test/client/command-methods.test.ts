/** @module The SDK's named command methods send the command and data the protocol names, and resolve with the reply (scripted socket). */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type { WebSocketConstructorLike } from "../../src/client/mod.ts";
import { FakeSocket, ManualTimers } from "../_support/client/manual.ts";

const Fake = FakeSocket as unknown as WebSocketConstructorLike;

function setup() {
  FakeSocket.reset();
  const client = connect("ws://bridge.test/", {
    WebSocket: Fake,
    timers: new ManualTimers(),
    random: () => 0,
    liveness: false,
    eeg: false,
  });
  const socket = FakeSocket.made.at(-1)!;
  socket.open();
  return { client, socket };
}

describe("command methods", () => {
  test("each issue-23 method sends its command with the protocol's data", async () => {
    const { client, socket } = setup();
    const calls: Array<[string, Promise<unknown>, unknown]> = [
      ["remove_device", client.removeDevice("sim-2"), { device_id: "sim-2" }],
      ["pause_recording", client.pauseRecording(), {}],
      ["resume_recording", client.resumeRecording(), {}],
    ];
    const sent = socket.sent.filter((m) => m["type"] !== "unsubscribe");
    expect(sent.map((m) => [m["type"], m["data"]])).toEqual(calls.map(([t, , d]) => [t, d]));
    for (const m of sent) {
      socket.receive({ id: m["id"], type: "command_ack", data: { command: m["type"] } });
    }
    const replies = await Promise.all(calls.map(([, p]) => p));
    expect(replies).toEqual(calls.map(([t]) => ({ command: t })));
    client.close();
  });
});

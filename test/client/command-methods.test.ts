/** @module The SDK's named command methods send the command and data the protocol names, and resolve with the reply (scripted socket). */
import { describe, expect, test } from "bun:test";
import { scriptedClient } from "../_support/client/manual.ts";

describe("command methods", () => {
  test("each issue-23 method sends its command with the protocol's data", async () => {
    const { client, socket: latest } = scriptedClient({ eeg: false });
    const socket = latest();
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

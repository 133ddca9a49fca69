/** @module The command table is the one list: inbound checks, access roles and the SDK's command names agree with it. */
import { describe, expect, test } from "bun:test";
import type { CommandName } from "../../src/client/commands.ts";
import { COMMAND_TYPES, COMMANDS } from "../../src/protocol/commands.ts";
import { isKnown } from "../../src/protocol/inbound.ts";
import { readRequest } from "../../src/protocol/requests.ts";
import { CONTRACT_COMMANDS, permissionsOf, permits } from "../../src/protocol/permissions.ts";

// a key missing or extra here is a type error: the SDK's names are the table's
const SDK_NAMES: Record<CommandName, true> = {
  connect: true,
  disconnect: true,
  status: true,
  ping: true,
  broadcast: true,
  auth: true,
  subscribe: true,
  unsubscribe: true,
  get: true,
  set: true,
  start_recording: true,
  stop_recording: true,
  pause_recording: true,
  resume_recording: true,
  recording_status: true,
  marker: true,
  list_devices: true,
  scan_devices: true,
  connect_device: true,
  remove_device: true,
};

describe("command table", () => {
  test("the SDK, the contract list and the inbound checks name the same commands", () => {
    expect(Object.keys(SDK_NAMES).sort()).toEqual([...COMMAND_TYPES].sort());
    expect([...CONTRACT_COMMANDS]).toEqual(COMMAND_TYPES);
    expect(COMMAND_TYPES.filter((c) => isKnown(c, true))).toEqual(COMMAND_TYPES);
    expect(COMMAND_TYPES.filter((c: string) => !isKnown(c, false))).toEqual(["broadcast"]);
    expect(isKnown("dance", true)).toBe(false);
    expect(isKnown("toString", true)).toBe(false);
  });

  test("roles follow the table: anonymous reads, observe adds markers and broadcasts", () => {
    expect(permissionsOf("anonymous")).toEqual([
      "status",
      "ping",
      "auth",
      "subscribe",
      "unsubscribe",
      "get",
      "recording_status",
    ]);
    expect(permissionsOf("observe")).toEqual([
      "status",
      "ping",
      "broadcast",
      "auth",
      "subscribe",
      "unsubscribe",
      "get",
      "recording_status",
      "marker",
    ]);
    expect(permissionsOf("control")).toEqual(COMMAND_TYPES);
    for (const c of COMMAND_TYPES) {
      expect(permits(COMMANDS[c].role, c)).toBe(true);
    }
    expect(permits("observe", "dance")).toBe(false);
    expect(permits("control", "dance")).toBe(true);
  });
});

describe("readRequest", () => {
  test("every command has a reader; commands without data read null, whatever was sent", () => {
    for (const c of COMMAND_TYPES) expect(typeof readRequest(c, undefined).ok).toBe("boolean");
    expect(readRequest("status", "anything")).toEqual({ ok: true, value: null });
    expect(readRequest("broadcast", undefined)).toEqual({ ok: true, value: { payload: {} } });
    expect(readRequest("broadcast", [1])).toEqual({ ok: true, value: { payload: [1] } });
    expect(readRequest("auth", { token: "t" })).toEqual({ ok: true, value: { token: "t" } });
    expect(readRequest("auth", "t")).toEqual({ ok: true, value: { token: undefined } });
  });

  test("commands with data answer with the typed request or the refusal", () => {
    expect(readRequest("unsubscribe", { stream: "eeg" })).toEqual({
      ok: true,
      value: { stream: "eeg" },
    });
    expect(readRequest("subscribe", { stream: "nope" })).toMatchObject({
      ok: false,
      code: "UNKNOWN_STREAM",
    });
    expect(readRequest("connect", "x")).toMatchObject({
      ok: false,
      code: "MESSAGE_PROCESSING_ERROR",
    });
    expect(readRequest("scan_devices", {})).toEqual({ ok: true, value: { durationS: 4 } });
  });
});

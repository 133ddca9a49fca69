/** @module The command table is the one list: inbound checks, access roles and the SDK's command names agree with it. */
import { describe, expect, test } from "bun:test";
import type { CommandName } from "../../src/client/commands.ts";
import { COMMAND_TYPES, COMMANDS } from "../../src/protocol/commands.ts";
import { isKnown } from "../../src/protocol/inbound.ts";
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
  recording_status: true,
  marker: true,
  list_devices: true,
  scan_devices: true,
  connect_device: true,
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

/** @module Shared pieces of the token scenarios (docs/protocol/bridge-api.md §5): the contract's commands by role, the permissions check of a reply, and bounded waits for a value and for the device's first sample. */
import { expect } from "bun:test";
import type { WsClient } from "../ws-client.ts";
import { delay, isEeg } from "./helpers.ts";

/** What `observe` may send: anonymous's commands plus marker and broadcast (the contract's list). */
export const OBSERVE_COMMANDS = [
  "status",
  "ping",
  "subscribe",
  "unsubscribe",
  "recording_status",
  "get",
  "auth",
  "marker",
  "broadcast",
];
/** A sample of what only `control` may send, including commands this version may not implement yet. */
export const CONTROL_ONLY = [
  "connect",
  "disconnect",
  "set",
  "start_recording",
  "stop_recording",
  "scan_devices",
];
/** Every command of the contract (docs/protocol/bridge-api.md §2, §4–§6, §11). */
export const CONTRACT_COMMANDS = [
  ...OBSERVE_COMMANDS,
  ...CONTROL_ONLY,
  "list_devices",
  "connect_device",
  "pause_recording",
  "resume_recording",
  "remove_device",
];

/**
 * `auth_result.permissions` lists only commands the role may send (the server may leave out those
 * it does not implement yet), and at least the ones every build has.
 */
export function expectPermissions(perms: unknown, allowed: string[], required: string[]): void {
  expect(Array.isArray(perms)).toBe(true);
  const list = perms as string[];
  expect(list.filter((c) => !allowed.includes(c))).toEqual([]);
  expect(required.filter((c) => !list.includes(c))).toEqual([]);
}

/** Polls `read` every 20 ms until it returns a value (rejects after `ms`). */
export async function until<T>(read: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

/** Connects the device from `c` and waits for its first eeg_data. */
export async function connectDevice(c: WsClient, how: string): Promise<void> {
  const ack = await c.request("connect", {});
  expect({ how, type: ack.type, code: ack.data["code"] ?? null }).toEqual({
    how,
    type: "command_ack",
    code: null,
  });
  await c.next(isEeg, 5000, `eeg_data after a connect (${how})`);
}

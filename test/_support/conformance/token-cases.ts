/** @module Conformance scenarios for roles (docs/protocol/bridge-api.md §5): read-only anonymous clients and the observe role, each command refused or allowed as the contract lists. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import {
  authFile,
  bearer,
  expectDenied,
  expectNotDenied,
  replyTo,
  waitClients,
  welcomed,
  withAccessServer,
} from "./access-helpers.ts";
import { health, isEeg } from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";
import {
  connectDevice,
  CONTROL_ONLY,
  expectPermissions,
  OBSERVE_COMMANDS,
} from "./token-helpers.ts";

/**
 * `--token`: an anonymous client streams once a control client connects the device, gets
 * PERMISSION_DENIED naming the command for connect, disconnect, set, start_recording and broadcast
 * (none of which take effect), and may send status, ping, subscribe, unsubscribe, get and recording_status.
 */
export async function anonymousReadOnly(runtime: Runtime): Promise<void> {
  const token = "ctl-7f3a9e2b41c8";
  await withAccessServer(runtime, ["--token", token, "--max-clients", "2"], async (srv, open) => {
    const ctl = await welcomed(await open(bearer(token)));
    const anon = await welcomed(await open());
    await connectDevice(ctl, "Authorization header");
    await anon.next(isEeg, 5000, "eeg_data on the anonymous client");
    const denied: [string, unknown][] = [
      ["connect", {}],
      ["disconnect", undefined],
      ["set", { values: { subject: "x" } }],
      ["start_recording", {}],
      ["broadcast", { note: "from anonymous" }],
    ];
    for (const [cmd, data] of denied) expectDenied(await replyTo(anon, cmd, data), cmd);
    // nothing of that happened: no broadcast arrived, the device still streams to both
    // 100 more eeg_data (0.2 s at 500 Hz, also the quiet spell in which a broadcast would have
    // arrived); 3 s only bounds a loaded machine
    await untilCount(anon, anon.messages.length, isEeg, 100, 3000, "eeg_data after the denials");
    expect(ctl.messages.some((m) => m.type === "broadcast")).toBe(false);
    expect((await health(srv))["device_state"]).toBe("connected");

    expect((await anon.request("status")).type).toBe("status");
    expect((await anon.request("ping")).type).toBe("pong");
    const sub = await anon.request("subscribe", { stream: "events" });
    expect({ type: sub.type, stream: sub.data["stream"] }).toEqual({
      type: "command_ack",
      stream: "events",
    });
    expect((await anon.request("unsubscribe", { stream: "events" })).type).toBe("command_ack");
    expectNotDenied(await replyTo(anon, "get"), "get");
    expectNotDenied(await replyTo(anon, "recording_status"), "recording_status");
  });
}

/**
 * `--auth FILE` with an observe token: broadcast is acknowledged, marker gets past the gate,
 * connect and set are PERMISSION_DENIED; by message, auth_result names the role and its commands.
 */
export async function observeRole(runtime: Runtime): Promise<void> {
  const obsToken = "obs-2c81d7f0aa93";
  const ctlToken = "ctl-91e4b6c3d2f5";
  const file = authFile([{ token: obsToken, role: "observe", name: "viewer" }, {
    token: ctlToken,
    role: "control",
    name: "lab",
  }]);
  try {
    await withAccessServer(
      runtime,
      ["--auth", file.path, "--max-clients", "3"],
      async (srv, open) => {
        const ctl = await welcomed(await open(bearer(ctlToken)));
        const obs = await welcomed(await open(bearer(obsToken)));
        const anon = await welcomed(await open());
        const ack = await obs.request("broadcast", { note: "from observe" });
        expect({ type: ack.type, recipients: ack.data["recipients"] }).toEqual({
          type: "command_ack",
          recipients: 2,
        });
        expect(
          (await anon.next((m) => m.type === "broadcast", 3000, "the observer's broadcast")).id,
        ).toBe(ack.id);
        expectNotDenied(await replyTo(obs, "marker", { label: "stimulus" }), "marker");
        for (const cmd of CONTROL_ONLY) {
          expectDenied(
            await replyTo(obs, cmd, cmd === "set" ? { values: { subject: "x" } } : {}),
            cmd,
          );
        }
        await connectDevice(ctl, "control token from the auth file");
        await obs.next(isEeg, 5000, "eeg_data on the observer");

        anon.close();
        expect(await waitClients(srv, 2)).toBe(2);
        const late = await welcomed(await open());
        const res = await late.request("auth", { token: obsToken });
        expect(res.type).toBe("auth_result");
        expect({ authenticated: res.data["authenticated"], role: res.data["role"] }).toEqual({
          authenticated: true,
          role: "observe",
        });
        expectPermissions(res.data["permissions"], OBSERVE_COMMANDS, [
          "status",
          "ping",
          "subscribe",
          "unsubscribe",
          "get",
          "auth",
          "broadcast",
        ]);
        expect((await late.request("broadcast", { again: true })).type).toBe("command_ack");
        const text = JSON.stringify(await health(srv));
        for (const t of [obsToken, ctlToken]) expect(text.includes(t)).toBe(false);
      },
    );
  } finally {
    file.cleanup();
  }
}

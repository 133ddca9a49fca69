/** @module Conformance scenario for settings (docs/protocol/bridge-api.md §5.1): get, set with broadcast, all-or-nothing, heartbeat and log level. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { Msg } from "../ws-client.ts";
import { delay, expectError, openWelcomed, UUID, withServer } from "./helpers.ts";

const isSettings = (m: Msg) => m.type === "settings";

/**
 * Two clients: get all and a subset; a set seen by the other client with a fresh id; an
 * out-of-range heartbeat_s next to a valid key changes nothing; heartbeat_s 5 really beats every
 * 5 s; log_level INFO set by `set` really forwards INFO records.
 */
export async function settingsGetSet(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "2"], async (_srv, open) => {
    const { c: a } = await openWelcomed(open);
    let { c: b } = await openWelcomed(open, "/ws");

    const all = await a.request("get");
    expect(all.type).toBe("settings");
    expect(all.data).toEqual({
      values: {
        auto_reconnect: false,
        log_level: "ERROR",
        subject: "",
        session_label: "",
        heartbeat_s: 30,
        notch_hz: null,
      },
    });
    expect((await a.request("get", { keys: ["notch_hz"] })).data).toEqual({
      values: { notch_hz: null },
    });
    const unknown = await a.request("get", { keys: ["volume"] });
    expectError(unknown, "UNKNOWN_KEY", unknown.id);
    expect(unknown.data["key"]).toBe("volume");

    const set = await a.request("set", {
      values: { subject: "S-01", session_label: "rest", notch_hz: 60 },
    });
    expect(set.type).toBe("settings");
    expect(set.data["changed"]).toEqual(["subject", "session_label", "notch_hz"]);
    expect(set.data["values"]).toMatchObject({
      subject: "S-01",
      session_label: "rest",
      notch_hz: 60,
      heartbeat_s: 30,
    });
    const seen = await b.next(isSettings, 3000, "the settings broadcast");
    expect(seen.id).toMatch(UUID);
    expect(seen.data).toEqual(set.data);

    const bad = await a.request("set", { values: { subject: "other", heartbeat_s: 301 } });
    expectError(bad, "INVALID_VALUE", bad.id);
    expect(bad.data).toMatchObject({
      key: "heartbeat_s",
      message: "Value must be between 5 and 300",
    });
    expect((await a.request("get")).data["values"]).toEqual(set.data["values"]);
    await delay(200); // a quiet spell: a broadcast of the refused set would have arrived in it
    expect(b.messages.filter(isSettings)).toHaveLength(1);

    const beat = await a.request("set", { values: { heartbeat_s: 5, log_level: "info" } });
    const setAt = Date.now();
    expect(beat.data["values"]).toMatchObject({ heartbeat_s: 5, log_level: "INFO" });
    expect((await a.request("status")).data["log_level"]).toBe("INFO");
    // an INFO record from elsewhere in the server arrives: a client leaving and a new one joining
    b.close();
    await a.next(
      (m) => m.type === "log" && / - INFO - Client .+ disconnected/.test(String(m.data["message"])),
      3000,
      "the leave log",
    );
    ({ c: b } = await openWelcomed(open));
    const joined = await a.next(
      (m) => m.type === "log" && / - INFO - Client .+ connected/.test(String(m.data["message"])),
      3000,
      "an INFO log",
    );
    expect(joined.data["level"]).toBe("INFO");
    // the period restarted at the set: the next heartbeat comes 5 s later (30 s before it)
    const heartbeat = await a.next((m) => m.type === "heartbeat", 10_000, "a heartbeat");
    const elapsed = Date.now() - setAt;
    expect(heartbeat.data["battery_level"]).toBeNull();
    // a 5-s timer re-armed at the set (timed here from its reply): 1 s early for the reply's
    // trip, 2.5 s late for a loaded machine's timers. The old 30-s period, or a beat owed at once
    // by the old schedule, would land far outside either side.
    expect(elapsed).toBeGreaterThan(4000);
    expect(elapsed).toBeLessThan(7500);
  });
}

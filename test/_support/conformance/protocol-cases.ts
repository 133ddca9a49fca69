/** @module Conformance scenarios: validation order and error codes, replies, heartbeat, streaming, state transitions. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import {
  counters,
  delay,
  expectError,
  expectStatusEvent,
  health,
  isEeg,
  isStatus,
  isStatusMessage,
  openWelcomed,
  since,
  UUID,
  waitUntil,
  withServer,
} from "./helpers.ts";

/** Every frame-level error, ping/pong, status reply shape and id echo rules (§3.2, §3.3, §3.5). */
export async function validationAndReplies(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const { c, welcome } = await openWelcomed(open);
    expectStatusEvent(welcome, "idle");
    expect(welcome.data["battery_level"]).toBeNull();

    c.sendText("{not json");
    expectError(await c.next((m) => m.type === "error"), "INVALID_JSON");
    for (const frame of ["[1,2]", '"text"', "null", "42"]) {
      c.sendText(frame);
      expectError(await c.next((m) => m.type === "error"), "INVALID_MESSAGE");
    }
    c.send({ id: "m1", data: {} });
    expectError(await c.next((m) => m.type === "error"), "MISSING_TYPE", "m1");
    c.send({ id: "m2", type: "" });
    expectError(await c.next((m) => m.type === "error"), "MISSING_TYPE", "m2");
    c.send({ id: 7, type: "dance" });
    const unknown = await c.next((m) => m.type === "error");
    expectError(unknown, "UNKNOWN_COMMAND", 7);
    expect(unknown.data["message"]).toBe("Unknown command type: dance");
    // single-client policy: broadcast is not a command
    c.send({ id: "b", type: "broadcast", data: { x: 1 } });
    expectError(await c.next((m) => m.type === "error"), "UNKNOWN_COMMAND", "b");
    // falsy ids are replaced by a fresh UUID
    c.send({ id: 0, type: "ping" });
    const pong0 = await c.next((m) => m.type === "pong");
    expect(pong0.id).toMatch(UUID);
    expect(typeof pong0.data["timestamp"]).toBe("number");
    c.send({ id: { k: 1 }, type: "ping" });
    expect((await c.next((m) => m.type === "pong")).id).toEqual({ k: 1 });
    // binary frames are read as UTF-8; bad UTF-8 is a processing error
    c.sendBinary(new TextEncoder().encode(JSON.stringify({ id: "bin", type: "ping" })));
    expect((await c.next((m) => m.type === "pong")).id).toBe("bin");
    c.sendBinary(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expectError(await c.next((m) => m.type === "error"), "MESSAGE_PROCESSING_ERROR");
    // connect with a non-object data: processing error echoing the id, nothing started
    c.send({ id: "c0", type: "connect", data: "yes" });
    expectError(await c.next((m) => m.type === "error"), "MESSAGE_PROCESSING_ERROR", "c0");
    c.send({ id: "c1", type: "connect", data: { log_level: "verbose", auto_reconnect: true } });
    expectError(await c.next((m) => m.type === "error"), "INVALID_LOG_LEVEL", "c1");
    c.send({ id: "c2", type: "connect", data: { log_level: 3 } });
    expectError(await c.next((m) => m.type === "error"), "INVALID_LOG_LEVEL", "c2");

    const st = await c.request("status");
    expect(st.type).toBe("status");
    expect(st.data).toEqual({
      device_state: "idle",
      auto_reconnect: false,
      log_level: "ERROR",
      battery_level: null,
      has_control: false,
      total_clients: 1,
      shed_messages: 0,
      subscriptions: [{ stream: "eeg", options: {} }], // the bridge's addition (docs/protocol/bridge-api.md §2)
    });
    expect("timestamp" in st.data).toBe(false);
    // the server survived all of it
    expect((await health(srv))["clients"]).toBe(1);
  });
}

/** connect → connecting → connected, ~500 eeg_data/s with consecutive counters, ALREADY_CONNECTED, heartbeat, disconnect. */
export async function streamingLifecycle(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--heartbeat-ms", "400"], async (srv, open) => {
    const { c } = await openWelcomed(open, "/ws");
    const ack = await c.request("connect", { auto_reconnect: 0, log_level: "error" });
    expect(ack.type).toBe("command_ack");
    expect(ack.data).toMatchObject({ command: "connect", auto_reconnect: 0, log_level: "ERROR" });
    expectStatusEvent(await c.next(isStatus("connecting")), "connecting");
    const connected = await c.next(isStatus("connected"));
    expect(connected.data["message"]).toBe(
      "Successfully connected to MW75 device, streaming EEG data",
    );
    expect(connected.data["battery_level"]).toBe(85);
    const again = await c.request("connect", {});
    expectError(again, "ALREADY_CONNECTED", again.id);
    expect(again.data["message"]).toBe("Already connected");

    const first = await c.next(isEeg);
    const firstAt = Date.now();
    const from = c.messages.indexOf(first);
    await delay(2000); // the span whose rate is measured
    const window = since(c, from).filter(isEeg);
    // ~500/s over the span as really slept (a loaded machine oversleeps; the simulator catches up):
    // −20 % covers the last delivery ticks still in flight; +50 % also a test process starved when
    // it read `first` (the span then starts late while its count starts early: 607/s was seen with
    // a busy core). Unpaced would be thousands, a stall 0; the server's own rate_hz is checked
    // within ±20–30 % by the diagnostics scenario.
    const seconds = (Date.now() - firstAt) / 1000;
    expect(window.length / seconds).toBeGreaterThan(400);
    expect(window.length / seconds).toBeLessThan(750);
    const cs = counters(window);
    for (let i = 1; i < cs.length; i++) expect(cs[i]).toBe((cs[i - 1]! + 1) % 256);
    const d = first.data;
    expect(first.id).toMatch(UUID);
    expect(d["event_id"]).toBe(239);
    expect(Object.keys(d["channels"] as object)).toEqual(
      Array.from({ length: 12 }, (_, i) => `ch${i + 1}`),
    );
    expect(Array.isArray(d["lead_off"])).toBe(true);
    for (const k of ["timestamp", "ref", "drl", "feature_status"]) {
      expect(typeof d[k]).toBe("number");
    }
    expect(new Set(window.map((m) => m.id)).size).toBe(window.length);

    // every 400 ms while connected, judged by the beats' own timestamps (the server's clock), not
    // by how many this busy test process had read by now: a loaded machine delays the reading
    const beatsSince = () => since(c, from).filter((m) => m.type === "heartbeat");
    await waitUntil(() => beatsSince().length >= 5, 5000, "5 heartbeats");
    const beats = beatsSince();
    const stamps = beats.map((b) => b.data["timestamp"] as number);
    const meanGap = (stamps.at(-1)! - stamps[0]!) / (stamps.length - 1);
    // 0.3..0.8 s: a timer may fire late on a loaded machine but never early; the 30-s default, a
    // beat per message or a doubled period all fall outside
    expect(meanGap).toBeGreaterThan(0.3);
    expect(meanGap).toBeLessThan(0.8);
    expect(beats[0]!.data["battery_level"]).toBe(85);
    expect(typeof beats[0]!.data["timestamp"]).toBe("number");

    // rate_hz counts the last second only: a loaded machine can hold the simulator back for part
    // of one (388.9 seen in CI), so the rate is polled until it reads 500 ± 100, within 5 s
    let h = await health(srv);
    const near500 = (r: number) => r > 400 && r < 600;
    await waitUntil(
      async () => near500((h = await health(srv))["packets"]["rate_hz"]),
      5000,
      "/health packets.rate_hz within 400–600",
    );
    expect(h["device_state"]).toBe("connected");
    expect(h["packets"]["valid"]).toBeGreaterThan(900);
    expect(h["packets"]["rate_hz"]).toBeGreaterThan(400);
    expect(h["packets"]["rate_hz"]).toBeLessThan(600);
    expect(h["battery_level"]).toBe(85);

    const dis = await c.request("disconnect");
    expect(dis.data["command"]).toBe("disconnect");
    expectStatusEvent(await c.next(isStatus("disconnecting")), "disconnecting");
    const idle = await c.next(isStatus("idle"));
    expect(idle.data["message"]).toBe("Disconnected from MW75 device");
    const after = c.messages.length;
    await delay(300); // a quiet spell: at most the odd message already in flight may arrive
    expect(since(c, after).filter(isEeg).length).toBeLessThan(5);
    expect((await c.request("status")).data["device_state"]).toBe("idle");
    // disconnect with nothing connected: ack, then idle "No active device connection"
    await c.request("disconnect");
    await c.next(isStatusMessage("No active device connection"));
  });
}

/** Log forwarding: ERROR level hides INFO/DEBUG; DEBUG and INFO really arrive; format of `log`. */
export async function logFiltering(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    const levelsAfter = (from: number) =>
      new Set(since(c, from).filter((m) => m.type === "log").map((m) => m.data["level"]));
    let mark = c.messages.length;
    await c.request("connect", { log_level: "ERROR" });
    await c.next(isStatus("connected"));
    await delay(200); // a quiet spell in which the connect's INFO records would have arrived
    expect(levelsAfter(mark).size).toBe(0);
    await c.request("disconnect");
    await c.next(isStatus("idle"));

    mark = c.messages.length;
    await c.request("connect", { log_level: "debug" });
    await c.next(isStatus("connected"));
    const dbg = await c.next((m) => m.type === "log" && m.data["level"] === "DEBUG");
    expect(dbg.data["message"]).toMatch(/^\d\d:\d\d:\d\d - [\w.]+ - DEBUG - .+/);
    expect(typeof dbg.data["logger"]).toBe("string");
    expect(typeof dbg.data["timestamp"]).toBe("number");
    expect(levelsAfter(mark).has("INFO")).toBe(true);
    await c.request("disconnect");
    await c.next(isStatus("idle"));

    mark = c.messages.length;
    await c.request("connect", { log_level: "Info" });
    await c.next(isStatus("connected"));
    // the connect's INFO records; 3 s only bounds a loaded machine
    await waitUntil(() => levelsAfter(mark).has("INFO"), 3000, "an INFO log");
    await delay(200); // a quiet spell in which DEBUG records would have arrived
    expect(levelsAfter(mark).has("DEBUG")).toBe(false);
    expect((await c.request("status")).data["log_level"]).toBe("INFO");
    await c.request("disconnect");
    await c.next(isStatus("idle"));

    mark = c.messages.length;
    await c.request("connect", { log_level: "WARNING" });
    await c.next(isStatus("connected"));
    await delay(200); // a quiet spell, as for ERROR
    const seen = levelsAfter(mark);
    expect(seen.has("INFO") || seen.has("DEBUG")).toBe(false);
  });
}

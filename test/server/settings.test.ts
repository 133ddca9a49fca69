/** @module `get` / `set` in-process (fake sockets, manual clock): replies, broadcast, all-or-nothing, roles, heartbeat, notch, reconnect, logs. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createLogHub } from "../../src/core/log-hub.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { ServedDevice } from "../../src/server/served-device.ts";
import type { Client } from "../../src/server/client-registry.ts";
import type { ClientSocket } from "../../src/ports/client-socket.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";
import type { OpenStep } from "../_support/fakes.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DEFAULTS = {
  auto_reconnect: false,
  log_level: "ERROR",
  subject: "",
  session_label: "",
  heartbeat_s: 30,
  notch_hz: null,
};

function socket() {
  const s = { texts: [] as string[] };
  const sock: ClientSocket = {
    send: (text) => s.texts.push(text) > 0,
    sendBinary: () => true,
    bufferedAmount: () => 0,
    close: () => {},
  };
  const ofType = (type: string) => s.texts.map((t) => JSON.parse(t)).filter((m) => m.type === type);
  return { s, sock, ofType };
}

async function setup(options: { heartbeatMs?: number; steps?: OpenStep[] } = {}) {
  const clock = new ManualClock();
  const source = scriptedSource(options.steps ?? [{ ok: true }]);
  const b = new ServedDevice({
    source,
    clock,
    maxClients: 3,
    runtime: "test",
    heartbeatMs: options.heartbeatMs ?? 30_000,
    noDataTimeoutMs: 1e9,
    reconnectBaseMs: 100,
    decoder: await createDecoder(await readDecoderWasm()),
    logs: createLogHub(clock.now),
    limits: {
      highWaterBytes: 1e9,
      maxQueuedData: 10_000,
      maxQueuedControl: 1000,
      maxQueuedControlChars: 1e7,
    },
  });
  let n = 0;
  const open = () => {
    const sock = socket();
    const client = b.open(sock.sock, `10.0.0.${++n}:1`)!;
    return { ...sock, client };
  };
  /** Sends a command and returns the reply carrying its id. */
  const ask = (c: { client: Client; s: { texts: string[] } }, type: string, data?: unknown) => {
    const id = `${type}-${Math.random()}`;
    const from = c.s.texts.length;
    b.message(c.client, JSON.stringify({ id, type, data }));
    return c.s.texts.slice(from).map((t) => JSON.parse(t)).find((m) => m.id === id);
  };
  return { b, clock, source, open, ask };
}

describe("get", () => {
  test("returns every setting by default, the asked ones otherwise; UNKNOWN_KEY names the key", async () => {
    const t = await setup();
    const a = t.open();
    const all = t.ask(a, "get");
    expect(all).toMatchObject({ type: "settings", data: { values: DEFAULTS } });
    expect(Object.keys(all.data)).toEqual(["values"]);
    expect(t.ask(a, "get", { keys: ["notch_hz", "heartbeat_s"] }).data).toEqual({
      values: { notch_hz: null, heartbeat_s: 30 },
    });
    const bad = t.ask(a, "get", { keys: ["heartbeat_s", "volume"] });
    expect(bad.type).toBe("error");
    expect(bad.data).toMatchObject({ code: "UNKNOWN_KEY", key: "volume" });
    expect(typeof bad.data.timestamp).toBe("number");
    expect(t.ask(a, "get", { keys: [] }).data.code).toBe("INVALID_PARAMETERS");
  });

  test("reports the heartbeat period rounded to seconds (--heartbeat-ms may be below 5 s)", async () => {
    const t = await setup({ heartbeatMs: 1400 });
    expect(t.ask(t.open(), "get", { keys: ["heartbeat_s"] }).data.values).toEqual({
      heartbeat_s: 1,
    });
  });
});

describe("set", () => {
  test("applies valid values and broadcasts all values with `changed`; status follows", async () => {
    const t = await setup();
    const a = t.open();
    const b = t.open();
    const values = {
      auto_reconnect: true,
      log_level: "warning",
      subject: "P-07",
      session_label: "baseline eyes closed",
    };
    const reply = t.ask(a, "set", { values });
    const expected = {
      ...DEFAULTS,
      auto_reconnect: true,
      log_level: "WARNING",
      subject: "P-07",
      session_label: "baseline eyes closed",
    };
    expect(reply).toMatchObject({
      type: "settings",
      data: {
        values: expected,
        changed: ["auto_reconnect", "log_level", "subject", "session_label"],
      },
    });
    const seen = b.ofType("settings");
    expect(seen).toHaveLength(1);
    expect(seen[0].data).toEqual(reply.data);
    expect(seen[0].id).toMatch(UUID);
    expect(a.ofType("settings")).toHaveLength(1); // the sender gets its reply only, not a second copy
    expect(t.ask(b, "get").data.values).toEqual(expected);
    expect(t.ask(b, "status").data).toMatchObject({ auto_reconnect: true, log_level: "WARNING" });
  });

  test("an out-of-range heartbeat_s next to a valid key changes nothing and tells nobody else", async () => {
    const t = await setup();
    const a = t.open();
    const b = t.open();
    const err = t.ask(a, "set", { values: { notch_hz: 50, heartbeat_s: 4, subject: "x" } });
    expect(err.type).toBe("error");
    expect(Object.keys(err.data).sort()).toEqual(["code", "key", "message", "timestamp"]);
    expect(err.data).toMatchObject({
      code: "INVALID_VALUE",
      key: "heartbeat_s",
      message: "Value must be between 5 and 300",
    });
    expect(t.ask(a, "get").data.values).toEqual(DEFAULTS);
    expect(b.ofType("settings")).toHaveLength(0);
    expect(t.ask(a, "set", { values: { nope: 1 } }).data).toMatchObject({
      code: "UNKNOWN_KEY",
      key: "nope",
    });
    for (const data of [{ values: {} }, { values: [1] }, undefined]) {
      expect(t.ask(a, "set", data).data.code).toBe("INVALID_PARAMETERS");
    }
    expect(t.ask(a, "get").data.values).toEqual(DEFAULTS);
  });

  test("observe and anonymous clients get PERMISSION_DENIED naming the first key; nothing changes", async () => {
    const t = await setup();
    const a = t.open();
    for (const role of ["observe", "anonymous"] as const) {
      a.client.principal.role = role;
      const err = t.ask(a, "set", { values: { subject: "x", heartbeat_s: 10 } });
      expect(err.type).toBe("error");
      expect(err.data).toMatchObject({ code: "PERMISSION_DENIED", key: "subject" });
      expect(err.data.message).toContain("set");
      expect(err.data.message).toContain(role);
      expect(t.ask(a, "get").data.values).toEqual(DEFAULTS); // reading needs no role
    }
  });

  test("heartbeat_s changes every client's heartbeat period at once, and new clients'", async () => {
    const t = await setup();
    const a = t.open();
    const b = t.open();
    await t.clock.advance(20_000); // two thirds of the old 30 s period
    t.ask(a, "set", { values: { heartbeat_s: 5 } });
    await t.clock.advance(4_900);
    expect(a.ofType("heartbeat")).toHaveLength(0);
    await t.clock.advance(100);
    for (const c of [a, b]) expect(c.ofType("heartbeat")).toHaveLength(1);
    const late = t.open();
    await t.clock.advance(10_000);
    for (const c of [a, b]) expect(c.ofType("heartbeat")).toHaveLength(3);
    expect(late.ofType("heartbeat")).toHaveLength(2);
    expect(t.ask(late, "get", { keys: ["heartbeat_s"] }).data.values).toEqual({ heartbeat_s: 5 });
  });

  test("notch_hz 50 removes a 50 Hz tone from eeg_batch but not from eeg_data", async () => {
    const t = await setup();
    const a = t.open();
    t.ask(a, "subscribe", { stream: "eeg_batch", num_samples: 100 });
    t.ask(a, "set", { values: { notch_hz: 50 } });
    t.ask(a, "connect", {});
    await flush();
    const uv = (n: number) =>
      80 * Math.sin((2 * Math.PI * 50 * n) / 500 + 0.4) +
      25 * Math.sin((2 * Math.PI * 10 * n) / 500) + 300;
    for (let chunk = 0; chunk < 200; chunk++) {
      const bytes = new Uint8Array(63 * 10);
      for (let i = 0; i < 10; i++) {
        const n = chunk * 10 + i;
        bytes.set(
          buildPacket({
            counter: n & 0xff,
            rawChannels: Array.from({ length: 12 }, () => uv(n) / UV_PER_COUNT),
          }),
          63 * i,
        );
      }
      t.source.links[0]!.push(bytes);
    }
    await flush();
    const batched = a.ofType("eeg_batch").filter((m) => m.data.first_seq >= 1000).flatMap((m) =>
      m.data.channels.ch5 as number[]
    );
    const direct = a.ofType("eeg_data").filter((m) => m.data.seq >= 1000).map((m) =>
      m.data.channels.ch5 as number
    );
    expect(batched).toHaveLength(1000);
    expect(direct).toHaveLength(1000);
    expect(amplitudeAt(direct, 50)).toBeCloseTo(80, 0);
    expect(amplitudeAt(batched, 50)).toBeLessThan(0.5); // −44 dB; it measures −111 dB
    expect(amplitudeAt(batched, 10)).toBeCloseTo(25, 0);
    expect(batched.reduce((s, x) => s + x, 0) / batched.length).toBeCloseTo(300, 0);
    // switched off: the tone is back in the very next batches
    t.ask(a, "set", { values: { notch_hz: null } });
    const mark = a.ofType("eeg_batch").length;
    for (let n = 2000; n < 2500; n++) {
      t.source.links[0]!.push(
        buildPacket({ counter: n & 0xff, rawChannels: Array(12).fill(uv(n) / UV_PER_COUNT) }),
      );
    }
    await flush();
    const after = a.ofType("eeg_batch").slice(mark).flatMap((m) => m.data.channels.ch5 as number[]);
    expect(amplitudeAt(after, 50)).toBeCloseTo(80, 0);
  });

  test("auto_reconnect false stops a running reconnect loop, as disconnect does", async () => {
    const t = await setup({ steps: [{ ok: true }, { fail: "CONNECTION_FAILED" }] });
    const a = t.open();
    t.ask(a, "connect", { auto_reconnect: true });
    await flush();
    t.source.links[0]!.end(); // link lost: the loop starts (100 ms, 200 ms, …)
    await t.clock.advance(350);
    const opens = t.source.opens;
    expect(opens).toBeGreaterThanOrEqual(2);
    expect(t.ask(a, "set", { values: { auto_reconnect: false } }).data.changed).toEqual([
      "auto_reconnect",
    ]);
    await t.clock.advance(10);
    // switched on again during the wait: the stopped loop stays stopped (true acts at the next loss)
    t.ask(a, "set", { values: { auto_reconnect: true } });
    await t.clock.advance(10_000);
    expect(t.source.opens).toBe(opens);
    t.ask(a, "set", { values: { auto_reconnect: false } });
    expect(t.source.opens).toBe(opens);
    expect(t.ask(a, "status").data.auto_reconnect).toBe(false);
  });

  test("log_level switches log forwarding on at that level, as connect does", async () => {
    const t = await setup();
    const a = t.open();
    t.open();
    expect(a.ofType("log")).toHaveLength(0); // nobody chose a level yet
    t.ask(a, "set", { values: { log_level: "info" } });
    t.open(); // logs "Client … connected" at INFO
    const logs = a.ofType("log").map((m) => m.data.message as string);
    expect(logs.some((m) => / - INFO - Client 10\.0\.0\.3:1 connected/.test(m))).toBe(true);
    expect(t.ask(a, "status").data.log_level).toBe("INFO");
  });
});

/** Amplitude of the `f` Hz component (a one-bin DFT over whole periods at 500 Hz). */
function amplitudeAt(x: number[], f: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < x.length; n++) {
    re += x[n]! * Math.cos((2 * Math.PI * f * n) / 500);
    im += x[n]! * Math.sin((2 * Math.PI * f * n) / 500);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

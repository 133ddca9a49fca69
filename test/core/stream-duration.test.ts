/** @module `connect {duration_s}` in the session (docs/protocol/bridge-api.md §11) on a manual clock: the one deadline, its reason, what clears and replaces it. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { DeviceSession } from "../../src/core/session.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { createBlockBuilder } from "../../src/core/sample-blocks.ts";
import { StreamDeadline } from "../../src/core/stream-deadline.ts";
import { statusText } from "../../src/protocol/status-text.ts";
import { decideConnect } from "../../src/protocol/handler.ts";
import { readConnect } from "../../src/protocol/inbound.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";
import type { OpenStep } from "../_support/fakes.ts";

const wasm = await readDecoderWasm();

async function setup(steps: OpenStep[] = [{ ok: true }]) {
  const clock = new ManualClock();
  const source = scriptedSource(steps);
  const statuses: string[] = [];
  const log = { log: () => {} };
  const session = new DeviceSession({
    source,
    decoder: await createDecoder(wasm),
    clock,
    log,
    sourceLog: log,
    blocks: createBlockBuilder(),
    // the scripted links stay silent: the watchdog must not end them while the clock runs for minutes
    noDataTimeoutMs: 1e9,
    reconnectBaseMs: 1000,
    events: {
      onStatus: (state, cause) => void statuses.push(`${state}: ${statusText(cause)}`),
      onError: () => {},
      onSamples: () => {},
    },
  });
  return { clock, source, session, statuses };
}

describe("StreamDeadline", () => {
  test("fires once at its time; a new set replaces it; clear forgets it", async () => {
    const clock = new ManualClock();
    const d = new StreamDeadline(clock);
    const fired: number[] = [];
    d.set(clock.now() + 1000, () => fired.push(clock.now()));
    expect(d.untilMs).toBe(clock.now() + 1000);
    await clock.advance(500);
    d.set(clock.now() + 1000, () => fired.push(clock.now())); // replaces: one timer only
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([clock.now()]);
    expect(d.untilMs).toBeNull();
    d.set(clock.now() + 10, () => fired.push(-1));
    d.clear();
    await clock.advance(100);
    expect(fired.length).toBe(1);
  });
});

describe("connect with a duration", () => {
  test("disconnects at the deadline with the reason 'duration reached'", async () => {
    const t = await setup();
    t.session.connect(false, t.clock.now() + 5000);
    await flush();
    expect(t.session.state).toBe("connected");
    await t.clock.advance(4999);
    expect(t.session.state).toBe("connected");
    await t.clock.advance(1);
    expect(t.session.state).toBe("idle");
    expect(t.statuses.slice(-2)).toEqual([
      "disconnecting: Disconnecting from MW75 device... (duration reached)",
      "idle: Disconnected from MW75 device (duration reached)",
    ]);
  });

  test("a disconnect clears it: a later connect without one streams on past the old deadline", async () => {
    const t = await setup();
    t.session.connect(false, t.clock.now() + 2000);
    await flush();
    await t.session.disconnect();
    expect(t.statuses.at(-1)).toBe("idle: Disconnected from MW75 device"); // the base text, no reason
    t.session.connect(false);
    await t.clock.advance(10_000);
    expect(t.session.state).toBe("connected");
    expect(t.statuses.filter((s) => s.includes("duration reached"))).toEqual([]);
  });

  test("a new connect replaces it; a teardown clears it", async () => {
    const t = await setup();
    t.session.connect(false, t.clock.now() + 1000);
    await flush();
    t.source.links[0]!.end(); // the link drops, no auto-reconnect: the device is disconnected
    await flush();
    expect(t.session.state).toBe("disconnected");
    t.session.connect(false, t.clock.now() + 3000);
    await t.clock.advance(2000);
    expect(t.session.state).toBe("connected"); // the first deadline no longer counts
    await t.clock.advance(1000);
    expect(t.session.state).toBe("idle");
    t.session.connect(false, t.clock.now() + 1000);
    await flush();
    await t.session.shutdown();
    const before = t.statuses.length;
    await t.clock.advance(5000);
    expect(t.statuses.length).toBe(before);
  });

  test("counts through reconnections, and stops a reconnect loop that is waiting", async () => {
    const t = await setup([{ ok: true }, { fail: "CONNECTION_FAILED" }]);
    t.session.connect(true, t.clock.now() + 1500);
    await flush();
    t.source.links[0]!.end();
    await flush();
    expect(t.session.reportedState).toBe("reconnecting");
    await t.clock.advance(1500);
    expect(t.session.state).toBe("idle");
    expect(t.session.reportedState).toBe("idle");
    expect(t.statuses.at(-1)).toContain("(duration reached)");
    const opens = t.source.opens;
    await t.clock.advance(60_000);
    expect(t.source.opens).toBe(opens); // no attempt after the end
  });

  test("a link lost for good before the deadline is not announced again", async () => {
    const t = await setup();
    t.session.connect(false, t.clock.now() + 1000);
    await flush();
    t.source.links[0]!.end();
    await flush();
    const before = t.statuses.slice();
    await t.clock.advance(2000);
    expect(t.statuses).toEqual(before);
    expect(t.session.state).toBe("disconnected");
  });
});

describe("connect duration_s validation", () => {
  const decide = (data: unknown) =>
    decideConnect({ controlTakenByOther: false, deviceState: "idle" }, readConnect(data));

  test("1–86400 accepted; the ack without duration_s is the base one", () => {
    for (const ok of [1, 2.5, 86_400]) {
      const d = decide({ duration_s: ok });
      expect(d.ok && d.value.durationS).toBe(ok);
    }
    const base = decide({});
    expect(base.ok && base.value.durationS).toBeNull();
    expect(base.ok && Object.keys(base.value.ack).sort()).toEqual([
      "auto_reconnect",
      "command",
      "log_level",
      "message",
    ]);
    expect(decide({ duration_s: null }).ok).toBe(true); // null counts as not given
  });

  test("anything else is INVALID_PARAMETERS naming the field and its range", () => {
    for (const bad of [0, 86_401, "5", -1, Number.NaN, true, [5], { s: 5 }]) {
      const d = decide({ duration_s: bad });
      expect(d.ok).toBe(false);
      if (d.ok) continue;
      expect(d.code).toBe("INVALID_PARAMETERS");
      expect(d.message).toContain("duration_s");
      expect(d.message).toContain("between 1 and 86400");
    }
  });
});

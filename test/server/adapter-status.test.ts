/** @module AdapterStatusFeed with a scripted watcher: the current status, one encoded message per change, no replay, close. */
import { describe, expect, test } from "bun:test";
import { AdapterStatusFeed } from "../../src/server/adapter-status.ts";
import type { AdapterStatus } from "../../src/ports/bluez.ts";

const ON = { present: true, powered: true, discovering: false };
const OFF = { present: true, powered: false, discovering: false };

/** A watcher whose reports the test makes; `closed` counts close() calls. */
function scripted() {
  let report: (s: AdapterStatus) => void = () => {};
  const state = { closed: 0 };
  const watcher = {
    watch: (onStatus: (s: AdapterStatus) => void) => {
      report = onStatus;
      return { close: () => (state.closed++, Promise.resolve()) };
    },
  };
  return { watcher, report: (s: AdapterStatus) => report(s), state };
}

const silent = { log: () => {} };

describe("AdapterStatusFeed", () => {
  test("absent until the first report, then the latest; a copy each time", () => {
    const w = scripted();
    const feed = new AdapterStatusFeed(w.watcher, silent);
    expect(feed.current).toEqual({ present: false, powered: false, discovering: false });
    w.report(ON);
    const seen = feed.current;
    seen.powered = false;
    expect(feed.current).toEqual(ON);
  });

  test("one event message per change, none for a repeat, none to a closed subscriber", () => {
    const w = scripted();
    const feed = new AdapterStatusFeed(w.watcher, silent, () => 1_700_000_000_500);
    const a: string[] = [];
    const b: string[] = [];
    const sa = feed.subscribe((m) => a.push(m));
    feed.subscribe((m) => b.push(m));
    w.report(ON);
    w.report(ON);
    sa.close();
    w.report(OFF);
    expect(a.length).toBe(1);
    expect(b.length).toBe(2);
    const first = JSON.parse(a[0]!);
    expect(first.type).toBe("event");
    expect(typeof first.id).toBe("string");
    expect(first.data).toEqual({
      event_type: "bluetooth_status",
      timestamp: 1_700_000_000.5,
      ...ON,
    });
    // one message for every socket: the same id
    expect(JSON.parse(b[0]!).id).toBe(first.id);
    expect(JSON.parse(b[1]!).data).toMatchObject(OFF);
  });

  test("a subscriber after a change gets nothing until the next one; close ends the watch", async () => {
    const w = scripted();
    const feed = new AdapterStatusFeed(w.watcher, silent);
    w.report(ON);
    const late: string[] = [];
    feed.subscribe((m) => late.push(m));
    expect(late).toEqual([]);
    await feed.close();
    expect(w.state.closed).toBe(1);
    w.report(OFF);
    expect(late).toEqual([]);
  });
});

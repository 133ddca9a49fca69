/** @module The marker inlet's refusals on loopback (inside test/netns.sh): too many channels, ignored streams, rejected markers, no log floods. */
import { describe, expect, test } from "bun:test";
import { MAX_CHANNELS } from "../../src/lsl/inlet/marker-inlet.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { FakeOutlet, startInlet, time, until } from "./inlet-fake-outlet.ts";

const tag = Math.random().toString(36).slice(2, 8);

function fake(name: string, more: Partial<Parameters<typeof FakeOutlet.start>[0]> = {}) {
  return FakeOutlet.start({
    name,
    sourceId: `src-${name}`,
    offsetS: 0,
    responder: true,
    now: time.now,
    ...more,
  });
}

describe("marker inlet refusals", () => {
  test(
    `a stream of more than ${MAX_CHANNELS} channels is never connected; logged once`,
    async () => {
      requireLoopbackOnly();
      const name = `Mk-wide-${tag}`;
      const wide = await fake(name, { channels: MAX_CHANNELS + 1 });
      const { it, logs } = startInlet({ query: `name='${name}'` });
      try {
        // each reply triggers a sweep, which would connect at once; a wave brings up to 4 queries
        // (127.0.0.1 and three groups), so 12 are 3+ waves (1.5 s or more) of chances
        await until("12 queries", () => wide.shortinfoQueries >= 12);
        expect(wide.feedConnections).toBe(0);
        expect(logs.filter((l) => l.includes(`${MAX_CHANNELS + 1} channels`)).length).toBe(1);
        expect(it.figures()[0]).toMatchObject({ name, connected: false, markers: 0 });
      } finally {
        await it.close();
        await wide.close();
      }
    },
    10_000,
  );

  test("a stream the wiring ignores is logged once per source_id, with the reason", async () => {
    const name = `Mk-ign-${tag}`;
    const ignored = await fake(name);
    const { it, logs } = startInlet({
      query: `name='${name}'`,
      ignore: (info) => info.name === name,
    });
    try {
      await until("12 queries (3+ waves)", () => ignored.shortinfoQueries >= 12);
      const lines = logs.filter((l) => l.includes(`ignoring ${name}@vm`));
      expect(lines).toEqual([`INFO LSL inlet: ignoring ${name}@vm: a bridge's marker outlet`]);
      expect(ignored.feedConnections).toBe(0);
      expect(it.figures()).toEqual([]);
    } finally {
      await it.close();
      await ignored.close();
    }
  }, 10_000);

  test(
    "markers the consumer refuses (onMarker returns false) are counted as rejected",
    async () => {
      const name = `Mk-rej-${tag}`;
      const outlet = await fake(name);
      const seen: string[] = [];
      const { it } = startInlet({
        query: `name='${name}'`,
        onMarker: (m) => {
          seen.push(m.label);
          return !m.label.startsWith("no");
        },
      });
      try {
        await until("a consumer", () => outlet.consumers() === 1);
        for (const label of ["yes", "no-1", "no-2", "sentinel"]) outlet.push(label);
        await until("the sentinel", () => seen.at(-1) === "sentinel", 3000);
        expect(it.figures()[0]).toMatchObject({ markers: 4, rejected: 2 });
      } finally {
        await it.close();
        await outlet.close();
      }
    },
    10_000,
  );

  test(
    "an outlet answering with a new uid each time (404 to the old one) logs one restart, one failure",
    async () => {
      const name = `Mk-flap-${tag}`;
      const flapping = await fake(name, { uidPerReply: true });
      const { it, logs } = startInlet({ query: `name='${name}'` });
      try {
        // each wave (0.5 s) brings a "restart" and a 404; six of them would log six lines each
        await until(
          "six queries and three feeds",
          () => flapping.shortinfoQueries >= 6 && flapping.feedConnections >= 3,
        );
        expect(logs.filter((l) => l.includes("restarted")).length).toBeLessThanOrEqual(1);
        expect(logs.filter((l) => l.includes("cannot read")).length).toBe(1);
      } finally {
        await it.close();
        await flapping.close();
      }
    },
    10_000,
  );

  test(
    "an outlet that drops every feed right after its test patterns logs one open and one loss, not a pair per connection",
    async () => {
      const name = `Mk-drop-${tag}`;
      const dropping = await fake(name, { dropAfterPatterns: true });
      const { it, logs } = startInlet({ query: `name='${name}'` });
      try {
        // reconnections are 500 ms apart: four take about 1.5 s
        await until("four feeds", () => dropping.feedConnections >= 4);
        expect(logs.filter((l) => l.includes("reading")).length).toBe(1);
        expect(logs.filter((l) => l.includes("lost")).length).toBe(1);
      } finally {
        await it.close();
        await dropping.close();
      }
    },
    10_000,
  );
});

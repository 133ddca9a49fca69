/** @module The marker inlet against fake outlets on loopback (inside test/netns.sh): discovery, time, restart, own uids, refusal. */
import { describe, expect, test } from "bun:test";
import type { ReceivedMarker } from "../../src/lsl/inlet/marker-inlet.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { FakeOutlet, startInlet as inlet, time, until } from "./inlet-fake-outlet.ts";

const tag = Math.random().toString(36).slice(2, 8);

/** Every marker maps through its own correction, and the correction undoes the fake's clock offset. */
function expectCorrected(markers: readonly ReceivedMarker[], offsetS: number): void {
  for (const m of markers) {
    expect(m.unixTime).toBe(time.toUnix(m.lslTime + m.timeCorrection));
    // loopback round trips are well under 1 ms; 5 ms leaves room for a loaded CI machine
    expect(Math.abs(m.timeCorrection + offsetS)).toBeLessThan(0.005);
  }
}

describe("marker inlet", () => {
  test(
    "resolves a fake by multicast (site scope), waits for the first estimate, delivers every marker once",
    async () => {
      requireLoopbackOnly();
      const name = `Mk-site-${tag}`;
      const fake = await FakeOutlet.start({
        name,
        sourceId: `src-${name}`,
        offsetS: 2.5,
        responder: true,
        now: time.now,
      });
      const { it, markers, logs } = inlet({ query: `name='${name}'` });
      try {
        await until("a consumer", () => fake.consumers() === 1);
        // pushed before the first estimate (0.64 s away): they must wait for it, not go out uncorrected
        const labels = ["a", "b", "c", "d", "e"];
        for (const l of labels) fake.push(l);
        await until("5 markers", () => markers.length >= 5, 4000);
        // one TCP feed keeps order: once the sentinel is in, no duplicate can still come before it
        fake.push("sentinel");
        await until("the sentinel", () => markers.at(-1)?.label === "sentinel", 3000);
        expect(markers.map((m) => m.label)).toEqual([...labels, "sentinel"]);
        expectCorrected(markers, 2.5);
        expect(markers[0]?.source).toBe(`lsl:${name}@vm`);
        expect(markers[0]?.stream).toEqual({
          name,
          hostname: "vm",
          sourceId: `src-${name}`,
          uid: fake.uid,
        });
        const [line] = it.figures();
        expect(line).toMatchObject({
          name,
          hostname: "vm",
          source_id: `src-${name}`,
          connected: true,
          markers: 6,
        });
        expect(Math.abs((line?.time_correction_ms ?? 0) + 2500)).toBeLessThan(5);
        expect(logs.filter((l) => l.includes("resolved")).length).toBe(1);
      } finally {
        await it.close();
        await fake.close();
      }
    },
    10_000,
  );

  test(
    "machine scope finds a fake without a 16571 responder through the known-peers sweep; follows its restart",
    async () => {
      const name = `Mk-peer-${tag}`;
      const sourceId = `src-${name}`;
      let fake = await FakeOutlet.start({
        name,
        sourceId,
        offsetS: -1,
        responder: false,
        now: time.now,
      });
      const { it, markers, logs } = inlet({
        query: `name='${name}'`,
        scope: "machine",
        knownPeers: ["127.0.0.1"],
      });
      try {
        await until("a consumer", () => fake.consumers() === 1);
        fake.push("one");
        await until("marker one", () => markers.length === 1, 3000);
        expectCorrected(markers, -1);
        const firstUid = fake.uid;
        await fake.close();
        fake = await FakeOutlet.start({
          name,
          sourceId,
          offsetS: 4,
          responder: false,
          now: time.now,
        });
        await until("the restarted fake's consumer", () => fake.consumers() === 1, 6000);
        fake.push("two");
        await until("marker two", () => markers.length === 2, 3000);
        expect(markers.map((m) => m.label)).toEqual(["one", "two"]);
        expect(markers[1]?.stream.uid).not.toBe(firstUid);
        expectCorrected(markers.slice(1), 4); // estimated afresh for the new outlet
        expect(logs.filter((l) => l.includes("lost")).length).toBe(1);
        expect(it.figures()).toHaveLength(1);
      } finally {
        await it.close();
        await fake.close();
      }
    },
    15_000,
  );

  test("the bridge's own outlets are never read", async () => {
    const family = `Mk-own-${tag}`;
    const own = await FakeOutlet.start({
      name: `${family}-a`,
      sourceId: `${family}-a`,
      family,
      offsetS: 0,
      responder: true,
      now: time.now,
    });
    const other = await FakeOutlet.start({
      name: `${family}-b`,
      sourceId: `${family}-b`,
      family,
      offsetS: 0,
      responder: true,
      now: time.now,
    });
    const { it, markers } = inlet({
      query: `starts-with(name,'${family}')`,
      ownUids: () => new Set([own.uid]),
    });
    try {
      await until("a consumer of the other", () => other.consumers() === 1);
      await until("the own fake to have been asked", () => own.shortinfoQueries > 2);
      own.push("mine");
      other.push("theirs");
      // the sentinel follows on the same TCP feed: nothing of that feed can arrive after it
      other.push("sentinel");
      await until("the sentinel", () => markers.at(-1)?.label === "sentinel", 3000);
      expect(markers.map((m) => m.label)).toEqual(["theirs", "sentinel"]);
      expect(own.feedConnections).toBe(0);
      expect(it.figures().map((f) => f.name)).toEqual([`${family}-b`]);
    } finally {
      await it.close();
      await own.close();
      await other.close();
    }
  }, 10_000);

  test("a numeric stream's first channel becomes the label", async () => {
    const name = `Mk-num-${tag}`;
    const fake = await FakeOutlet.start({
      name,
      sourceId: `src-${name}`,
      offsetS: 0,
      responder: true,
      numeric: true,
      now: time.now,
    });
    const { it, markers } = inlet({ query: `name='${name}'` });
    try {
      await until("a consumer", () => fake.consumers() === 1);
      fake.push(42.5);
      fake.push(-3);
      await until("2 markers", () => markers.length === 2, 3000);
      expect(markers.map((m) => m.label)).toEqual(["42.5", "-3"]);
    } finally {
      await it.close();
      await fake.close();
    }
  }, 10_000);

  test(
    "without time replies a marker waits 1.5 s, then goes out uncorrected (logged once); later ones do not wait",
    async () => {
      const name = `Mk-notime-${tag}`;
      const fake = await FakeOutlet.start({
        name,
        sourceId: `src-${name}`,
        offsetS: 0,
        responder: true,
        noTime: true,
        now: time.now,
      });
      const { it, markers, logs } = inlet({ query: `name='${name}'` });
      try {
        await until("a consumer", () => fake.consumers() === 1);
        const sent = Date.now();
        fake.push("first");
        await until("the first marker", () => markers.length === 1, 3000);
        // the 1.5 s bound, less 100 ms for timer skew between runtimes
        expect(Date.now() - sent).toBeGreaterThanOrEqual(1400);
        const again = Date.now();
        fake.push("second");
        await until("the second marker", () => markers.length === 2, 3000);
        expect(Date.now() - again).toBeLessThan(1000); // it did not wait another 1.5 s
        expect(markers.map((m) => m.timeCorrection)).toEqual([0, 0]);
        expect(logs.filter((l) => l.includes("no time correction")).length).toBe(1);
      } finally {
        await it.close();
        await fake.close();
      }
    },
    10_000,
  );

  test(
    "a fake with a wrong test pattern is refused, retried 500 ms apart, logged once",
    async () => {
      const name = `Mk-bad-${tag}`;
      const fake = await FakeOutlet.start({
        name,
        sourceId: `src-${name}`,
        offsetS: 0,
        responder: true,
        badPattern: true,
        now: time.now,
      });
      const { it, markers, logs } = inlet({ query: `name='${name}'` });
      try {
        // 3 attempts at 500 ms: about 1 s; 4 s allows a slow machine
        await until("three attempts", () => fake.feedConnections >= 3, 4000);
        fake.push("never");
        expect(logs.filter((l) => l.includes("test-pattern samples do not match")).length).toBe(1);
        expect(it.figures()[0]).toMatchObject({ connected: false, markers: 0 });
        expect(markers).toEqual([]);
      } finally {
        await it.close();
        await fake.close();
      }
    },
    10_000,
  );
});

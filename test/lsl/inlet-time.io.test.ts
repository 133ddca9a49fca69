/** @module Time correction on loopback with a manual clock: probe spacing, estimate time, refresh, too few replies. */
import { describe, expect, test } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { lslTime } from "../../src/lsl/clock.ts";
import { TimeSync } from "../../src/lsl/inlet/time-sync.ts";
import { bindUdp, closeUdp } from "../../src/lsl/inlet/udp.ts";
import { ManualClock } from "../_support/fakes.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";

const time = lslTime(() => performance.now() / 1000, () => systemClock.now());

/** Real-time wait for datagrams in flight on loopback (they take well under 1 ms; 30 ms of margin). */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe("time sync", () => {
  test("waves of 8 probes, estimate at 0.64 s ≈ −offset, refresh at 2 s (liblsl TimeUpdateInterval), under 6 replies keeps the old estimate", async () => {
    requireLoopbackOnly();
    const offset = 123.25;
    const service = await bindUdp(true);
    let probes = 0;
    let answer = true;
    service.on("message", (data, from) => {
      const [method, rest = ""] = new TextDecoder().decode(data).split("\r\n");
      // only time probes count: files running at once sweep the service ports with shortinfo queries
      if (method !== "LSL:timedata") return;
      probes++;
      if (!answer) return;
      const t1 = time.now() + offset;
      service.send(` ${rest.trim()} ${t1} ${time.now() + offset}`, from.port, from.address);
    });
    const clock = new ManualClock();
    const estimates: (number | null)[] = [];
    const sync = new TimeSync({
      address: "127.0.0.1",
      servicePort: service.address().port,
      time,
      clock,
      onEstimate: (c) => estimates.push(c),
    });
    try {
      const first = sync.waitFirst(1500);
      sync.start();
      for (let i = 0; i < 8; i++) {
        await settle();
        await clock.advance(i === 0 ? 0 : 64);
      }
      await settle();
      expect(probes).toBe(8);
      expect(estimates).toEqual([]);
      await clock.advance(640 - 7 * 64);
      expect(estimates).toHaveLength(1);
      // loopback round trips are well under 1 ms; 5 ms leaves room for a loaded machine
      expect(Math.abs((estimates[0] ?? 0) + offset)).toBeLessThan(0.005);
      expect(await first).toBe(sync.correction);
      const kept = sync.correction;
      // the next wave at 2 s: only 5 replies, so no new estimate
      await clock.advance(2000 - 640);
      let replies = 0;
      for (let i = 0; i < 8; i++) {
        answer = replies++ < 5;
        await settle();
        await clock.advance(i === 0 ? 0 : 64);
      }
      await settle();
      await clock.advance(640 - 7 * 64);
      expect(probes).toBe(16);
      expect(estimates.length).toBe(2);
      expect(estimates[1]).toBeNull();
      expect(sync.correction).toBe(kept);
      // stopped: no more probes
      sync.stop();
      await clock.advance(20_000);
      await settle();
      expect(probes).toBe(16);
    } finally {
      await sync.close();
      await closeUdp(service);
    }
  });

  test("waitFirst gives null after its bound when nothing answers", async () => {
    const clock = new ManualClock();
    const sync = new TimeSync({ address: "127.0.0.1", servicePort: 9, time, clock });
    try {
      const first = sync.waitFirst(1500);
      sync.start();
      await clock.advance(1500);
      expect(await first).toBeNull();
    } finally {
      await sync.close();
    }
  });
});

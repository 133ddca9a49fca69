/** @module The README's SDK example, taken from the README as written, runs against a live bridge under this runtime. */
import { describe, expect, test } from "bun:test";
import { docExample, runExample } from "../_support/doc-example.ts";

const README = new URL("../../README.md", import.meta.url);

describe("README SDK example", () => {
  test(
    "connects the headset, prints the status and two seconds of batches, then ends",
    async () => {
      // about 2 s of streaming; 20 s leaves room for a loaded CI host
      const lines = await runExample(docExample(README, "Apps use the typed client"), 20_000);
      expect(lines).toContain("device: connected");
      const batches = lines.filter((l) => /^\d+ -?\d/.test(l)).map((l) => l.split(" ").map(Number));
      expect(batches.length).toBeGreaterThanOrEqual(2);
      // batches of up to 50 (the 100-ms interval may send one early) in seq order, channel 1 a finite
      // µV value, ending once seq 999 was reached
      for (let i = 1; i < batches.length; i++) {
        const step = batches[i]![0]! - batches[i - 1]![0]!;
        expect(step > 0 && step <= 50).toBe(true);
      }
      for (const [, uv] of batches) expect(Number.isFinite(uv) && Math.abs(uv!) < 1000).toBe(true);
      expect(batches.at(-1)![0]! + 49).toBeGreaterThanOrEqual(999);
      expect(batches.at(-1)![0]!).toBeLessThanOrEqual(999);
    },
    40_000,
  );
});

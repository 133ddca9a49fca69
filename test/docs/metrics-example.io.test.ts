/** @module docs/metrics.md's SDK example, taken from the page as written, runs against a live bridge under this runtime and prints what the page says it does. */
import { describe, expect, test } from "bun:test";
import { docExample, runExample } from "../_support/doc-example.ts";

const DOC = new URL("../../docs/metrics.md", import.meta.url);

describe("docs/metrics.md SDK example", () => {
  test(
    "prints three metrics of ch1, 0.5 s of data apart, the first over a full 2-s window, then ends",
    async () => {
      // 2 s of window and 1 s for two more steps at 500 Hz; 20 s leaves room for a loaded CI host
      const lines = await runExample(docExample(DOC, "With the client SDK"), 20_000);
      const heads = lines.map((l) => /^seq (\d+): ch1 (good|fair|poor|off) \((.+)\)$/.exec(l))
        .filter((m) => m !== null);
      const figures = lines.map((l) =>
        /^ {2}RMS (\S+) µV, alpha (\S+) of 1–45 Hz, peak (\S+) Hz$/.exec(l)
      ).filter((m) => m !== null);
      expect({ heads: heads.length, figures: figures.length, lines: lines.length }).toEqual({
        heads: 3,
        figures: 3,
        lines: 6,
      });
      const seqs = heads.map((m) => Number(m[1]));
      // a full window is 1000 samples, so the first message ends at seq 999 or later; 250 samples apart
      expect(seqs[0]!).toBeGreaterThanOrEqual(999);
      expect([seqs[1]! - seqs[0]!, seqs[2]! - seqs[1]!]).toEqual([250, 250]);
      for (const m of heads) {
        const reason = m[3]!;
        expect(m[2] === "good" ? reason === "no problem" : /^[a-z_]+$/.test(reason)).toBe(true);
      }
      for (const [, rms, alpha, peak] of figures) {
        // the simulator: tens of µV, a 10-Hz alpha rhythm among pink noise
        expect(Number(rms) > 1 && Number(rms) < 200).toBe(true);
        expect(Number(alpha) > 0 && Number(alpha) < 1).toBe(true);
        expect(Number(peak) >= 1 && Number(peak) <= 45).toBe(true);
      }
    },
    40_000,
  );
});

/** @module docs/metrics.md states the quality rule, the options and the refusals as the code has them: its tables are checked against the constants, so a changed threshold cannot leave the page behind. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  AMPLITUDE_LIMITS,
  FLAT_RMS_UV,
  limitScore,
  MAINS_LIMITS,
  NOISE_LIMITS,
  RAILED_RMS_UV,
} from "../../src/metrics/quality.ts";
import type { Limits } from "../../src/metrics/quality.ts";
import {
  METRICS_DEFAULTS,
  QUALITY_REASONS,
  QUALITY_SENTENCES,
} from "../../src/protocol/metrics.ts";
import { parseSubscribe } from "../../src/protocol/subscriptions.ts";
import { welchPlan } from "../../src/metrics/spectrum.ts";

const DOC = readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");

/** The cells of the table row whose first cell is `first` (trimmed, without the outer pipes). */
function row(first: string): string[] {
  const line = DOC.split("\n").find((l) => l.startsWith("|") && l.split("|")[1]?.trim() === first);
  if (line === undefined) {
    throw new Error(`docs/metrics.md has no table row starting with ${first}`);
  }
  return line.split("|").slice(1, -1).map((cell) => cell.trim());
}

/** The level each reason can give, as the rule in src/metrics/quality.ts has it. */
const LEVELS: Record<string, string> = {
  lead_off: "off",
  no_data: "off",
  flat: "poor",
  railed: "poor",
  amplitude: "fair / poor",
  mains: "fair / poor",
  noise: "fair / poor",
};

describe("docs/metrics.md", () => {
  test("the quality table gives every reason its level and its sentence word for word", () => {
    const rows = DOC.split("\n").filter((l) => /^\| [a-z /]+ +\| `[a-z_]+` /.test(l));
    // the good row: no reason
    expect(rows.filter((l) => l.includes("`null`")).map((l) => l.split("|")[1]!.trim())).toEqual([
      "good",
    ]);
    const reasonRows = rows.filter((l) => !l.includes("`null`"));
    const named = reasonRows.map((l) => /`([a-z_]+)`/.exec(l)![1]);
    expect(named.sort()).toEqual([...QUALITY_REASONS].sort());
    for (const reason of QUALITY_REASONS) {
      const line = reasonRows.find((l) => l.includes(`\`${reason}\``))!;
      const [level, , sentence] = line.split("|").slice(1, -1).map((c) => c.trim());
      expect({ reason, level, sentence }).toEqual({
        reason,
        level: LEVELS[reason]!,
        sentence: QUALITY_SENTENCES[reason],
      });
    }
  });

  test("the score table has each measure's limits, and 0.1 from twice the fair limit", () => {
    const cases: Array<[string, Limits]> = [
      ["`amplitude`", AMPLITUDE_LIMITS],
      ["`mains`", MAINS_LIMITS],
      ["`noise`", NOISE_LIMITS],
    ];
    for (const [name, limits] of cases) {
      const figures = row(name).slice(2).map((cell) => Number.parseFloat(cell));
      expect({ name, figures }).toEqual({
        name,
        figures: [limits.clean, limits.good, limits.fair, 2 * limits.fair],
      });
      expect(limitScore(2 * limits.fair, limits)).toBeCloseTo(0.1, 10);
    }
  });

  test("the worked RMS scores and the flat and railed bounds are the rule's", () => {
    const worked = /for RMS: ([^)]+)\)/.exec(DOC.replace(/\s+/g, " "));
    expect(worked).not.toBeNull();
    const pairs = [...worked![1]!.matchAll(/([\d.]+) at ([\d.]+) µV/g)];
    expect(pairs.length).toBe(3);
    for (const [, score, rms] of pairs) {
      expect(limitScore(Number(rms), AMPLITUDE_LIMITS)).toBeCloseTo(Number(score), 10);
    }
    const text = DOC.replace(/\s+/g, " ");
    expect(text).toContain(`RMS below ${FLAT_RMS_UV} µV`);
    expect(text).toContain(`RMS above ${RAILED_RMS_UV} µV`);
  });

  test("the options table says the defaults, and the refusals shown are the server's words", () => {
    expect(row("`interval_ms`")[1]).toBe(String(METRICS_DEFAULTS.interval_ms));
    expect(row("`window_s`")[1]).toBe(String(METRICS_DEFAULTS.window_s));
    for (
      const data of [
        { stream: "metrics", interval_ms: 20 },
        { stream: "metrics", window_s: 30 },
        { stream: "metrics", channels: [1] },
      ]
    ) {
      const parsed = parseSubscribe(data);
      if (parsed.ok) throw new Error(`${JSON.stringify(data)} was accepted`);
      expect(parsed.code).toBe("INVALID_PARAMETERS");
      expect(DOC).toContain(`\n${parsed.message}\n`);
    }
    // the ranges the table states are the ones the refusals name
    expect(row("`interval_ms`")[2]).toBe("an integer from 33 to 10000");
    expect(row("`window_s`")[2]).toBe("a number from 0.5 to 10");
    for (const [value, ok] of [[33, true], [10_000, true], [32, false], [10_001, false]] as const) {
      expect(parseSubscribe({ stream: "metrics", interval_ms: value }).ok).toBe(ok);
    }
    for (const [value, ok] of [[0.5, true], [10, true], [0.49, false], [10.01, false]] as const) {
      expect(parseSubscribe({ stream: "metrics", window_s: value }).ok).toBe(ok);
    }
  });

  test("the segment table is the Welch plan the computation uses", () => {
    const rows = DOC.split("\n").filter((l) => /^ *\| [\d.]+ +\| \d+ +\|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const line of rows) {
      const [windowS, samples, segment, nfft, bin, segments] = line.trim().split("|").slice(1, -1)
        .map((c) => Number.parseFloat(c));
      const plan = welchPlan(Math.round(windowS! * 500), 500);
      expect({ windowS, samples, segment, nfft, bin, segments }).toEqual({
        windowS,
        samples: Math.round(windowS! * 500),
        segment: plan.segment,
        nfft: plan.nfft,
        bin: Number(plan.binHz.toFixed(3)),
        segments: plan.segments,
      });
    }
  });
});

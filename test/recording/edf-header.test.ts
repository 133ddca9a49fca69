/** @module The BDF+/EDF+ header, field by field, read back with the test's own parser. */
import { describe, expect, test } from "bun:test";
import {
  BDF,
  buildHeader,
  EDF,
  RECORD_COUNT_OFFSET,
  recordCountPatch,
  startDateTime,
} from "../../src/recording/edf-header.ts";
import type { RecordingInfo } from "../../src/recording/types.ts";
import { parseEdf } from "./edf-reader.ts";

const info: RecordingInfo = {
  sessionName: "session_01",
  // 2024-03-05 07:08:09.999 UTC: the header must say 07.08.09 (truncated, not rounded)
  startMs: Date.UTC(2024, 2, 5, 7, 8, 9, 999),
  firstSeq: 1000,
  subject: "Ada Lovelace",
  sessionLabel: "",
  notes: "",
  deviceName: "simulated MW75",
  deviceAddress: null,
  synthetic: true,
  bridgeVersion: "0.1.0",
};

const text = (b: Uint8Array, at: number, n: number): string =>
  String.fromCharCode(...b.subarray(at, at + n));
const labels = [...Array.from({ length: 12 }, (_, i) => `Ch${i + 1}`), "REF", "DRL"];

describe("buildHeader", () => {
  test("writes the fixed fields at their offsets and widths when the variant is BDF", () => {
    const h = buildHeader(BDF, info);
    expect(h.length).toBe(256 * 16);
    expect(h[0]).toBe(0xff);
    expect(text(h, 1, 7)).toBe("BIOSEMI");
    expect(text(h, 8, 80)).toBe("X X X Ada_Lovelace".padEnd(80));
    expect(text(h, 88, 80)).toBe("Startdate 05-MAR-2024 X X X session_01".padEnd(80));
    expect(text(h, 168, 8)).toBe("05.03.24");
    expect(text(h, 176, 8)).toBe("07.08.09");
    expect(text(h, 184, 8)).toBe("4096    ");
    expect(text(h, 192, 44)).toBe("BDF+C".padEnd(44));
    expect(text(h, 236, 8)).toBe("-1      ");
    expect(text(h, 244, 8)).toBe("1       ");
    expect(text(h, 252, 4)).toBe("15  ");
  });

  test("writes EDF's version and reserved field when the variant is EDF", () => {
    const h = buildHeader(EDF, info);
    expect(text(h, 0, 8)).toBe("0       ");
    expect(text(h, 192, 44)).toBe("EDF+C".padEnd(44));
    // every header byte of an EDF file is printable ASCII
    expect(h.every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
    expect(buildHeader(BDF, info).subarray(1).every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
  });

  test("lays out the signal fields column by column when read by an independent parser", () => {
    for (
      const [variant, bps, annotation] of [[BDF, 3, "BDF Annotations"], [
        EDF,
        2,
        "EDF Annotations",
      ]] as const
    ) {
      const f = parseEdf(buildHeader(variant, info));
      expect(f.headerBytes).toBe(4096);
      expect(f.records).toBe(-1);
      expect(f.recordDuration).toBe(1);
      expect(f.signals.map((s) => s.label)).toEqual(
        [...labels, annotation].map((l) => l.padEnd(16)),
      );
      for (const s of f.signals.slice(0, 14)) {
        expect(s.transducer).toBe("AgAgCl electrode".padEnd(80));
        expect(s.dimension).toBe("uV      ");
        expect(s.digitalMin).toBe(variant === BDF ? -8000000 : -32767);
        expect(s.digitalMax).toBe(variant === BDF ? 8000000 : 32767);
        expect(s.physicalMinText).toBe((variant === BDF ? "-190736" : "-3276.7").padEnd(8));
        expect(s.physicalMaxText).toBe((variant === BDF ? "190736" : "3276.7").padEnd(8));
        expect(s.samplesPerRecord).toBe(500);
        expect(s.prefiltering).toBe(" ".repeat(80));
        expect(s.reserved).toBe(" ".repeat(32));
        // the scale readers derive is exactly the device's, with no offset
        const scale = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
        expect(Math.abs(scale - (variant === BDF ? 0.023842 : 0.1))).toBeLessThan(1e-15);
        expect(s.physicalMin - s.digitalMin * scale).toBeCloseTo(0, 9);
      }
      const a = f.signals[14]!;
      expect(a.transducer.trim()).toBe("");
      expect(a.dimension.trim()).toBe("");
      expect(a.samplesPerRecord * bps).toBe(768);
      expect(a.digitalMax - a.digitalMin).toBe(variant === BDF ? 2 ** 24 - 1 : 2 ** 16 - 1);
    }
  });

  test("replaces spaces and non-ASCII in subfields when names have them", () => {
    const h = buildHeader(BDF, { ...info, subject: "José  María", sessionName: "a b" });
    expect(text(h, 8, 80).trimEnd()).toBe("X X X Jos___Mar_a");
    expect(text(h, 88, 80).trimEnd()).toBe("Startdate 05-MAR-2024 X X X a_b");
  });

  test("writes X for the subject when there is none", () => {
    expect(text(buildHeader(EDF, { ...info, subject: "  " }), 8, 80).trimEnd()).toBe("X X X X");
  });

  test("cuts the recording field at 80 characters when the session name is long", () => {
    const h = buildHeader(EDF, { ...info, sessionName: "s".repeat(64) });
    expect(text(h, 88, 80)).toBe(`Startdate 05-MAR-2024 X X X ${"s".repeat(52)}`);
    expect(text(h, 168, 8)).toBe("05.03.24"); // the next field is untouched
  });
});

describe("startDateTime", () => {
  test("writes yy when the year is outside 1985–2084", () => {
    expect(startDateTime(Date.UTC(2090, 0, 2, 3, 4, 5))).toEqual({
      date: "02.01.yy",
      time: "03.04.05",
    });
    expect(startDateTime(Date.UTC(1985, 11, 31, 23, 59, 59, 500))).toEqual({
      date: "31.12.85",
      time: "23.59.59",
    });
  });

  test("throws when the start time is not finite", () => {
    expect(() => startDateTime(Number.NaN)).toThrow(RangeError);
  });
});

describe("recordCountPatch", () => {
  test("patches the 8-character record count at offset 236", () => {
    expect(RECORD_COUNT_OFFSET).toBe(236);
    const p = recordCountPatch(1234);
    expect(p.offset).toBe(236);
    expect(text(p.bytes, 0, p.bytes.length)).toBe("1234    ");
  });

  test("throws when the count does not fit the field", () => {
    expect(() => recordCountPatch(100_000_000)).toThrow(RangeError);
    expect(() => recordCountPatch(-1)).toThrow(RangeError);
  });
});

/**
 * @module MNE-Python reads our BDF+ and EDF+ files: names, rate, length, values and annotations
 * (test/_support/read_edf.py, run with the system /usr/bin/python3 that has python3-mne).
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBdfWriter, createEdfWriter } from "../../src/recording/edf-writer.ts";
import { SIGNAL_LABELS } from "../../src/recording/types.ts";
import { makeBlock, range, runWriter, testInfo } from "./edf-reader.ts";

const PYTHON = "/usr/bin/python3"; // the system Python with python3-mne, never the one on PATH
const SCRIPT = fileURLToPath(new URL("../_support/read_edf.py", import.meta.url));
const probe = spawnSync(PYTHON, ["-c", "import mne"], { encoding: "utf8", timeout: 60_000 });
const haveMne = probe.status === 0;
if (!haveMne) {
  console.warn(
    `skipping the MNE test: ${PYTHON} cannot import mne (${
      (probe.stderr ?? String(probe.error)).trim().split("\n").pop()
    })`,
  );
}

const COUNT_UV = 0.023842;
const SENTINEL_UV = 8388607 * COUNT_UV;

// 10 s of data: samples 0…4799 less a 50-sample gap at 1500, a lead-off run on Ch3, padding to 5000
const SEQS = [...range(0, 1500), ...range(1550, 4800)];
const leadOff = (seq: number, s: number): boolean => s === 2 && seq >= 2500 && seq < 2600;
/** Integer counts (BDF stores them exactly), small enough for EDF's ±3276.7 µV too. */
const value = (seq: number, s: number): number =>
  leadOff(seq, s)
    ? SENTINEL_UV
    : Math.round(60000 * Math.sin((2 * Math.PI * (seq + 37 * s)) / 250)) * COUNT_UV;
const MARKERS = [
  { onsetS: 1.234, durationS: 0, text: "stimulus A" },
  { onsetS: 7.5, durationS: 0.5, text: "eyes closed" },
];
const WINDOWS: Array<[number, number]> = [[0, 400], [1450, 1650], [2450, 2650], [4700, 5000]];

interface MneReport {
  mne_version: string;
  ch_names: string[];
  ch_types: string[];
  orig_units: string[];
  sfreq: number;
  n_times: number;
  summary: Array<{ min: number; max: number }>;
  windows: Array<{ start: number; stop: number; values: number[][] }>;
  annotations: Array<{ onset: number; duration: number; description: string }>;
  warnings: string[];
}

function readWithMne(file: string): MneReport {
  const args = [SCRIPT, file, ...WINDOWS.flatMap(([a, b]) => ["--window", `${a}:${b}`])];
  const r = spawnSync(PYTHON, args, { encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`read_edf.py failed (${r.status ?? r.signal}): ${r.stderr || String(r.error)}`);
  }
  return JSON.parse(r.stdout) as MneReport;
}

/** What a lossless reader must see at sample index i of signal s (gap → 0, lead-off → the clip limit). */
function expected(i: number, s: number, clipUv: number): number {
  if (i >= 1500 && i < 1550) return 0;
  if (i >= 4800) return 0;
  const v = value(i, s);
  return Math.max(-clipUv, Math.min(clipUv, v));
}

describe("MNE reads our files", () => {
  for (
    const [ext, make, clipUv, tolerance] of [
      ["bdf", createBdfWriter, 190736, COUNT_UV / 2],
      ["edf", createEdfWriter, 3276.7, 0.05],
    ] as const
  ) {
    test.skipIf(!haveMne)(`reads a 10-s ${ext} file with a gap, a lead-off run and markers`, () => {
      const dir = mkdtempSync(join(tmpdir(), "mw75-edf-"));
      try {
        const { file, figures } = runWriter(
          make(),
          testInfo({ subject: "Jane Doe", sessionName: "mne_check" }),
          (f) => {
            for (let at = 0; at < SEQS.length; at += 83) {
              if (at === 0) { for (const m of MARKERS) f.annotate(m); }
              f.samples(makeBlock(SEQS.slice(at, at + 83), value));
            }
          },
        );
        expect(figures).toMatchObject({ records: 10, gap_samples: 50, padding_samples: 200 });
        const path = join(dir, `check.${ext}`);
        writeFileSync(path, file);
        const mne = readWithMne(path);

        // MNE drops the annotation signal from the channels and reads every other one as EEG
        expect(mne.ch_names).toEqual([...SIGNAL_LABELS]);
        expect(mne.ch_types).toEqual(new Array(14).fill("eeg"));
        expect(mne.orig_units).toEqual(new Array(14).fill("µV")); // MNE reports our "uV" as µV
        expect(mne.sfreq).toBe(500);
        expect(mne.n_times).toBe(10 * 500);
        expect(mne.warnings).toEqual([]);

        for (const w of mne.windows) {
          w.values.forEach((values, s) => {
            values.forEach((got, k) => {
              const i = w.start + k;
              const want = expected(i, s, clipUv);
              if (Math.abs(got - want) > tolerance + 1e-6) {
                throw new Error(
                  `${ext} ${SIGNAL_LABELS[s]} sample ${i}: MNE read ${got} µV, wrote ${want}`,
                );
              }
            });
          });
        }
        expect(mne.summary[2]!.max).toBeCloseTo(clipUv, 4); // the lead-off run, clipped

        const want = [
          { onset: 1.234, duration: 0, description: "stimulus A" },
          { onset: 3, duration: 0.1, description: "gap 50 samples" },
          ...(ext === "bdf" ? [{ onset: 5, duration: 0, description: "lead_off ch3" }] : []),
          { onset: 7.5, duration: 0.5, description: "eyes closed" },
          { onset: 9.6, duration: 0.4, description: "end of data, 200 samples of padding" },
        ];
        expect(mne.annotations.map((a) => a.description)).toEqual(want.map((a) => a.description));
        mne.annotations.forEach((a, k) => {
          expect(Math.abs(a.onset - want[k]!.onset)).toBeLessThan(0.002);
          expect(Math.abs(a.duration - want[k]!.duration)).toBeLessThan(0.002);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});

/**
 * @module MNE-Python (the system /usr/bin/python3) reads a BDF+ with late markers and a marker
 * flood: its annotations in onset order, and exactly the samples recorded (no lengthening).
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { annotationsOf, makeBlock, parseEdf, range, runWriter, testInfo } from "./edf-reader.ts";

const PYTHON = "/usr/bin/python3"; // the system Python with python3-mne, never the one on PATH
const SCRIPT = fileURLToPath(new URL("../_support/read_edf.py", import.meta.url));
const haveMne =
  spawnSync(PYTHON, ["-c", "import mne"], { encoding: "utf8", timeout: 60_000 }).status === 0;
if (!haveMne) console.warn(`skipping the MNE order test: ${PYTHON} cannot import mne`);

interface Report {
  n_times: number;
  annotations: Array<{ onset: number; duration: number; description: string }>;
}

function readWithMne(file: Uint8Array): Report {
  const dir = mkdtempSync(join(tmpdir(), "mw75-mne-order-"));
  try {
    const path = join(dir, "order.bdf");
    writeFileSync(path, file);
    const r = spawnSync(PYTHON, [SCRIPT, path], {
      encoding: "utf8",
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`read_edf.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("MNE reads late markers and a flood", () => {
  test.skipIf(!haveMne)(
    "annotations in onset order, n_times = the samples recorded, the file's own TAL order sorted too",
    () => {
      const { file, figures } = runWriter(createBdfWriter(), testInfo(), (f) => {
        f.annotate({ onsetS: 2.024, durationS: 0, text: "later" });
        // a flood: far more than the records' annotation space holds
        for (let i = 0; i < 600; i++) {
          f.annotate({ onsetS: 3 + i * 0.001, durationS: 0, text: `flood ${i}` });
        }
        f.samples(makeBlock(range(0, 2500), () => 0));
        f.annotate({ onsetS: 1.026, durationS: 0, text: "past" });
        f.samples(makeBlock(range(2500, 2750), () => 0));
      });
      const inFile = annotationsOf(parseEdf(file)).map((a) => a.onset);
      expect(inFile).toEqual([...inFile].sort((a, b) => a - b));
      const report = readWithMne(file);
      expect(report.n_times).toBe(3000); // 2750 samples and the last record's 250 of padding
      const named = report.annotations.filter((a) => !a.description.startsWith("flood"));
      expect(named.map((a) => [Number(a.onset.toFixed(3)), a.description])).toEqual([
        [1.026, "past"],
        [2.024, "later"],
      ]);
      const flood = report.annotations.filter((a) => a.description.startsWith("flood"));
      const notes = report.annotations.length - flood.length - named.length; // the padding note, when it found room
      expect(flood.length + named.length + notes).toBe(figures.annotations!);
      expect(figures.annotations! + figures.annotations_dropped!).toBe(603); // 602 markers and the padding note
      expect(figures.annotations_dropped).toBeGreaterThan(0);
    },
    // Python importing MNE takes 2–4 s idle and several times that with the cores shared, past
    // bun's 5-s default; the limit matches the 120-s bound on the Python process itself
    120_000,
  );
});

/** @module Crash recovery of a CSV-only recording: rows and the last Seq are counted in chunks (constant memory), never from the whole file as one string. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { csvRowFigures } from "../../src/recording/csv-rows.ts";
import { recoverRecordings } from "../../src/recording/recovery.ts";

const FIRST = 1000;
const HEADER = "Timestamp,EventId,Counter,Ref,DRL,Seq,LeadOff";

/** What recovery computed before from the whole text (the reference for files whose last line is whole). */
function wholeText(text: string): { rows: number; lastSeq: number | null } | null {
  const lines = text.split("\n").filter((l) => l !== "");
  const seqAt = (lines[0]?.split(",") ?? []).indexOf("Seq");
  if (seqAt < 0) return null;
  if (lines.length === 1) return { rows: 0, lastSeq: null };
  const last = Number(lines[lines.length - 1]!.split(",")[seqAt]);
  return Number.isInteger(last) ? { rows: lines.length - 1, lastSeq: last } : null;
}

/** A file in memory with the store's positional reads, counting how many bytes one read asked for. */
function memoryFile(
  text: string,
): { bytes: number; read(p: number, n: number): Promise<Uint8Array>; largest: number } {
  const data = new TextEncoder().encode(text);
  const file = {
    bytes: data.length,
    largest: 0,
    read(position: number, length: number): Promise<Uint8Array> {
      file.largest = Math.max(file.largest, length);
      return Promise.resolve(data.slice(position, Math.min(data.length, position + length)));
    },
  };
  return file;
}

function rowsText(seqs: number[]): string {
  return [HEADER, ...seqs.map((s) => `1.0,0,0,0,0,${s},0`), ""].join("\n");
}

const seqs = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

describe("csvRowFigures", () => {
  const cases: Record<string, string> = {
    "rows with a jump": rowsText([...seqs(FIRST, FIRST + 40), ...seqs(FIRST + 55, FIRST + 90)]),
    "header only": `${HEADER}\n`,
    "one row": rowsText([FIRST]),
    "blank lines": `${HEADER}\n\n1.0,0,0,0,0,7,0\n\n\n1.0,0,0,0,0,8,0\n\n`,
    "no Seq column": "a,b,c\n1,2,3\n",
    "Seq not a number": `${HEADER}\n1.0,0,0,0,0,x,0\n`,
    "empty file": "",
  };
  for (const [name, text] of Object.entries(cases)) {
    test(`${name}: the same figures as the whole text, at every chunk size`, async () => {
      // chunk sizes from 1 byte up put the boundaries everywhere: inside the header, a row, a "\n\n"
      for (const chunk of [1, 2, 3, 5, 7, 16, 61, 1 << 20]) {
        const file = memoryFile(text);
        expect({ chunk, got: await csvRowFigures(file, chunk) }).toEqual({
          chunk,
          got: wholeText(text),
        });
        expect(file.largest).toBeLessThanOrEqual(Math.max(chunk, 4096)); // never the whole file at once
      }
    });
  }

  test("a last line cut by the crash is no row, and the Seq comes from the last whole line", async () => {
    const whole = rowsText(seqs(FIRST, FIRST + 30));
    // cut inside the Seq field: "…,10" of seq 1030 would read as seq 10
    for (const cut of ["1.0,0,0,0,0,10", "1.0,0,0", "1.0,0,0,0,0,1030,"]) {
      for (const chunk of [1, 4, 9, 1 << 20]) {
        expect(await csvRowFigures(memoryFile(whole + cut), chunk)).toEqual({
          rows: 30,
          lastSeq: FIRST + 29,
        });
      }
    }
    // only the header, itself cut: nothing tells the columns
    expect(await csvRowFigures(memoryFile("Timestamp,Ev"), 4)).toBeNull();
  });
});

describe("recoverRecordings of a CSV-only recording", () => {
  function crashedCsv(dir: string, text: string): void {
    writeFileSync(join(dir, "c.csv"), text);
    writeFileSync(
      join(dir, "c_events.csv"),
      "onset,duration,label,value,seq\n0.600,0.040,gap,20,1300\n",
    );
    const files = [{ name: "c.csv", format: "csv", bytes: 0 }, {
      name: "c_events.csv",
      format: "events",
      bytes: 0,
    }];
    writeFileSync(
      join(dir, "c.json"),
      JSON.stringify({
        session_name: "c",
        state: "recording",
        first_seq: FIRST,
        samples: 0,
        duration_s: 0,
        files,
        recording: { state: "recording" },
      }),
    );
  }

  test("the figures come from chunked reads: a data CSV too large for one string is still counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw75-recover-big-csv-"));
    try {
      const rows = [...seqs(FIRST, FIRST + 300), ...seqs(FIRST + 320, FIRST + 5000)];
      crashedCsv(dir, rowsText(rows));
      const real = createRecordingStore(dir);
      // what V8 does past its string limit (~512 MiB): the whole-file reads of the data CSV fail
      const tooLarge = (name: string) => new RangeError(`Invalid string length (${name})`);
      const store = {
        ...real,
        readText: (name: string) =>
          name === "c.csv" ? Promise.reject(tooLarge(name)) : real.readText(name),
        read: (name: string) => name === "c.csv" ? Promise.reject(tooLarge(name)) : real.read(name),
      };
      expect(await recoverRecordings(store, { log: () => {} })).toEqual(["c"]);
      const meta = JSON.parse(readFileSync(join(dir, "c.json"), "utf8"));
      const want = {
        state: "recovered",
        samples: rows.length,
        duration_s: 10,
        markers: 0,
        gaps: 1,
      };
      expect(meta).toMatchObject({ ...want, lost: 20 });
      expect(meta.recording).toMatchObject(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a data CSV cut mid-row by the crash: the whole rows are counted, the CSV keeps every byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mw75-recover-cut-csv-"));
    try {
      const text = rowsText(seqs(FIRST, FIRST + 700)) + "1.0,0,0,0,0,17";
      crashedCsv(dir, text);
      await recoverRecordings(createRecordingStore(dir), { log: () => {} });
      const meta = JSON.parse(readFileSync(join(dir, "c.json"), "utf8"));
      expect(meta).toMatchObject({ state: "recovered", samples: 700, duration_s: 1.4 });
      expect(readFileSync(join(dir, "c.csv"), "utf8")).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

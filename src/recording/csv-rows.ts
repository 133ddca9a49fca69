/**
 * @module The row count and last `Seq` of a data CSV, read in chunks through positional reads:
 * crash recovery of a CSV-only recording needs them, and the file can outgrow what one string
 * holds (V8 stops near 512 MiB, about 1.5–2 h of CSV), so memory stays constant whatever its size.
 */

/** Positional reads of one file (the store's `DownloadFile` is one). */
export interface PositionalFile {
  readonly bytes: number;
  /** Up to `length` bytes from `position`; fewer at the end of the file. */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** The default chunk: few reads for a large file, little memory. */
export const CSV_CHUNK_BYTES = 1 << 20;
// a row the bridge writes is a few hundred bytes: a longer "line" is not its CSV
const MAX_LINE_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * Rows (non-empty lines after the header) and the `Seq` of the last one (null when there is no
 * row). Only lines ended by "\n" count: a last line the crash cut mid-write is no whole sample,
 * and its `Seq` could be cut too ("…,10" of 1030). Null when the header has no `Seq` column, or
 * the last row's `Seq` is not an integer.
 */
export async function csvRowFigures(
  file: PositionalFile,
  chunkBytes = CSV_CHUNK_BYTES,
): Promise<{ rows: number; lastSeq: number | null } | null> {
  let lines = 0;
  let lineStart = 0;
  let header: [number, number] | null = null;
  let last: [number, number] | null = null;
  for (let pos = 0; pos < file.bytes;) {
    const chunk = await file.read(pos, Math.min(chunkBytes, file.bytes - pos));
    if (chunk.length === 0) break; // shorter than when it was opened
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      const end = pos + i;
      if (end > lineStart) {
        lines++;
        last = [lineStart, end];
        header ??= last;
      }
      lineStart = end + 1;
    }
    pos += chunk.length;
  }
  if (header === null || last === null) return null;
  const seqAt = (await lineAt(file, header))?.split(",").indexOf("Seq") ?? -1;
  if (seqAt < 0) return null;
  if (lines === 1) return { rows: 0, lastSeq: null };
  const lastSeq = Number((await lineAt(file, last))?.split(",")[seqAt]);
  return Number.isInteger(lastSeq) ? { rows: lines - 1, lastSeq } : null;
}

async function lineAt(
  file: PositionalFile,
  [start, end]: [number, number],
): Promise<string | null> {
  if (end - start > MAX_LINE_BYTES) return null;
  return new TextDecoder().decode(await file.read(start, end - start));
}

/**
 * @module Finalising a BDF/EDF file left open by a crash (docs/protocol/bridge-api.md §4.1): from its header and
 * length, the number of complete data records, the record-count patch and the length to truncate
 * to. Pure: the caller reads the header, then truncates and patches.
 */
import { headerBytes, recordCountPatch } from "./edf-header.ts";
import type { Patch } from "./types.ts";

/** What to do to a file so every reader accepts it. */
export interface RecoveryPlan {
  readonly ok: true;
  readonly format: "bdf" | "edf";
  /** Complete data records in the file. */
  readonly records: number;
  /** The count the header claims now: -1 for a file that was never finished. */
  readonly declaredRecords: number;
  /** Sets the header's record count to `records`. */
  readonly patch: Patch;
  /** The end of the last complete record; bytes after it are a record cut short. */
  readonly truncateTo: number;
  readonly headerBytes: number;
  readonly recordBytes: number;
}

/** A file this module cannot finalise, and why (e.g. the crash came before the header was out). */
export interface RecoveryRefusal {
  readonly ok: false;
  readonly reason: string;
}

const ascii = (bytes: Uint8Array, at: number, width: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + width)).trim();

function integerField(bytes: Uint8Array, at: number, width: number): number | null {
  const text = ascii(bytes, at, width);
  return /^-?\d+$/.test(text) ? Number(text) : null;
}

/**
 * Plans the repair of a file of `fileLength` bytes whose first bytes are `header` (at least its
 * 256 + 256·ns header bytes). A file that was finished comes back with `records` equal to
 * `declaredRecords` and `truncateTo` equal to its length: nothing to do.
 */
export function planEdfRecovery(
  header: Uint8Array,
  fileLength: number,
): RecoveryPlan | RecoveryRefusal {
  if (!Number.isInteger(fileLength) || fileLength < 0) {
    throw new RangeError(`Cannot plan a recovery for a file of "${fileLength}" bytes`);
  }
  if (header.length < 256) {
    return { ok: false, reason: `only ${header.length} of the 256 fixed header bytes are present` };
  }
  const bdf = header[0] === 0xff && ascii(header, 1, 7) === "BIOSEMI";
  if (!bdf && ascii(header, 0, 8) !== "0") {
    return { ok: false, reason: "the version field is neither EDF's \"0\" nor BDF's 0xFF BIOSEMI" };
  }
  const ns = integerField(header, 252, 4);
  if (ns === null || ns < 1) {
    return { ok: false, reason: "the number of signals is not a positive integer" };
  }
  const declaredHeader = integerField(header, 184, 8);
  const expected = headerBytes(ns);
  if (declaredHeader !== expected) {
    return {
      ok: false,
      reason: `the header size field says ${
        declaredHeader ?? "?"
      } bytes, ${ns} signals need ${expected}`,
    };
  }
  if (fileLength < expected || header.length < expected) {
    return {
      ok: false,
      reason: `the header is incomplete (${
        Math.min(fileLength, header.length)
      } of ${expected} bytes)`,
    };
  }
  const declaredRecords = integerField(header, 236, 8);
  if (declaredRecords === null) {
    return { ok: false, reason: "the record count field is not an integer" };
  }

  // per-signal fields before "samples per record": label 16, transducer 80, dimension 8,
  // physical min/max and digital min/max 8 each, prefiltering 80 = 216 bytes per signal
  const samplesAt = 256 + 216 * ns;
  let samples = 0;
  for (let s = 0; s < ns; s++) {
    const n = integerField(header, samplesAt + 8 * s, 8);
    if (n === null || n < 0) {
      return { ok: false, reason: `signal ${s + 1}'s samples per record is not an integer` };
    }
    samples += n;
  }
  if (samples === 0) return { ok: false, reason: "the records hold no samples" };
  const recordBytes = samples * (bdf ? 3 : 2);
  const records = Math.floor((fileLength - expected) / recordBytes);
  return {
    ok: true,
    format: bdf ? "bdf" : "edf",
    records,
    declaredRecords,
    patch: recordCountPatch(records),
    truncateTo: expected + records * recordBytes,
    headerBytes: expected,
    recordBytes,
  };
}

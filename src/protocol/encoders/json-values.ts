/** @module JSON fragments every hand-built encoder shares: numbers that may be non-finite, and lead-off channel lists. */
import { CHANNELS } from "../../core/samples.ts";

/**
 * A JSON number, or `null` for NaN/±Infinity. JSON has no non-finite numbers; null is what
 * JSON.stringify would write too, so clients parse every message (documented in the protocol notes).
 */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** `[3,7]` from a 12-bit lead-off mask (bit k = channel k+1). */
export function leadOffList(mask: number): string {
  if (mask === 0) return "[]";
  let out = "[";
  for (let c = 0; c < CHANNELS; c++) {
    if ((mask & (1 << c)) !== 0) out += out.length === 1 ? `${c + 1}` : `,${c + 1}`;
  }
  return `${out}]`;
}

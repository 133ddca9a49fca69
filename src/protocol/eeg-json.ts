/**
 * @module Hot-path `eeg_data` serialiser: one JSON string per packet, built by concatenation straight
 * from the decoder's batch views, so every client gets the same string and nothing is stringified twice.
 */
import { CHANNEL_COUNT, EEG_EVENT_ID } from "../decoder/types.ts";
import type { PacketBatch } from "../decoder/types.ts";

// Pre-built key fragments: `,"ch1":` … `,"ch12":` (the first one has no comma).
const CHANNEL_KEYS: string[] = Array.from({ length: CHANNEL_COUNT }, (_, i) => `${i === 0 ? "" : ","}"ch${i + 1}":`);

/**
 * A JSON number, or `null` for NaN/±Infinity. JSON has no non-finite numbers; null is what
 * JSON.stringify would write too, so clients parse every message (documented in the protocol notes).
 */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** `[3,7]` from a 12-bit lead-off mask (bit k = channel k+1). */
function leadOffList(mask: number): string {
  if (mask === 0) return "[]";
  let out = "[";
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    if ((mask & (1 << c)) !== 0) out += out.length === 1 ? `${c + 1}` : `,${c + 1}`;
  }
  return out + "]";
}

/**
 * Serialises packet `i` of `batch` as a complete `eeg_data` envelope.
 * `timestamp` is pre-formatted seconds (one per chunk) and `id` a fresh UUID.
 */
export function eegDataJson(batch: PacketBatch, i: number, id: string, timestamp: string): string {
  const ch = batch.channels;
  const base = i * CHANNEL_COUNT;
  const nonFinite = batch.nonFiniteMask[i] !== 0;
  let channels = "";
  if (nonFinite) {
    for (let c = 0; c < CHANNEL_COUNT; c++) channels += CHANNEL_KEYS[c]! + jsonNumber(ch[base + c]!);
  } else {
    for (let c = 0; c < CHANNEL_COUNT; c++) channels += CHANNEL_KEYS[c]! + ch[base + c]!;
  }
  const ref = nonFinite ? jsonNumber(batch.ref[i]!) : String(batch.ref[i]);
  const drl = nonFinite ? jsonNumber(batch.drl[i]!) : String(batch.drl[i]);
  return `{"id":"${id}","type":"eeg_data","data":{"timestamp":${timestamp},"event_id":${EEG_EVENT_ID},"counter":${batch.counter[i]},"ref":${ref},"drl":${drl},"channels":{${channels}},"feature_status":${batch.featureStatus[i]},"lead_off":${leadOffList(batch.leadOffMask[i]!)}}}`;
}

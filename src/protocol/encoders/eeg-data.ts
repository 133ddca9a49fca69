/**
 * @module Hot-path `eeg_data` serialiser (the base stream): one JSON string per sample of a
 * SampleBlock, built by concatenation, so every client of a device gets the same strings and
 * nothing is stringified twice. Fields as docs/protocol/mw75.md §3.4, plus `seq` (docs/protocol/bridge-api.md §1) after
 * `counter` and `lead_off` at the end.
 */
import { CHANNELS } from "../../core/samples.ts";
import type { SampleBlock } from "../../core/samples.ts";
import { jsonNumber, leadOffList } from "./json-values.ts";

const EEG_EVENT_ID = 239;
// Pre-built key fragments: `,"ch1":` … `,"ch12":` (the first one has no comma).
const CHANNEL_KEYS: string[] = Array.from(
  { length: CHANNELS },
  (_, i) => `${i === 0 ? "" : ","}"ch${i + 1}":`,
);

/**
 * The `eeg_data` envelopes of every sample in `block`, in order. `timestamp` is the chunk's
 * arrival time, as the reference stamps it; `newId` gives each message its fresh id.
 */
export function eegDataMessages(block: SampleBlock, newId: () => string): string[] {
  const out = new Array<string>(block.count);
  const timestamp = String(block.arrivalMs / 1000);
  const ch = block.channels;
  for (let i = 0; i < block.count; i++) {
    const base = i * CHANNELS;
    const nonFinite = block.nonFinite[i] !== 0;
    let channels = "";
    if (nonFinite) {
      for (let c = 0; c < CHANNELS; c++) channels += CHANNEL_KEYS[c]! + jsonNumber(ch[base + c]!);
    } else {
      for (let c = 0; c < CHANNELS; c++) channels += CHANNEL_KEYS[c]! + ch[base + c]!;
    }
    const ref = nonFinite ? jsonNumber(block.ref[i]!) : String(block.ref[i]);
    const drl = nonFinite ? jsonNumber(block.drl[i]!) : String(block.drl[i]);
    out[i] =
      `{"id":"${newId()}","type":"eeg_data","data":{"timestamp":${timestamp},"event_id":${EEG_EVENT_ID},"counter":${
        block.counter[i]
      },"seq":${block.seq[i]},"ref":${ref},"drl":${drl},"channels":{${channels}},"feature_status":${
        block.featureStatus[i]
      },"lead_off":${leadOffList(block.leadOff[i]!)}}}`;
  }
  return out;
}

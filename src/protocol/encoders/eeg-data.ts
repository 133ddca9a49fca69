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
  // everything between the id and the counter is the chunk's, the same for each of its samples
  const head = `","type":"eeg_data","data":{"timestamp":${
    String(block.arrivalMs / 1000)
  },"event_id":${EEG_EVENT_ID},"counter":`;
  for (let i = 0; i < block.count; i++) {
    out[i] = block.nonFinite[i] === 0
      ? finiteMessage(block, i, newId(), head)
      : messageWithNonFinite(block, i, newId(), head);
  }
  return out;
}

// finiteMessage spells out ch1 … ch12: a different channel count must fail loudly, not drop channels
if (CHANNELS !== 12) {
  throw new Error(`eeg_data's template is written for 12 channels, not ${CHANNELS}`);
}

/**
 * One sample whose values are all finite, as a single template: a string built by `+=` per
 * channel made ~40 pieces per message that the socket's send then had to flatten (Bun: 25% more
 * time per chunk, UTF-8 included, measured).
 */
function finiteMessage(block: SampleBlock, i: number, id: string, head: string): string {
  const ch = block.channels;
  const b = i * CHANNELS;
  return `{"id":"${id}${head}${block.counter[i]},"seq":${block.seq[i]},"ref":${
    block.ref[i]
  },"drl":${block.drl[i]},"channels":{"ch1":${ch[b]},"ch2":${ch[b + 1]},"ch3":${ch[b + 2]},"ch4":${
    ch[b + 3]
  },"ch5":${ch[b + 4]},"ch6":${ch[b + 5]},"ch7":${ch[b + 6]},"ch8":${ch[b + 7]},"ch9":${
    ch[b + 8]
  },"ch10":${ch[b + 9]},"ch11":${ch[b + 10]},"ch12":${ch[b + 11]}},"feature_status":${
    block.featureStatus[i]
  },"lead_off":${leadOffList(block.leadOff[i]!)}}}`;
}

/** A sample with a NaN or ±Infinity somewhere: those values are written as `null`. */
function messageWithNonFinite(block: SampleBlock, i: number, id: string, head: string): string {
  const ch = block.channels;
  const base = i * CHANNELS;
  let channels = "";
  for (let c = 0; c < CHANNELS; c++) channels += CHANNEL_KEYS[c]! + jsonNumber(ch[base + c]!);
  return `{"id":"${id}${head}${block.counter[i]},"seq":${block.seq[i]},"ref":${
    jsonNumber(block.ref[i]!)
  },"drl":${jsonNumber(block.drl[i]!)},"channels":{${channels}},"feature_status":${
    block.featureStatus[i]
  },"lead_off":${leadOffList(block.leadOff[i]!)}}}`;
}

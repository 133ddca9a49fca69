/** @module A plain TypeScript DataView decoder with the MW75 framing rule: the baseline the WASM decoder is measured against. */
import {
  CHANNEL_COUNT,
  EEG_EVENT_ID,
  LEAD_OFF_RAW,
  PACKET_LEN,
  UV_PER_COUNT,
} from "../src/decoder/types.ts";

const SYNC = 0xaa;
const CHECKSUM_AT = 61;

/** Struct-of-arrays output of one push, like the WASM decoder's PacketBatch (views valid until the next push). */
export interface TsBatch {
  count: number;
  eventId: Uint8Array;
  counter: Uint8Array;
  featureStatus: Uint8Array;
  leadOffMask: Uint16Array;
  nonFiniteMask: Uint16Array;
  ref: Float64Array;
  drl: Float64Array;
  channels: Float64Array;
}

/** Running totals, named as in DecodeStats. */
export interface TsStats {
  eegPackets: number;
  eventPackets: number;
  checksumFailures: number;
  bytesSkipped: number;
  lostPackets: number;
  duplicatePackets: number;
}

function emptyBatch(capacity: number): TsBatch {
  return {
    count: 0,
    eventId: new Uint8Array(capacity),
    counter: new Uint8Array(capacity),
    featureStatus: new Uint8Array(capacity),
    leadOffMask: new Uint16Array(capacity),
    nonFiniteMask: new Uint16Array(capacity),
    ref: new Float64Array(capacity),
    drl: new Float64Array(capacity),
    channels: new Float64Array(capacity * CHANNEL_COUNT),
  };
}

/**
 * Framing exactly as docs/protocol/mw75.md §2.8: find 0xAA, need a full 63-byte window, checksum = sum of
 * bytes 0..60 & 0xFFFF (LE at 61..62); on mismatch slide ONE byte, on match emit and jump 63;
 * at most 62 bytes are kept for the next call. Channels are f64(raw f32) × 0.023842.
 */
export function createTsDecoder() {
  let work = new Uint8Array(64 * 1024);
  let view = new DataView(work.buffer);
  let tail = 0;
  let batch = emptyBatch(1024);
  let prevCounter = -1;
  const stats: TsStats = {
    eegPackets: 0,
    eventPackets: 0,
    checksumFailures: 0,
    bytesSkipped: 0,
    lostPackets: 0,
    duplicatePackets: 0,
  };

  function push(chunk: Uint8Array, onBatch: (batch: TsBatch) => void): number {
    const len = tail + chunk.length;
    if (len > work.length) {
      const bigger = new Uint8Array(Math.max(len, work.length * 2));
      bigger.set(work.subarray(0, tail));
      work = bigger;
      view = new DataView(work.buffer);
    }
    work.set(chunk, tail);
    const maxPackets = Math.floor(len / PACKET_LEN);
    if (maxPackets > batch.eventId.length) batch = emptyBatch(maxPackets * 2);
    const b = batch;
    let n = 0;
    let i = 0;
    while (i < len) {
      if (work[i] !== SYNC) {
        i++;
        stats.bytesSkipped++;
        continue;
      }
      if (len - i < PACKET_LEN) break;
      let sum = 0;
      for (let k = 0; k < CHECKSUM_AT; k++) sum += work[i + k]!;
      if ((sum & 0xffff) !== view.getUint16(i + CHECKSUM_AT, true)) {
        stats.checksumFailures++;
        stats.bytesSkipped++;
        i++;
        continue;
      }
      const eventId = work[i + 1]!;
      const counter = work[i + 3]!;
      b.eventId[n] = eventId;
      b.counter[n] = counter;
      b.featureStatus[n] = work[i + 60]!;
      const ref = view.getFloat32(i + 4, true);
      const drl = view.getFloat32(i + 8, true);
      b.ref[n] = ref;
      b.drl[n] = drl;
      let leadOff = 0;
      let nonFinite = (ref - ref === 0 ? 0 : 1 << 12) | (drl - drl === 0 ? 0 : 1 << 13);
      const base = n * CHANNEL_COUNT;
      for (let c = 0; c < CHANNEL_COUNT; c++) {
        const raw = view.getFloat32(i + 12 + 4 * c, true);
        b.channels[base + c] = raw * UV_PER_COUNT;
        if (raw === LEAD_OFF_RAW) leadOff |= 1 << c;
        if (raw - raw !== 0) nonFinite |= 1 << c;
      }
      b.leadOffMask[n] = leadOff;
      b.nonFiniteMask[n] = nonFinite;
      if (eventId === EEG_EVENT_ID) {
        stats.eegPackets++;
        if (prevCounter >= 0) {
          const gap = (counter - prevCounter - 1) & 0xff;
          if (gap === 255) stats.duplicatePackets++;
          else stats.lostPackets += gap;
        }
        prevCounter = counter;
      } else {
        stats.eventPackets++;
      }
      n++;
      i += PACKET_LEN;
    }
    tail = len - i;
    if (tail > 0) work.copyWithin(0, i, len);
    b.count = n;
    onBatch(b);
    return n;
  }

  return {
    push,
    stats: (): TsStats => ({ ...stats }),
    reset(): void {
      tail = 0;
      prevCounter = -1;
      for (const key of Object.keys(stats) as Array<keyof TsStats>) stats[key] = 0;
    },
  };
}

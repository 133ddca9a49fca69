/** @module Builds byte-exact 63-byte MW75 packets (the simulator, tests, benchmarks and the pty feeder share it). */
import { CHANNEL_COUNT, EEG_EVENT_ID, PACKET_LEN } from "../decoder/types.ts";

const SYNC_BYTE = 0xaa;
/** The data-length byte the headset sends (never checked by decoders). */
const DATA_LENGTH = 0x3c;
const CHECKSUM_OFFSET = 61;

/** Fields of one packet; channel values are RAW ADC counts (written as f32), not µV. */
export interface PacketFields {
  counter: number;
  eventId?: number;
  ref?: number;
  drl?: number;
  /** Twelve raw values; missing entries are 0. */
  rawChannels?: ArrayLike<number>;
  featureStatus?: number;
}

/** Sum of bytes 0..60, stored little-endian at 61..62. */
export function checksumOf(packet: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < CHECKSUM_OFFSET; i++) sum += packet[i]!;
  return sum & 0xffff;
}

/** Writes one packet into `out` at `at` (63 bytes) and returns `out`. */
export function writePacket(out: Uint8Array, at: number, fields: PacketFields): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const raw = fields.rawChannels;
  const channels = raw === undefined || raw.length >= CHANNEL_COUNT
    ? raw ?? NO_CHANNELS
    : Array.from({ length: CHANNEL_COUNT }, (_, c) => raw[c] ?? 0);
  writeEegPacket(
    out,
    view,
    at,
    fields.counter,
    fields.ref ?? 0,
    fields.drl ?? 0,
    channels,
    fields.eventId ?? EEG_EVENT_ID,
    fields.featureStatus ?? 0,
  );
  return out;
}

const NO_CHANNELS = new Float32Array(CHANNEL_COUNT);

/**
 * Writes one packet at `at` with no allocation (the simulator's hot loop): `view` is a DataView over
 * the same bytes as `out`, `raw` holds at least twelve values.
 */
export function writeEegPacket(
  out: Uint8Array,
  view: DataView,
  at: number,
  counter: number,
  ref: number,
  drl: number,
  raw: ArrayLike<number>,
  eventId = EEG_EVENT_ID,
  featureStatus = 0,
): void {
  out[at] = SYNC_BYTE;
  out[at + 1] = eventId;
  out[at + 2] = DATA_LENGTH;
  out[at + 3] = counter & 0xff;
  view.setFloat32(at + 4, ref, true);
  view.setFloat32(at + 8, drl, true);
  for (let c = 0; c < CHANNEL_COUNT; c++) view.setFloat32(at + 12 + 4 * c, raw[c]!, true);
  out[at + 60] = featureStatus;
  let sum = 0;
  for (let i = 0; i < CHECKSUM_OFFSET; i++) sum += out[at + i]!;
  out[at + CHECKSUM_OFFSET] = sum & 0xff;
  out[at + CHECKSUM_OFFSET + 1] = (sum >> 8) & 0xff;
}

/** Returns a new 63-byte packet. */
export function buildPacket(fields: PacketFields): Uint8Array {
  return writePacket(new Uint8Array(PACKET_LEN), 0, fields);
}

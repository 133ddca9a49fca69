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
  const view = new DataView(out.buffer, out.byteOffset + at, PACKET_LEN);
  view.setUint8(0, SYNC_BYTE);
  view.setUint8(1, fields.eventId ?? EEG_EVENT_ID);
  view.setUint8(2, DATA_LENGTH);
  view.setUint8(3, fields.counter & 0xff);
  view.setFloat32(4, fields.ref ?? 0, true);
  view.setFloat32(8, fields.drl ?? 0, true);
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    view.setFloat32(12 + 4 * c, fields.rawChannels?.[c] ?? 0, true);
  }
  view.setUint8(60, fields.featureStatus ?? 0);
  let sum = 0;
  for (let i = 0; i < CHECKSUM_OFFSET; i++) sum += view.getUint8(i);
  view.setUint16(CHECKSUM_OFFSET, sum & 0xffff, true);
  return out;
}

/** Returns a new 63-byte packet. */
export function buildPacket(fields: PacketFields): Uint8Array {
  return writePacket(new Uint8Array(PACKET_LEN), 0, fields);
}

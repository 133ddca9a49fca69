/** @module Shapes of what the MW75 decoder returns: decoded packets, zero-copy batches and stream statistics. */

/** Event id of an EEG packet (byte 1 of the 63-byte packet). */
export const EEG_EVENT_ID = 239;
/** Length of one packet on the RFCOMM stream, sync byte and checksum included. */
export const PACKET_LEN = 63;
/** Number of EEG channels in one packet. */
export const CHANNEL_COUNT = 12;
/** Nominal packet rate in raw mode. */
export const SAMPLE_RATE_HZ = 500;
/** Microvolts per raw ADC count (applied in double precision, as the reference server does). */
export const UV_PER_COUNT = 0.023842;
/** Raw channel value the headset sends for a disconnected electrode (2^23 - 1). */
export const LEAD_OFF_RAW = 8388607;

/** One EEG packet (event id 239), channel values already scaled to µV. */
export interface EegPacket {
  readonly type: "eeg";
  readonly eventId: number;
  /** 8-bit packet counter, wraps 255 → 0. */
  readonly counter: number;
  /** REF and DRL are passed through unscaled. */
  readonly ref: number;
  readonly drl: number;
  /** Twelve µV values; may hold NaN or ±Infinity when the device sent them (see `nonFinite`). */
  readonly channels: number[];
  readonly featureStatus: number;
  /** 1-based channel numbers whose raw value was the lead-off sentinel; empty when none. */
  readonly leadOff: number[];
  /** True when any float field (REF, DRL or a channel) is NaN or infinite. */
  readonly nonFinite: boolean;
  /** Byte offset of the packet's sync byte in the whole stream fed so far. */
  readonly offset: number;
}

/** A packet with a valid checksum and an event id other than 239, kept raw. */
export interface EventPacket {
  readonly type: "event";
  readonly eventId: number;
  readonly counter: number;
  /** All 63 bytes of the packet (a copy the caller may keep). */
  readonly raw: Uint8Array;
  readonly offset: number;
}

export type DecodedPacket = EegPacket | EventPacket;

/** Running totals since the decoder was created or last reset. */
export interface DecodeStats {
  /** Valid EEG packets (the reference's "valid_packets"). */
  readonly eegPackets: number;
  /** Valid packets with another event id. */
  readonly eventPackets: number;
  /** 63-byte windows starting at 0xAA whose checksum did not match (the reference's "invalid_packets"). */
  readonly checksumFailures: number;
  /** Bytes passed over while looking for a sync byte (failed windows slide one byte each and count here too). */
  readonly bytesSkipped: number;
  /** EEG packets missing according to counter gaps (mod 256). */
  readonly lostPackets: number;
  /** EEG packets whose counter repeated the previous one. */
  readonly duplicatePackets: number;
  /** Float fields (REF, DRL, channels) that were NaN or infinite. */
  readonly nonFiniteValues: number;
  /** All bytes fed since creation or reset. */
  readonly bytesIn: number;
}

/**
 * The packets of one decoder call as typed-array views into WASM memory (struct of arrays).
 * Valid only inside the callback that receives it; copy what you keep.
 */
export interface PacketBatch {
  readonly count: number;
  readonly eventId: Uint8Array;
  readonly counter: Uint8Array;
  readonly featureStatus: Uint8Array;
  /** Bit k set: channel k+1 carried the raw lead-off sentinel. */
  readonly leadOffMask: Uint16Array;
  /** Bits 0-11: channel k+1 non-finite; bit 12: REF; bit 13: DRL. */
  readonly nonFiniteMask: Uint16Array;
  readonly ref: Float64Array;
  readonly drl: Float64Array;
  /** µV values, packet i at [i*12, i*12+12). */
  readonly channels: Float64Array;
  /** Stream offset of each packet's sync byte. */
  readonly offset: Float64Array;
  /** The 63 raw bytes of packet i (filled for non-EEG packets only; a view, not a copy). */
  raw(i: number): Uint8Array;
}

/** A streaming decoder: feed chunks of any size, get packets in stream order. */
export interface Decoder {
  /** Decodes a chunk and returns the packets it completed, in stream order. */
  push(chunk: Uint8Array): DecodedPacket[];
  /**
   * Allocation-free path for hot consumers: `onBatch` is called once per internal block of
   * the chunk with views of the packets decoded. Returns the number of packets.
   */
  pushBatch(chunk: Uint8Array, onBatch: (batch: PacketBatch) => void): number;
  stats(): DecodeStats;
  /** The bytes held back for the next call (at most 62: a partial packet). */
  residual(): Uint8Array;
  /**
   * Drops the held-back partial packet and returns its length (0–62), counted in `bytesSkipped`.
   * Statistics and the counter history stay, so after a cut-and-resumed stream (the next
   * connection of a capture) the first counter jump counts as lost packets, not as corruption.
   */
  discardTail(): number;
  /** Forgets buffered bytes, counters and statistics. */
  reset(): void;
  /**
   * A TransformStream over this decoder: bytes in, the packets each chunk completed out (arrays,
   * never empty), e.g. `port.readable.pipeThrough(decoder.transform())`. It shares this decoder's
   * state, so use one transform per decoder at a time.
   */
  transform(): TransformStream<Uint8Array, DecodedPacket[]>;
}

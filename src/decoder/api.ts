/** @module The public types and constants both "./decoder" entries (mod.ts, browser.ts) export, and the shapes of their two functions. */
import type { DecodedBatch } from "./stream.ts";
import type { Decoder } from "./types.ts";

export type { DecodedBatch } from "./stream.ts";
export type {
  DecodedPacket,
  Decoder,
  DecodeStats,
  EegPacket,
  EventPacket,
  PacketBatch,
} from "./types.ts";
export {
  CHANNEL_COUNT,
  EEG_EVENT_ID,
  LEAD_OFF_RAW,
  PACKET_LEN,
  SAMPLE_RATE_HZ,
  UV_PER_COUNT,
} from "./types.ts";

/**
 * A new decoder with its own state. Without an argument it uses the decoder.wasm shipped with
 * this package (compiled once, then shared); pass the bytes or a compiled module to use another.
 */
export type CreateDecoder = (source?: BufferSource | WebAssembly.Module) => Promise<Decoder>;

/**
 * `readable.pipeThrough(createDecodeStream())`: bytes in, arrays of the packets each chunk
 * completed out. Pass a decoder to read its `stats()` afterwards; without one a fresh decoder is made.
 */
export type CreateDecodeStream = (
  decoder?: Decoder | Promise<Decoder>,
) => TransformStream<Uint8Array, DecodedBatch>;

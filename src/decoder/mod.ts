/** @module The "./decoder" entry for Bun, Deno, Node and bundlers: createDecoder() that loads its own decoder.wasm, a Web Streams transform, and the decoder's types. */
import { createDecoder as decoderFrom } from "./decoder.ts";
import { decodeStream, type DecodedBatch } from "./stream.ts";
import type { Decoder } from "./types.ts";
import { bundledModule } from "./wasm-bundled.ts";

export type { DecodedBatch } from "./stream.ts";
export type { DecodedPacket, Decoder, DecodeStats, EegPacket, EventPacket, PacketBatch } from "./types.ts";
export { CHANNEL_COUNT, EEG_EVENT_ID, LEAD_OFF_RAW, PACKET_LEN, SAMPLE_RATE_HZ, UV_PER_COUNT } from "./types.ts";

/**
 * A new decoder with its own state. Without an argument it uses the decoder.wasm shipped with
 * this package (compiled once, then shared); pass the bytes or a compiled module to use another.
 */
export function createDecoder(source?: BufferSource | WebAssembly.Module): Promise<Decoder> {
  return source === undefined ? bundledModule().then(decoderFrom) : decoderFrom(source);
}

/**
 * `readable.pipeThrough(createDecodeStream())`: bytes in, arrays of the packets each chunk
 * completed out. Pass a decoder to read its `stats()` afterwards; without one a fresh decoder is made.
 */
export function createDecodeStream(decoder?: Decoder | Promise<Decoder>): TransformStream<Uint8Array, DecodedBatch> {
  return decodeStream(decoder ?? createDecoder());
}

/** @module Web Streams face of a decoder: a TransformStream from raw RFCOMM bytes to arrays of decoded packets. */
import type { DecodedPacket, Decoder } from "./types.ts";

/**
 * The packets one input chunk completed, in stream order. Never empty: a chunk that completes no
 * packet (a partial packet, noise) produces nothing downstream rather than an empty array.
 */
export type DecodedBatch = DecodedPacket[];

/** What the transform can decode: anything `push` takes (Buffer is a Uint8Array too). */
type Chunk = Uint8Array;

/**
 * Wraps `decoder` (or the decoder a promise resolves to) in a TransformStream. The decoder keeps
 * its state across chunks, so packets split between reads are joined; statistics and the held-back
 * tail stay readable on the decoder itself after the stream ends.
 */
export function decodeStream(
  decoder: Decoder | Promise<Decoder>,
): TransformStream<Chunk, DecodedBatch> {
  let ready: Decoder | null = decoder instanceof Promise ? null : decoder;
  return new TransformStream<Chunk, DecodedBatch>({
    // a promised decoder (createDecodeStream() without one) is awaited once, before the first chunk
    async start() {
      if (ready === null) ready = await decoder;
    },
    transform(chunk, controller) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(
          `Cannot decode a chunk of type ${
            Object.prototype.toString.call(chunk)
          }: expected a Uint8Array`,
        );
      }
      const packets = ready!.push(chunk);
      if (packets.length > 0) controller.enqueue(packets);
    },
  });
}

/** @module What the "./decoder" entries share: their two functions made from the host's loader of the bundled decoder.wasm. */
import type { CreateDecoder, CreateDecodeStream } from "./api.ts";
import { createDecoder as decoderFrom } from "./decoder.ts";
import { decodeStream } from "./stream.ts";

/** The entry's two functions over `bundled`, the host's way to the shipped module. */
export function entryFor(
  bundled: () => Promise<WebAssembly.Module>,
): { createDecoder: CreateDecoder; createDecodeStream: CreateDecodeStream } {
  const createDecoder: CreateDecoder = (
    source,
  ) => (source === undefined ? bundled().then(decoderFrom) : decoderFrom(source));
  return {
    createDecoder,
    createDecodeStream: (decoder) => decodeStream(decoder ?? createDecoder()),
  };
}

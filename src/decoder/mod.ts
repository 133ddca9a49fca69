/** @module The "./decoder" entry for Bun, Deno, Node and bundlers: createDecoder() that loads its own decoder.wasm, a Web Streams transform, and the decoder's types. */
import { entryFor } from "./entry.ts";
import type { CreateDecoder, CreateDecodeStream } from "./api.ts";
import { bundledModule } from "./wasm-bundled.ts";

export * from "./api.ts";
const entry = entryFor(bundledModule);

/** A new decoder; without an argument it reads the decoder.wasm shipped next to this module (see CreateDecoder). */
export const createDecoder: CreateDecoder = entry.createDecoder;
/** A TransformStream from RFCOMM bytes to arrays of packets (see CreateDecodeStream). */
export const createDecodeStream: CreateDecodeStream = entry.createDecodeStream;

/** @module The "./decoder" entry under the "browser" condition: the same API as mod.ts, loading decoder.wasm by fetch only (no node: import for a bundler to trip over). */
import { entryFor } from "./entry.ts";
import type { CreateDecoder, CreateDecodeStream } from "./api.ts";
import { bundledModule } from "./wasm-browser.ts";

export * from "./api.ts";
const entry = entryFor(bundledModule);

/** A new decoder; without an argument it fetches the decoder.wasm shipped with the package (see CreateDecoder). */
export const createDecoder: CreateDecoder = entry.createDecoder;
/** A TransformStream from RFCOMM bytes to arrays of packets (see CreateDecodeStream). */
export const createDecodeStream: CreateDecodeStream = entry.createDecodeStream;

/** @module Finds the decoder.wasm shipped next to this module in any host: a file read on file: URLs (Bun, Deno, Node), fetch elsewhere. */
import { cachedLoader, compileFromUrl } from "./wasm-fetch.ts";

// a literal `new URL(…, import.meta.url)` is the pattern bundlers (Vite, webpack, Parcel) rewrite
// to the emitted asset; the path is the same from src/decoder/ and from the compiled dist/decoder/
const WASM_URL = new URL("../../wasm/decoder.wasm", import.meta.url);

/** The compiled bundled module, loaded once per process. */
export const bundledModule: () => Promise<WebAssembly.Module> = cachedLoader(async () => {
  if (WASM_URL.protocol !== "file:") return compileFromUrl(WASM_URL);
  let fs: typeof import("node:fs/promises");
  try {
    // only on file: URLs, and only when called: browsers never reach this import; Node 20's fetch
    // cannot read file: URLs, which is why this path exists at all
    fs = await import("node:fs/promises");
  } catch {
    // a host with file: modules but no node:fs (a sandboxed Electron renderer, say) may still fetch
    return compileFromUrl(WASM_URL);
  }
  return WebAssembly.compile(new Uint8Array(await fs.readFile(WASM_URL)));
});

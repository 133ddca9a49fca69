/** @module The browser build's way to the bundled decoder.wasm: fetch only, so no bundler ever sees a node: import. */
import { cachedLoader, compileFromUrl } from "./wasm-fetch.ts";

// the same literal pattern as wasm-bundled.ts, which bundlers turn into the emitted asset's URL
const WASM_URL = new URL("../../wasm/decoder.wasm", import.meta.url);

/** The compiled bundled module, fetched once per page. */
export const bundledModule: () => Promise<WebAssembly.Module> = cachedLoader(() =>
  compileFromUrl(WASM_URL)
);

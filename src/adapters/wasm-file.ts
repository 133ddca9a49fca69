/** @module Reads the bytes of wasm/decoder.wasm in Bun, Deno, Node (file: URL) or a browser (fetch). */

const WASM_URL = new URL("../../wasm/decoder.wasm", import.meta.url);

/** Bytes of the committed decoder module. */
export async function readDecoderWasm(): Promise<Uint8Array<ArrayBuffer>> {
  if (WASM_URL.protocol === "file:") {
    // fetch() of file: URLs fails on Node 20, so read from disk wherever that is possible
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(WASM_URL));
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`Cannot load ${WASM_URL.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** @module Compiles decoder.wasm from a fetchable URL (http:, https:, blob:, data:): streaming when the server allows it, from the bytes otherwise. */

/**
 * A compiled module rather than an instance: one compile serves every decoder, and each decoder
 * still gets its own instance and memory (see createDecoder).
 */
export async function compileFromUrl(url: URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`Cannot load the MW75 decoder from ${url.href}: HTTP ${response.status}`);
  }
  // compileStreaming rejects any MIME type but application/wasm, and many static servers send
  // application/octet-stream; decide before consuming the body, because a body reads only once
  const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/wasm" && typeof WebAssembly.compileStreaming === "function") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Caches one compile per loader and forgets a failed one, so a later call can retry. */
export function cachedLoader(
  load: () => Promise<WebAssembly.Module>,
): () => Promise<WebAssembly.Module> {
  let pending: Promise<WebAssembly.Module> | null = null;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}

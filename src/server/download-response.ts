/**
 * @module The answer to `GET /recordings/<file>`: the opened file streamed in 64 KiB reads (memory
 * stays flat and the event loop free whatever the size), with `Content-Length`, and a single
 * `Range` (206, or 416 when it lies outside the file). The file is closed at the end, on a cancel
 * (the client went away), on a read error, and at once for HEAD.
 */
import type { DownloadFile } from "../ports/recording-store.ts";

const CHUNK_BYTES = 64 * 1024;

/** Inclusive byte range inside a file of `size` bytes; "unsatisfiable" for 416; null = whole file. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // several ranges or another unit: RFC 9110 lets a server ignore Range and send the whole file
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}

/** A response that streams `file` (which it owns and closes). */
export function downloadResponse(
  file: DownloadFile,
  headers: Record<string, string>,
  method: string,
  rangeHeader: string | undefined,
): Response {
  const size = file.bytes;
  const range = parseRange(rangeHeader, size);
  const common = { ...headers, "Accept-Ranges": "bytes" };
  if (range === "unsatisfiable") {
    void file.close();
    return new Response(null, {
      status: 416,
      headers: { ...common, "Content-Range": `bytes */${size}` },
    });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = Math.max(0, end - start + 1);
  const status = range === null ? 200 : 206;
  const out: Record<string, string> = { ...common, "Content-Length": String(length) };
  if (range !== null) out["Content-Range"] = `bytes ${start}-${end}/${size}`;
  if (method === "HEAD" || length === 0) {
    void file.close();
    return new Response(method === "HEAD" ? null : new Uint8Array(0), { status, headers: out });
  }
  let position = start;
  const body = new ReadableStream<Uint8Array>({
    // one read per pull: the runtime pulls again only when the client has taken the last chunk
    async pull(controller) {
      try {
        const chunk = await file.read(position, Math.min(CHUNK_BYTES, end + 1 - position));
        if (chunk.length === 0) {
          // the file shrank after it was opened: end early rather than hang or pad
          await file.close();
          controller.close();
          return;
        }
        position += chunk.length;
        controller.enqueue(chunk);
        if (position > end) {
          await file.close();
          controller.close();
        }
      } catch (err) {
        await file.close();
        controller.error(err);
      }
    },
    cancel() {
      return file.close();
    },
  }, { highWaterMark: 0 });
  return new Response(body, { status, headers: out });
}

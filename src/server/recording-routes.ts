/**
 * @module HTTP routes of docs/protocol/bridge-api.md §4: `GET /recordings` (the recording objects),
 * `GET /recordings/<file>` (a file by a name from the list only: no paths) and `POST /markers`
 * (a marker from tools that do not speak WebSocket; `device_id` picks the device, default the
 * default one). Token-guarded when auth is on; POST bodies are size- and rate-limited, downloads
 * are streamed from a file opened once (see download-response.ts).
 */
import type { Hono, MiddlewareHandler } from "hono";
import { isSafeName } from "../recording/safe-name.ts";
import type { DownloadFile, RecordingStore, StoreError } from "../ports/recording-store.ts";
import type { Bridge } from "./bridge.ts";
import { bodyGuard, tokenGuard } from "./access/http-guards.ts";
import { downloadResponse } from "./download-response.ts";
import { placeMarker } from "./recording-commands.ts";

const TYPES: Record<string, string> = {
  bdf: "application/octet-stream",
  edf: "application/octet-stream",
  raw: "application/octet-stream",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

const NOT_FOUND = { code: "NOT_FOUND", message: "No such recording file" } as const;

/**
 * Adds the routes to `app`; without a store, /recordings answers 404 and markers still work.
 * `limit` runs before a body is read (the per-client rate limit of routes that take one).
 */
export function addRecordingRoutes(
  app: Hono,
  bridge: Bridge,
  store: RecordingStore | null,
  limit?: MiddlewareHandler,
): void {
  const device = bridge.default;
  const guard = tokenGuard(device.gate);
  app.get("/recordings", guard, async (c) => {
    try {
      return c.json({ recordings: await device.listRecordings() });
    } catch (err) {
      // a --recordings-dir that is a file, unreadable, …: the server is fine, the directory is not
      const reason = err instanceof Error ? err.message : String(err);
      return c.json({
        code: "RECORDINGS_UNAVAILABLE",
        message: `The recordings directory cannot be listed: ${reason}`,
      }, 503);
    }
  });
  app.get("/recordings/:file", guard, async (c) => {
    const name = c.req.param("file");
    // only plain names that the directory lists: "..", "/" and %-escapes never reach the store
    if (store === null || !isSafeName(name)) return c.json(NOT_FOUND, 404);
    let file: DownloadFile;
    try {
      const listed = (await store.list()).some((f) => f.name === name);
      if (!listed) return c.json(NOT_FOUND, 404);
      // opened once, checked on the descriptor: a link swapped in after the listing is refused here
      file = await store.openDownload(name);
    } catch (err) {
      // never 500 for a file: whatever cannot be opened safely is not there for a client
      return c.json({
        ...NOT_FOUND,
        ...((err as StoreError).code === "EINVAL"
          ? { message: "No such recording file (not a regular file of the directory)" }
          : {}),
      }, 404);
    }
    const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
    return downloadResponse(
      file,
      {
        "Content-Type": TYPES[ext] ?? "application/octet-stream",
        "Content-Disposition": `attachment; filename="${name}"`,
      },
      c.req.method,
      c.req.header("range"),
    );
  });
  // token, then rate, then the body limit that reads (and counts) the body: a refused client's body
  // is never read; a declared length over the limit was already refused app-wide (app.ts)
  app.post("/markers", guard, ...(limit === undefined ? [] : [limit]), bodyGuard(), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ code: "INVALID_JSON", message: "The body must be a JSON object" }, 400);
    }
    let target = device;
    if (typeof body === "object" && body !== null && !Array.isArray(body) && "device_id" in body) {
      const { device_id: id, ...rest } = body as { device_id: unknown };
      const named = typeof id === "string" ? bridge.get(id) : undefined;
      if (named === undefined) {
        return c.json({
          code: "UNKNOWN_DEVICE",
          message: `No device ${JSON.stringify(id)}; GET /devices lists them`,
        }, 404);
      }
      target = named;
      body = rest;
    }
    // the same validation and effects as the `marker` command
    const result = placeMarker(target.recordingCommands, body);
    if (!result.ok) return c.json({ code: result.code, message: result.message }, 400);
    return c.json(result.marker, 201);
  });
}

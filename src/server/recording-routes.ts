/**
 * @module HTTP routes of BRIDGE-API §4: `GET /recordings` (the recording objects),
 * `GET /recordings/<file>` (a file by a name from the list only: no paths) and `POST /markers`
 * (a marker from tools that do not speak WebSocket; `device_id` picks the device, default the
 * default one). Token-guarded when auth is on.
 */
import type { Hono } from "hono";
import { isSafeName } from "../recording/safe-name.ts";
import type { RecordingStore } from "../recording/store.ts";
import type { Fleet } from "./fleet.ts";
import { tokenGuard } from "./access/http-guards.ts";

const TYPES: Record<string, string> = {
  bdf: "application/octet-stream",
  edf: "application/octet-stream",
  raw: "application/octet-stream",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

/** Adds the routes to `app`; without a store, /recordings answers 404 and markers still work. */
export function addRecordingRoutes(app: Hono, fleet: Fleet, store: RecordingStore | null): void {
  const bridge = fleet.default;
  const guard = tokenGuard(bridge.gate);
  app.get("/recordings", guard, async (c) => c.json({ recordings: bridge.recordings ? await bridge.recordings.list() : [] }));
  app.get("/recordings/:file", guard, async (c) => {
    const name = c.req.param("file");
    // only plain names that the directory lists: "..", "/" and %-escapes never reach the store
    if (store === null || !isSafeName(name)) return c.json({ code: "NOT_FOUND", message: "No such recording file" }, 404);
    const listed = (await store.list()).some((f) => f.name === name);
    if (!listed) return c.json({ code: "NOT_FOUND", message: "No such recording file" }, 404);
    const bytes = await store.read(name);
    const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
    return c.body(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 200, {
      "Content-Type": TYPES[ext] ?? "application/octet-stream",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  });
  app.post("/markers", guard, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ code: "INVALID_JSON", message: "The body must be a JSON object" }, 400);
    }
    let target = bridge;
    if (typeof body === "object" && body !== null && !Array.isArray(body) && "device_id" in body) {
      const { device_id: id, ...rest } = body as Record<string, unknown>;
      const named = typeof id === "string" ? fleet.get(id) : undefined;
      if (named === undefined) return c.json({ code: "UNKNOWN_DEVICE", message: `No device ${JSON.stringify(id)}; GET /devices lists them` }, 404);
      target = named;
      body = rest;
    }
    const result = target.marker(body);
    if (!result.ok) return c.json({ code: result.code, message: result.message }, 400);
    return c.json(result.marker, 201);
  });
}

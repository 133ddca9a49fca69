/** @module The serve scripts as users run them: each builds its runtime's bundle and serves from dist/ (Bun, Deno, Node). */
import { afterEach, describe, expect, test } from "bun:test";
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type Runtime,
  RUNTIMES,
  type ServerProcess,
  startServer,
} from "../_support/server-process.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;

/** The serve script of `runtime` as written in package.json / deno.json: its build step and its start argv. */
function serveScript(runtime: Runtime): { build: string; start: string[] } {
  const scripts = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).scripts;
  const tasks = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")).tasks;
  const line: string = runtime === "bun"
    ? scripts.serve
    : runtime === "node"
    ? scripts["serve:node"]
    : tasks.serve;
  const [build, start] = line.split("&&").map((part) => part.trim());
  // npm puts node_modules/.bin on PATH; the deno task names it
  const argv = start!.split(/\s+/).map((w) => (w === "bun" ? `${BIN}/bun` : w));
  return { build: build!.replace(/^bun /, `${BIN}/bun `).replace(/^npm /, "npm "), start: argv };
}

let server: ServerProcess | null = null;
afterEach(() => {
  server?.kill();
  server = null;
});

describe("serve scripts run the bundle", () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: builds dist/serve-${runtime} and streams eeg_data from it`, async () => {
      const { build, start } = serveScript(runtime);
      expect(start.some((w) => w.includes(`dist/serve-${runtime}/`))).toBe(true);
      execSync(build, { cwd: ROOT, stdio: "pipe", timeout: 60_000 });
      server = await startServer(runtime, [], 30_000, {}, start);
      const health = await (await fetch(`${server.http}/health`)).json();
      expect(health.runtime).toBe(runtime);
      // one eeg_data from the simulator through the bundled decoder (its wasm found from dist/)
      const ws = new WebSocket(`${server.ws}/`);
      // set by the socket's handlers (an object, so the poll below reads what they wrote)
      const got: { first?: Record<string, unknown>; failed?: boolean } = {};
      ws.onopen = () => ws.send(JSON.stringify({ id: "c", type: "connect", data: {} }));
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "eeg_data") got.first ??= m.data;
      };
      ws.onerror = () => (got.failed = true);
      const deadline = Date.now() + 15_000;
      while (!got.first && !got.failed && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(got.failed).toBeUndefined();
      if (got.first === undefined) throw new Error("no eeg_data within 15 s");
      ws.close();
      const data = got.first;
      expect(typeof data["seq"]).toBe("number");
      expect(Object.keys(data["channels"] as object)).toHaveLength(12);
    }, 90_000);
  }
});

/**
 * @module The docs' MQTT consumer (docs/examples/mqtt-consumer.ts, shown verbatim in docs/mqtt.md)
 * against the docs' two-bridge setup: two bridges, one mosquitto, one consumer, run under Bun, Deno
 * and Node at once; it must print decoded frames of every device of both bridges.
 */
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import type { Runtime } from "../_support/server-process.ts";
import { startBroker } from "../_support/mqtt/broker.ts";
import { cleanupsAfterAll } from "../_support/mqtt/test-kit.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = "docs/examples/mqtt-consumer.ts";
const cleanups = cleanupsAfterAll();

/** Runs the example under `runtime` for `ms`, then kills it by PID; resolves with its output. */
function runConsumer(
  runtime: Runtime,
  url: string,
  ms: number,
): Promise<{ out: string; err: string }> {
  const bin = `${ROOT}node_modules/.bin`;
  const argv = runtime === "bun"
    ? [`${bin}/bun`, EXAMPLE]
    : runtime === "deno"
    ? [`${bin}/deno`, "run", "-A", EXAMPLE]
    : ["node", "--import", "tsx", EXAMPLE];
  const child = spawn(argv[0]!, [...argv.slice(1), url], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => {
    setTimeout(
      () =>
        child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"),
      ms,
    );
    child.once("exit", () => resolve({ out, err }));
  });
}

describe("docs/examples/mqtt-consumer.ts", () => {
  test("docs/mqtt.md shows the example verbatim", () => {
    const code = readFileSync(`${ROOT}${EXAMPLE}`, "utf8").split("\n").slice(1).join("\n").trim();
    expect(readFileSync(`${ROOT}docs/mqtt.md`, "utf8")).toContain(code);
    expect(code.split("\n").length).toBeLessThanOrEqual(20);
  });

  test(
    "two bridges, one broker, one consumer per runtime: decoded frames of every device of both",
    async () => {
      const broker = await startBroker();
      cleanups.push(() => broker.dispose());
      const [a, b] = await Promise.all([
        startServer("bun", [
          "--sim-devices",
          "2",
          "--autoconnect",
          "--mqtt",
          broker.url,
          "--bridge-id",
          "room-a",
        ]),
        startServer("bun", ["--autoconnect", "--mqtt", broker.url, "--bridge-id", "room-b"]),
      ]);
      cleanups.push(() => a.kill(), () => b.kill());
      const runs = await Promise.all(
        RUNTIMES.map((r) => runConsumer(r, broker.url, r === "bun" ? 3000 : 6000)),
      );
      RUNTIMES.forEach((runtime, i) => {
        const { out, err } = runs[i]!;
        for (const device of ["room-a/sim-1", "room-a/sim-2", "room-b/sim-1"]) {
          expect({
            runtime,
            device,
            err,
            eeg: new RegExp(
              `^${device} eeg seq \\d+\\.\\.\\d+ at \\d+\\.\\d{3} ch1 -?\\d+\\.\\d µV$`,
              "m",
            ).test(out),
          })
            .toEqual({ runtime, device, err, eeg: true });
          expect(out).toContain(`${device} state {"state":"connected"`);
        }
        expect(out).toMatch(/^room-a status \{"online":true,"bridge_id":"room-a"/m);
        expect(out).toMatch(/^room-b status \{"online":true,"bridge_id":"room-b"/m);
      });
    },
    40_000,
  );
});

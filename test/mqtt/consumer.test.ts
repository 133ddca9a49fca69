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

const DEVICES = ["room-a/sim-1", "room-a/sim-2", "room-b/sim-1"];
const eegLine = (device: string) =>
  new RegExp(`^${device} eeg seq \\d+\\.\\.\\d+ at \\d+\\.\\d{3} ch1 -?\\d+\\.\\d µV$`, "m");

/** Whether the consumer printed everything the test looks for (then it can be stopped). */
const printedAll = (out: string) =>
  DEVICES.every((d) => eegLine(d).test(out) && out.includes(`${d} state {"state":"connected"`)) &&
  /^room-a status \{"online":true/m.test(out) && /^room-b status \{"online":true/m.test(out);

/**
 * Runs the example under `runtime` until it printed everything the test looks for, or `ms` passed,
 * then kills it by PID; resolves with its output.
 */
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
  const stop = () =>
    child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL");
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (printedAll(out)) stop();
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(stop, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve({ out, err });
    });
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
      // each consumer stops once it printed every line looked for (1-3 s when idle, the start of
      // Deno or tsx included); 20 s bounds one on a loaded machine
      const runs = await Promise.all(RUNTIMES.map((r) => runConsumer(r, broker.url, 20_000)));
      RUNTIMES.forEach((runtime, i) => {
        const { out, err } = runs[i]!;
        for (const device of DEVICES) {
          expect({ runtime, device, err, eeg: eegLine(device).test(out) })
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

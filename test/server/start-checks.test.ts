/** @module Start-up refusals with exit code 2: a replay file that cannot be read, MQTT topic flags a broker would refuse. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";
import { runServeCli, RUNTIMES, startServer } from "../_support/server-process.ts";

// a bridge that wrongly starts would serve until killed: 10 s is far above the ~1–3 s a refusal
// takes to start a runtime and print the usage, even on a loaded machine
const REFUSAL_MS = 10_000;

/** The UsageError message `args` cause, or null when they parse. */
function usageError(args: string[]): string | null {
  try {
    parseServeArgs(args);
    return null;
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
}

const MQTT = ["--mqtt", "mqtt://127.0.0.1:1883"];

describe("MQTT topic flags", () => {
  test("refuses control characters, lone surrogates and overlong values, naming the flag", () => {
    const bad: Array<[string, string]> = [
      ["--bridge-id", "room\u0001a"],
      ["--bridge-id", "room\na"],
      ["--bridge-id", "room\u007f"],
      ["--bridge-id", "room\u0085"],
      ["--bridge-id", "room\ud800"],
      ["--bridge-id", "x".repeat(65)],
      ["--bridge-id", "é".repeat(33)],
      ["--bridge-id", "x".repeat(70_000)],
      ["--mqtt-prefix", "lab\teeg"],
      ["--mqtt-prefix", "lab/\u001beeg"],
      ["--mqtt-prefix", "x".repeat(257)],
      ["--mqtt-prefix", "é".repeat(129)],
      ["--mqtt-prefix", "x".repeat(70_000)],
    ];
    for (const [flag, value] of bad) {
      const message = usageError([...MQTT, flag, value]);
      expect({ flag, head: value.slice(0, 12), named: message?.startsWith(flag) ?? false }).toEqual(
        { flag, head: value.slice(0, 12), named: true },
      );
      // the message stays readable: no control character of the value, no 70,000 characters
      expect(message!.length).toBeLessThan(300);
      // deno-lint-ignore no-control-regex -- the message must carry no control character
      expect(/[\u0000-\u001f\u007f-\u009f]/.test(message!)).toBe(false);
    }
  });

  test("accepts values up to the limits, UTF-8 included", () => {
    const ok: Array<[string, string]> = [
      ["--bridge-id", "x".repeat(64)],
      ["--bridge-id", "é".repeat(32)],
      ["--bridge-id", "room-a.lab_1"],
      ["--mqtt-prefix", "lab/eeg"],
      ["--mqtt-prefix", "x".repeat(256)],
      ["--mqtt-prefix", "é".repeat(128)],
    ];
    for (const [flag, value] of ok) {
      expect({ flag, message: usageError([...MQTT, flag, value]) }).toEqual({
        flag,
        message: null,
      });
    }
  });
});

for (const runtime of RUNTIMES) {
  describe(`start-up checks on ${runtime}`, () => {
    test(
      "exits 2 naming the path and the reason when the replay file is missing or not a file",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "mw75-replay-check-"));
        try {
          const missing = join(dir, "no-such-capture.bin");
          const r = await runServeCli(
            runtime,
            ["--port", "0", "--source", `replay:${missing}`],
            REFUSAL_MS,
          );
          expect({ code: r.code, listening: r.stdout.includes("listening on") }).toEqual({
            code: 2,
            listening: false,
          });
          expect(r.stderr).toContain(missing);
          expect(r.stderr.toLowerCase()).toContain("no such file");
          expect(r.stderr).toContain("Usage: serve");

          const notFile = await runServeCli(
            runtime,
            ["--port", "0", "--source", `replay:${dir}`],
            REFUSAL_MS,
          );
          expect({ code: notFile.code, listening: notFile.stdout.includes("listening on") })
            .toEqual({ code: 2, listening: false });
          expect(notFile.stderr).toContain(`${dir} is not a regular file`);

          // a readable capture still starts (the check refuses only what replay could not read)
          const file = join(dir, "capture.bin");
          writeFileSync(file, new Uint8Array(63 * 10));
          const srv = await startServer(runtime, ["--source", `replay:${file}`]);
          srv.kill();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      3 * REFUSAL_MS + 5000,
    );

    test(
      "exits 2 naming the flag for a control character or a 70,000-character bridge id",
      async () => {
        for (
          const args of [["--bridge-id", "x".repeat(70_000)], ["--bridge-id", "room\u0001"], [
            "--mqtt-prefix",
            "lab\u0007",
          ]]
        ) {
          const r = await runServeCli(runtime, [
            "--port",
            "0",
            "--mqtt",
            "mqtt://127.0.0.1:9",
            ...args,
          ], REFUSAL_MS);
          expect({ flag: args[0], code: r.code, listening: r.stdout.includes("listening on") })
            .toEqual({ flag: args[0], code: 2, listening: false });
          expect(r.stderr).toContain(`error: ${args[0]}`);
          expect(r.stderr).toContain("Usage: serve");
        }
      },
      3 * REFUSAL_MS + 5000,
    );
  });
}

/** @module The recording commands on a server without a recordings directory: starting fails as RECORDING_FAILED, stopping, pausing and resuming are NOT_RECORDING (docs/protocol/bridge-api.md §9), each saying why. */
import { describe, expect, test } from "bun:test";
import type { Device } from "../../src/core/device.ts";
import { dispatchRecording } from "../../src/server/recording-commands.ts";

function answer(type: string): { code: string; message: string } {
  let got: { code: string; message: string } | null = null;
  dispatchRecording(
    { device: {} as Device, recordings: null },
    type,
    {},
    () => {
      throw new Error(`${type} was answered with a reply`);
    },
    (code, message) => (got = { code, message }),
  );
  if (got === null) throw new Error(`${type} got no answer`);
  return got;
}

describe("recording commands without a recordings directory", () => {
  test("start is RECORDING_FAILED; stop, pause and resume are NOT_RECORDING; all name the cause", () => {
    const codes = ["start_recording", "stop_recording", "pause_recording", "resume_recording"].map(
      (type) => [type, answer(type).code],
    );
    expect(codes).toEqual([
      ["start_recording", "RECORDING_FAILED"],
      ["stop_recording", "NOT_RECORDING"],
      ["pause_recording", "NOT_RECORDING"],
      ["resume_recording", "NOT_RECORDING"],
    ]);
    expect(answer("pause_recording").message).toContain("without a recordings directory");
  });
});

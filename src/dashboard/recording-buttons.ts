/** @module The Recording section's buttons: Start (`bdf` + `csv`), Pause, Resume and Stop, each acked like the page's other commands, then the list and pill refreshed. */
import type { BridgeClient } from "../client/mod.ts";
import { $ } from "./panels.ts";

/** Runs a command with the page's client and shows its ack or error (main.ts's `command`). */
export type RunCommand = (
  name: string,
  run: (c: BridgeClient) => Promise<unknown>,
) => Promise<void>;

/**
 * Wires the four buttons. `refresh` re-reads `GET /recordings` after each ack: the `recording`
 * event does too, but a repeated pause is acked without one (docs/recording.md "Pause and resume").
 */
export function wireRecordingButtons(command: RunCommand, refresh: () => Promise<void>): void {
  const buttons: Array<[string, string, (c: BridgeClient) => Promise<unknown>]> = [
    ["rec-start", "start_recording", (c) => c.startRecording({ formats: ["bdf", "csv"] })],
    ["rec-pause", "pause_recording", (c) => c.pauseRecording()],
    ["rec-resume", "resume_recording", (c) => c.resumeRecording()],
    ["rec-stop", "stop_recording", (c) => c.stopRecording()],
  ];
  for (const [id, name, run] of buttons) {
    $(id).addEventListener("click", () => void command(name, run).then(refresh));
  }
}

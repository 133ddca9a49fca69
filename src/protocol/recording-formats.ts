/** @module The recording format names of docs/protocol/bridge-api.md §4.1 (`start_recording.formats`, `--record`): wire names, so the request checks need nothing from recording/. */

/** The formats of §4.1. */
export type RecordingFormat = "bdf" | "edf" | "csv" | "raw";
export const RECORDING_FORMATS: readonly RecordingFormat[] = ["bdf", "edf", "csv", "raw"];

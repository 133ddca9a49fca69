/** @module Conformance scenarios of docs/protocol/bridge-api.md §4: recordings and markers, read back by MNE, across link losses, crashes and a full disk. */
import type { Scenario } from "./scenario.ts";
import { csvMatchesStream, mneReadsRecording, rawMetadataAndEvents } from "./recording-cases.ts";
import { recordingCommandsAndErrors } from "./recording-command-cases.ts";
import { recordingAcrossLinkLoss, recordingSurvivesCrash } from "./recording-crash-cases.ts";
import { recordOnFirstConnect } from "./record-flag-cases.ts";
import { recordingDiskFull } from "./recording-disk-cases.ts";

export const RECORDING: Scenario[] = [
  [
    "recording 20 s (bdf, edf, csv, raw; --sim-drop 0.01; 3 markers): MNE reads BDF and EDF, n_times = seq span, values = streamed, markers and gaps annotated",
    mneReadsRecording,
    60_000,
  ],
  [
    "the recording's CSV: reference header + Seq,LeadOff, rows = streamed values by seq exactly, 3-decimal timestamps",
    csvMatchesStream,
    60_000,
  ],
  [
    "the recording's raw file replays and decodes cleanly; metadata and _events.csv list first_seq, files, markers and gaps",
    rawMetadataAndEvents,
    60_000,
  ],
  [
    "recording commands: ALREADY_ACTIVE, NOT_RECORDING, EXISTS without overwriting, INVALID_PARAMETERS naming the field with nothing written, status, broadcast, events, GET /recordings",
    recordingCommandsAndErrors,
    30_000,
  ],
  [
    "a recording across link losses and auto-reconnects: one continuous BDF with the estimated gap, raw replays cleanly",
    recordingAcrossLinkLoss,
    40_000,
  ],
  [
    "SIGKILL mid-recording: the restart finalises it (logged, recovered) and the BDF holds all but the last second",
    recordingSurvivesCrash,
    40_000,
  ],
  [
    "a full recordings disk: RECORDING_FAILED broadcast, state failed, streaming goes on, the partial BDF reads",
    recordingDiskFull,
    40_000,
  ],
  [
    "--record bdf,csv starts a recording at the first connected, and only then",
    recordOnFirstConnect,
    30_000,
  ],
];

/** @module Conformance scenarios of docs/protocol/bridge-api.md §1–§3: subscriptions, eeg_batch JSON and binary, decimation, gaps, diagnostics, events, resume, settings. */
import type { Scenario } from "./scenario.ts";
import { batchJsonMatchesEegData, binaryFramesMatch, decimatedBatches } from "./batch-cases.ts";
import { settingsGetSet } from "./settings-cases.ts";
import { diagnosticsAfterReconnect, diagnosticsStream } from "./diagnostics-cases.ts";
import { gapsMatchSeqJumps, leadOffAndStateEvents } from "./stream-event-cases.ts";
import {
  resumeAfterReconnect,
  resumeAheadOfStream,
  resumeOlderThanRing,
  slowBatchSubscriber,
} from "./stream-resume-cases.ts";
import { baseClientUnchanged, subscribeAndUnsubscribe } from "./subscription-cases.ts";

export const STREAMS: Scenario[] = [
  [
    "subscribe/unsubscribe: effective options, INVALID_PARAMETERS and UNKNOWN_STREAM, status list, per-client eeg",
    subscribeAndUnsubscribe,
    30_000,
  ],
  [
    "a base-protocol client sees only base messages while another subscribes to every stream",
    baseClientUnchanged,
    30_000,
  ],
  ["eeg_batch JSON values equal eeg_data values for the same seq", batchJsonMatchesEegData, 30_000],
  [
    "eeg_batch binary frames parse per §3 and equal eeg_data and the JSON batch (f32)",
    binaryFramesMatch,
    30_000,
  ],
  [
    "eeg_batch decimate 10: rate 50, seq grid, timestamps of the full-rate samples",
    decimatedBatches,
    30_000,
  ],
  [
    "--sim-drop: gap events match seq jumps one to one; no eeg_batch spans a gap",
    gapsMatchSeqJumps,
    30_000,
  ],
  [
    "diagnostics at the requested rate, idle and connected, with the §2.3 fields",
    diagnosticsStream,
    30_000,
  ],
  [
    "diagnostics after a reconnect without loss: loss_ratio 0, jitter of the chunks only",
    diagnosticsAfterReconnect,
    30_000,
  ],
  [
    "--sim-lead-off 3,7: lead_off, state_change and battery events across a reconnect",
    leadOffAndStateEvents,
    30_000,
  ],
  [
    "eeg_batch resume after a client reconnect delivers every seq exactly once",
    resumeAfterReconnect,
    30_000,
  ],
  [
    "eeg_batch since_seq older than the ring: resumed_from is the oldest retained seq",
    resumeOlderThanRing,
    30_000,
  ],
  [
    "eeg_batch since_seq ahead of the stream: nothing before since_seq is sent",
    resumeAheadOfStream,
    30_000,
  ],
  [
    "a slow eeg_batch subscriber sheds whole batches, counted; a fast one keeps every seq",
    slowBatchSubscriber,
    40_000,
  ],
  [
    "settings: get all/some, set broadcast with changed, all-or-nothing INVALID_VALUE, heartbeat_s 5, log_level INFO forwarding",
    settingsGetSet,
    30_000,
  ],
];

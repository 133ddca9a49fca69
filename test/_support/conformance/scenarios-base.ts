/** @module Conformance scenarios of the base protocol (docs/protocol/mw75.md §3): banner, validation, streaming, device faults, client policies, hardening, capture and replay. */
import type { Scenario } from "./scenario.ts";
import { captureAcrossReconnects } from "./capture-cases.ts";
import { multiClientRules, singleClientPolicy, slowClient } from "./client-cases.ts";
import {
  activationFailureAndExhaustion,
  linkLossAndReconnect,
  reconnectSucceeds,
  rfcommAndConnectionFailures,
} from "./device-cases.ts";
import {
  byteBoundedQueue,
  clumsyParameters,
  connectDisconnectRace,
  frameGuards,
  halfSentRequests,
} from "./hardening-cases.ts";
import { bannerAndHealth, captureThenReplay, cleanShutdown, cliErrors } from "./process-cases.ts";
import { logFiltering, streamingLifecycle, validationAndReplies } from "./protocol-cases.ts";

export const BASE: Scenario[] = [
  ["banner and /health", bannerAndHealth, 30_000],
  ["validation order, error codes, ids, ping and status replies", validationAndReplies, 30_000],
  [
    "connect, ~500 eeg_data/s with consecutive counters, heartbeat, disconnect",
    streamingLifecycle,
    30_000,
  ],
  ["log forwarding filtered by the requested level", logFiltering, 30_000],
  [
    "BLE activation failure and the full reconnect schedule to exhaustion",
    activationFailureAndExhaustion,
    40_000,
  ],
  ["RFCOMM and connection failures", rfcommAndConnectionFailures, 30_000],
  ["auto-reconnect succeeds once the link is really up", reconnectSucceeds, 30_000],
  ["a dropped link is noticed within 2 s and auto-reconnected", linkLossAndReconnect, 30_000],
  ["single-client policy", singleClientPolicy, 30_000],
  ["multi-client controller/observer rules", multiClientRules, 30_000],
  ["a client that stops reading for 10 s", slowClient, 60_000],
  ["CLI errors exit 2 with usage", cliErrors, 60_000],
  ["SIGINT shuts down cleanly", cleanShutdown, 30_000],
  ["replay of a capture reproduces the eeg_data sequence", captureThenReplay, 40_000],
  [
    "connect then disconnect at once, 100 times: always idle, nothing streams",
    connectDisconnectRace,
    60_000,
  ],
  [
    "a client that never reads is closed once its queue passes the byte limit",
    byteBoundedQueue,
    60_000,
  ],
  [
    "deep nesting, long ids and oversized frames get their codes; others unaffected",
    frameGuards,
    30_000,
  ],
  [
    "auto_reconnect must be a boolean or 0/1; processing errors echo the id",
    clumsyParameters,
    30_000,
  ],
  [
    "connections that never finish their request are dropped within the deadline",
    halfSentRequests,
    30_000,
  ],
  ["a capture across reconnects replays as gaps, not corruption", captureAcrossReconnects, 60_000],
];

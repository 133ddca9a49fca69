/**
 * @module The protocol conformance suite (MW75.md §3, BRIDGE-API §1–§3), run over real WebSockets against `serve`
 * started as a child process under Bun, under Deno and under Node. Same scenarios for every runtime.
 */
import { describe, test } from "bun:test";
import { RUNTIMES } from "../_support/server-process.ts";
import {
  multiClientRules,
  singleClientPolicy,
  slowClient,
} from "../_support/conformance/client-cases.ts";
import {
  activationFailureAndExhaustion,
  linkLossAndReconnect,
  reconnectSucceeds,
  rfcommAndConnectionFailures,
} from "../_support/conformance/device-cases.ts";
import {
  byteBoundedQueue,
  clumsyParameters,
  connectDisconnectRace,
  frameGuards,
  halfSentRequests,
} from "../_support/conformance/hardening-cases.ts";
import { captureAcrossReconnects } from "../_support/conformance/capture-cases.ts";
import { settingsGetSet } from "../_support/conformance/settings-cases.ts";
import { tlsServes } from "../_support/conformance/tls-cases.ts";
import {
  csvMatchesStream,
  mneReadsRecording,
  rawMetadataAndEvents,
} from "../_support/conformance/recording-cases.ts";
import { recordingCommandsAndErrors } from "../_support/conformance/recording-command-cases.ts";
import {
  recordingAcrossLinkLoss,
  recordingSurvivesCrash,
} from "../_support/conformance/recording-crash-cases.ts";
import {
  recordingDiskFull,
  recordOnFirstConnect,
} from "../_support/conformance/recording-disk-cases.ts";
import {
  authOffUnchanged,
  hostRebinding,
  nonLoopbackRefusal,
  originChecks,
} from "../_support/conformance/access-cases.ts";
import {
  anonymousReadOnly,
  controlThreeWays,
  observeRole,
  wrongTokens,
} from "../_support/conformance/token-cases.ts";
import {
  halfOpenConnections,
  oversizedFrame,
  rateLimitFlood,
} from "../_support/conformance/limits-cases.ts";
import {
  bannerAndHealth,
  captureThenReplay,
  cleanShutdown,
  cliErrors,
} from "../_support/conformance/process-cases.ts";
import {
  logFiltering,
  streamingLifecycle,
  validationAndReplies,
} from "../_support/conformance/protocol-cases.ts";
import {
  baseClientUnchanged,
  subscribeAndUnsubscribe,
} from "../_support/conformance/subscription-cases.ts";
import {
  batchJsonMatchesEegData,
  binaryFramesMatch,
  decimatedBatches,
} from "../_support/conformance/batch-cases.ts";
import {
  diagnosticsAfterReconnect,
  diagnosticsStream,
  gapsMatchSeqJumps,
  leadOffAndStateEvents,
} from "../_support/conformance/stream-event-cases.ts";
import {
  resumeAfterReconnect,
  resumeAheadOfStream,
  resumeOlderThanRing,
  slowBatchSubscriber,
} from "../_support/conformance/stream-resume-cases.ts";
import {
  linkLossStaysOnItsDevice,
  perDeviceStreams,
} from "../_support/conformance/devices-stream-cases.ts";
import {
  autoconnectAndTeardown,
  discoveryListingAndFigures,
  unknownDevicesAndBadParameters,
} from "../_support/conformance/devices-cases.ts";
import {
  logsAndMarkersStayOnTheirDevice,
  recordingsPerDevice,
} from "../_support/conformance/devices-session-cases.ts";

const SCENARIOS: [string, (runtime: (typeof RUNTIMES)[number]) => Promise<void>, number][] = [
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
  // BRIDGE-API §1–§3: subscriptions and the streams they add
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
  // BRIDGE-API §5: access control and limits
  [
    "a foreign Origin gets 403 before the upgrade and changes nothing; loopback, --allow-origin and no Origin are admitted",
    originChecks,
    30_000,
  ],
  [
    "a foreign Host gets 403 on /health, / and /ws (DNS rebinding); loopback names and --allow-origin hosts are served",
    hostRebinding,
    30_000,
  ],
  [
    "--token: anonymous clients stream but get PERMISSION_DENIED naming the command for control commands",
    anonymousReadOnly,
    30_000,
  ],
  [
    "--auth observe token: broadcast acknowledged, marker past the gate, control commands denied; auth_result role",
    observeRole,
    30_000,
  ],
  [
    "a control token by Authorization header, by echoed subprotocol (browser WebSocket too) and by auth message may connect",
    controlThreeWays,
    30_000,
  ],
  [
    "a wrong token any way: AUTH_FAILED then 1008; a silent mw75.auth client closed 1008 after 10 s; tokens never in /health or logs",
    wrongTokens,
    40_000,
  ],
  [
    "--host 0.0.0.0 without a token exits 2 naming --token and --no-auth; --no-auth and MW75_TOKEN start",
    nonLoopbackRefusal,
    40_000,
  ],
  [
    "a 1 MiB frame closes its sender with 1009 while another client's seq has no gap; --max-message-bytes moves the limit",
    oversizedFrame,
    30_000,
  ],
  [
    "a 5,000 msg/s flood: about one RATE_LIMITED a second, closed 1008 after 5 s; others keep 500 Hz and /health answers",
    rateLimitFlood,
    40_000,
  ],
  [
    "200 half-open TCP connections do not keep a new client from connecting and streaming",
    halfOpenConnections,
    30_000,
  ],
  [
    "auth off: a page on http://localhost:PORT connects and controls the device as in the base protocol",
    authOffUnchanged,
    30_000,
  ],
  [
    "--tls-cert/--tls-key: https and wss with the CA trusted; untrusted and plain clients refused, server unharmed",
    tlsServes,
    60_000,
  ],
  // BRIDGE-API §4: recordings and markers
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
  // BRIDGE-API §6: several devices per bridge
  [
    "--sim-devices 3: each /devices/<id>/ws gets only its device's data named by device_id, own seq from 0, own values; / is the base protocol with sim-1's samples",
    perDeviceStreams,
    40_000,
  ],
  [
    "a link loss of sim-2 (--autoconnect): sim-2 reconnects with estimated gaps while sim-1 and sim-3 keep every seq at 500/s and hear nothing",
    linkLossStaysOnItsDevice,
    40_000,
  ],
  [
    "unknown or malformed device paths get 404 before the upgrade; UNKNOWN_DEVICE markers, INVALID_PARAMETERS scans and connect_device; the bridge serves on",
    unknownDevicesAndBadParameters,
    30_000,
  ],
  [
    "scan_devices finds the simulated headsets after duration_s; list_devices = GET /devices through connects; connect_device of a known address; /health and /metrics per device",
    discoveryListingAndFigures,
    40_000,
  ],
  [
    "--autoconnect connects every device without clients and keeps it; without it only the device whose last client left is torn down",
    autoconnectAndTeardown,
    40_000,
  ],
  [
    "forwarded logs (connect or set log_level DEBUG) and markers naming a device (WebSocket, POST /markers) stay on that device's sockets",
    logsAndMarkersStayOnTheirDevice,
    30_000,
  ],
  [
    "sim-2 and sim-3 record at once: default names start with the device id, each CSV = its own device's streamed samples by seq",
    recordingsPerDevice,
    40_000,
  ],
];

for (const runtime of RUNTIMES) {
  describe(runtime, () => {
    for (const [name, run, timeout] of SCENARIOS) test(name, () => run(runtime), timeout);
  });
}

/** @module The MW75 bridge client SDK: `connect(url, options)` for browsers, Bun, Deno and Node (docs/client-sdk.md). */
export { BridgeClient, connect } from "./client.ts";
export type { ClientEventMap, ClientOptions, ClientState, ClientStats } from "./client.ts";
export type { EegBatch } from "./batch.ts";
// frames that arrive by another road (MQTT, a file) decode the same way as on the socket
export { batchFromFrame } from "./batch.ts";
export { BACKOFF_DEFAULTS, backoffDelay, backoffOptions } from "./backoff.ts";
export type { BackoffOptions } from "./backoff.ts";
export type {
  CommandData,
  CommandName,
  CommandReply,
  Commands,
  ConnectData,
  MarkerData,
  StartRecordingData,
} from "./commands.ts";
export type { CloseCause, CloseInfo } from "./connection.ts";
export { BridgeClientError } from "./errors.ts";
export type { HeadsetReconnect } from "./headset.ts";
export type { ClientErrorCode } from "./errors.ts";
export type { LivenessOptions } from "./liveness.ts";
export { BEARER_PROTOCOL, deviceUrl } from "./socket.ts";
export type { WebSocketConstructorLike, WebSocketLike } from "./socket.ts";
export type {
  DataLoss,
  EegBatchOptions,
  StreamItems,
  StreamName,
  StreamOptions,
} from "./streams.ts";
export { Subscription } from "./subscription.ts";
export { systemTimers } from "./timers.ts";
export type { Timers } from "./timers.ts";
export type * from "../protocol/messages.ts";
export type * from "../protocol/metrics.ts";
// the words a page shows for each quality reason, and the names messages use
export {
  BAND_NAMES,
  QUALITY_LEVELS,
  QUALITY_REASONS,
  QUALITY_SENTENCES,
} from "../protocol/metrics.ts";

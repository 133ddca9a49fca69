/** @module Public runtime-neutral API of the bridge (re-exports only). */
export { createDecoder, createDecodeStream } from "./decoder/mod.ts";
export type {
  DecodedBatch,
  DecodedPacket,
  Decoder,
  DecodeStats,
  EegPacket,
  EventPacket,
  PacketBatch,
} from "./decoder/mod.ts";
export { BridgeError } from "./core/errors.ts";
export type { ByteStreamHandle, OpenTty } from "./ports/tty.ts";
export type { DeviceLink, DeviceSource, LinkBoundary, LinkChunk } from "./ports/device-source.ts";
export type { Logger, LogLevel } from "./ports/logger.ts";
export type { CoreErrorCode } from "./core/errors.ts";
export type { ErrorCode } from "./protocol/errors.ts";
export { systemClock } from "./core/clock.ts";
export type { Clock } from "./core/clock.ts";
export { createLogHub } from "./core/log-hub.ts";
export type { LogHub, LogRecord } from "./core/log-hub.ts";
export { DeviceSession } from "./core/session.ts";
export type { SessionOptions } from "./core/session.ts";
export type { BlockBuilder, SessionEvents } from "./core/session-events.ts";
export { Device } from "./core/device.ts";
export type { DeviceListener, DeviceOptions } from "./core/device.ts";
export type { Gap, SampleBatch, SampleBlock } from "./core/samples.ts";
export type { DeviceEvent } from "./core/device-events.ts";
export { MAX_RECONNECT_ATTEMPTS, reconnectDelayMs } from "./core/reconnect.ts";
export { ServedDevice } from "./server/served-device.ts";
export type { ServedDeviceOptions } from "./server/served-device.ts";
export { createApp } from "./server/app.ts";
export type { AppOptions } from "./server/app.ts";
export type { ClientSocket } from "./ports/client-socket.ts";
export type { OutboxLimits } from "./server/outbox.ts";
export type { RunningServer, RuntimeAdapter } from "./ports/runtime.ts";
export { LOG_LEVELS, parseFrame } from "./protocol/inbound.ts";
export type { DeviceState, StatusCause, StatusState } from "./core/session-events.ts";
export { eegDataMessages } from "./protocol/encoders/eeg-data.ts";
export { eegBatchJson } from "./protocol/encoders/eeg-batch-json.ts";
export { eegBatchFrame } from "./protocol/encoders/binary-frame.ts";
export { readEegBatchFrame } from "./protocol/encoders/binary-frame-reader.ts";
export { VERSION } from "./protocol/version.ts";
export { createSimSource } from "./sources/sim.ts";
export type { SimOptions } from "./sources/sim.ts";
export { createReplaySource } from "./sources/replay.ts";
export { withCapture } from "./sources/capture.ts";

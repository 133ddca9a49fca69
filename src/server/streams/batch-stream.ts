/**
 * @module A socket's `eeg_batch` subscription as a hub `batches` subscriber: the JSON or binary
 * encoding (its key decides which sockets share a pipeline and a message), and for `since_seq` a
 * resume paced by the socket's room and the client's replay allowance. The pipelines, sharing,
 * notch and replay live in src/hub.
 */
import type { Clock } from "../../core/clock.ts";
import type { ReplayAllowance } from "../../core/paced-replay.ts";
import type { SampleBatch } from "../../core/samples.ts";
import type { DeviceHub } from "../../hub/device-hub.ts";
import { receiverAllowance } from "../../hub/resume.ts";
import { SHED } from "../../hub/subscribers.ts";
import type { Encoding, Subscription } from "../../hub/subscribers.ts";
import { eegBatchFrame } from "../../protocol/encoders/binary-frame.ts";
import { eegBatchJson } from "../../protocol/encoders/eeg-batch-json.ts";
import { freshId } from "../../protocol/envelope.ts";
import type { BatchOptions } from "../../protocol/subscriptions.ts";
import type { Client, ClientRegistry } from "../client-registry.ts";
import type { OutMessage } from "../../ports/client-socket.ts";

/** A client's `eeg_batch` subscription; `close()` ends it. */
export interface BatchHandle {
  /** The effective options (with `resumed_from` when part of the requested span was gone). */
  readonly options: BatchOptions & { resumed_from?: number };
  close(): void;
}

/**
 * The encoding of `options`: equal keys give identical messages. JSON batches name the device on
 * per-device sockets (`deviceId`); binary frames never do, so those are shared by both kinds of socket.
 */
export function batchEncoding(
  options: BatchOptions,
  deviceId: string | null,
): Encoding<SampleBatch, OutMessage> {
  const channels = options.channels;
  const binary = options.format === "binary";
  const key = JSON.stringify([options.format, channels, options.ref_drl, binary ? null : deviceId]);
  if (binary) {
    return { key, encode: (batch) => eegBatchFrame(batch, { channels, refDrl: options.ref_drl }) };
  }
  if (deviceId !== null) {
    return { key, encode: (batch) => eegBatchJson(batch, { id: freshId(), channels, deviceId }) };
  }
  return { key, encode: (batch) => eegBatchJson(batch, { id: freshId(), channels }) };
}

/** The allowance of each client, shared by all its replays (on every device) and kept across re-subscribes. */
const clientAllowances = new WeakMap<Client, ReplayAllowance>();

function allowanceOf(client: Client, clock: Clock): ReplayAllowance {
  let mine = clientAllowances.get(client);
  if (mine === undefined) clientAllowances.set(client, mine = receiverAllowance(clock));
  return mine;
}

/** Bytes on the wire, near enough (JSON batches are ASCII). */
const sizeOf = (m: OutMessage): number => (typeof m === "string" ? m.length : m.byteLength);

/** Starts a client's `eeg_batch`; call after the ack is queued, so replayed batches follow it. */
export function subscribeBatches(
  device: DeviceHub,
  clients: ClientRegistry,
  clock: Clock,
  client: Client,
  options: BatchOptions,
): BatchHandle {
  const since = options.since_seq;
  const sub = device.batches<OutMessage>({
    name: `socket ${client.remote}`,
    delivery: SHED,
    spec: {
      numSamples: options.num_samples,
      intervalMs: options.interval_ms,
      decimate: options.decimate,
    },
    encoding: batchEncoding(options, options.format === "binary" ? null : client.deviceId),
    onBatch: (message) => clients.sendDataTo([client], [message]),
    ...(since === undefined ? {} : {
      resume: {
        sinceSeq: since,
        // a resume is paced by the socket's room, so it is never shed
        canSend: () => client.outbox.hasRoom,
        allowance: allowanceOf(client, clock),
        sizeOf,
      },
    }),
  });
  const effective = sub.resumedFrom === undefined
    ? options
    : { ...options, resumed_from: sub.resumedFrom };
  return { options: effective, close: () => sub.close() };
}

/**
 * A subscriber of `eeg_batch` that is no socket (the MQTT publisher, shed): it shares the pipeline
 * and the encoded batches of sockets subscribed with the same options (JSON batches name no
 * device, as on `/`).
 */
export function tapBatches(
  device: DeviceHub,
  name: string,
  options: BatchOptions,
  onBatch: (message: OutMessage, batch: SampleBatch) => void,
): Subscription {
  return device.batches({
    name,
    delivery: SHED,
    spec: {
      numSamples: options.num_samples,
      intervalMs: options.interval_ms,
      decimate: options.decimate,
    },
    encoding: batchEncoding(options, null),
    onBatch,
  });
}

/** @module What one socket of a multi-device bridge must show of its own device (docs/protocol/bridge-api.md §6): the message keys with and without device_id, and the check of a named or unnamed socket. */
import type { Msg, WsClient } from "../ws-client.ts";
import { isStatus } from "./helpers.ts";
import type { Problems } from "./recording-helpers.ts";
import { batchSamplesBySeq, isBatch, isEvent } from "./stream-helpers.ts";
import type { BatchSample } from "./stream-helpers.ts";
import { holesOf, keysOf, SIM_IDS, sortedSeqs } from "./devices-helpers.ts";

export const WELCOME_KEYS = ["battery_level", "message", "state", "timestamp"];
export const STATUS_REPLY_KEYS = [
  "auto_reconnect",
  "battery_level",
  "device_state",
  "has_control",
  "log_level",
  "shed_messages",
  "subscriptions",
  "total_clients",
];
export const EEG_DATA_KEYS = [
  "channels",
  "counter",
  "drl",
  "event_id",
  "feature_status",
  "lead_off",
  "ref",
  "seq",
  "timestamp",
];
const BATCH_KEYS = [
  "channels",
  "count",
  "counters",
  "decimate",
  "drl",
  "first_seq",
  "lead_off",
  "ref",
  "sample_rate",
  "timestamps",
];
export const withDeviceId = (keys: string[]) => [...keys, "device_id"].sort();

const isType = (type: string) => (m: Msg) => m.type === type;
/** Status broadcasts (the welcome included): they carry `state`; the reply to `status` carries `device_state`. */
export const isStatusBroadcast = (m: Msg) => m.type === "status" && "state" in m.data;

/** Subscribes `c` to JSON batches of 50, events and diagnostics every 200 ms, without eeg_data. */
export async function subscribeAll(c: WsClient): Promise<void> {
  await c.request("unsubscribe", { stream: "eeg" });
  await c.request("subscribe", { stream: "eeg_batch", num_samples: 50 });
  await c.request("subscribe", { stream: "events" });
  await c.request("subscribe", { stream: "diagnostics", interval_ms: 200 });
}

/** What one socket of device `id` (null: `/ws`, the default device without names) must show of its own device. */
export function checkNamedSocket(
  p: Problems,
  where: string,
  msgs: Msg[],
  id: string | null,
  reply: Msg,
): Map<number, BatchSample> {
  const named = (m: Msg) => (id === null ? !("device_id" in m.data) : m.data["device_id"] === id);
  const others = SIM_IDS.filter((o) => o !== id).map((o) => `"device_id":"${o}"`);
  const leaked = msgs.filter((
    m,
  ) => (id === null ? m.raw.includes(`"device_id"`) : others.some((o) => m.raw.includes(o))));
  p.check(
    leaked.length === 0,
    `${where}: messages naming another device (or any, on /ws)`,
    () => leaked.slice(0, 2).map((m) => m.raw.slice(0, 160)).join(" | "),
  );
  const statuses = msgs.filter(isStatusBroadcast);
  p.equal(
    statuses.filter((m) => !named(m)).length,
    0,
    `${where}: status broadcasts without the right device_id`,
  );
  p.equal(
    statuses.map((m) => keysOf(m.data)).filter((k) =>
      JSON.stringify(k) !== JSON.stringify(id === null ? WELCOME_KEYS : withDeviceId(WELCOME_KEYS))
    ),
    [],
    `${where}: status broadcast keys`,
  );
  p.equal(
    statuses.filter(isStatus("connected")).length,
    1,
    `${where}: connected statuses (its own device's one only)`,
  );
  p.check(
    named(reply) && reply.data["device_state"] === "connected",
    `${where}: status reply device_id/device_state`,
    reply.raw.slice(0, 300),
  );
  p.equal(
    keysOf(reply.data),
    id === null ? STATUS_REPLY_KEYS : withDeviceId(STATUS_REPLY_KEYS),
    `${where}: status reply keys`,
  );
  const batches = msgs.filter(isBatch);
  p.equal(
    batches.filter((m) => !named(m)).length,
    0,
    `${where}: eeg_batch without the right device_id`,
  );
  p.equal([...new Set(batches.map((m) => JSON.stringify(keysOf(m.data))))], [
    JSON.stringify(id === null ? BATCH_KEYS : withDeviceId(BATCH_KEYS)),
  ], `${where}: eeg_batch keys`);
  const samples = batchSamplesBySeq(msgs);
  const seqs = sortedSeqs(samples);
  p.check(seqs.length >= 700, `${where}: too few batched samples in ~2 s`, String(seqs.length));
  p.equal(seqs[0], 0, `${where}: first seq (seq starts at 0 for each device)`);
  p.equal(holesOf(seqs), [], `${where}: seq holes without any loss`);
  const events = msgs.filter(isType("event"));
  p.equal(
    events.filter((m) => !named(m)).length,
    0,
    `${where}: events without the right device_id`,
  );
  const changes = events.filter(isEvent("state_change")).map((m) =>
    `${m.data["from_state"]}>${m.data["to_state"]}`
  );
  p.equal(changes, ["idle>connecting", "connecting>connected"], `${where}: state_change events`);
  const diagnostics = msgs.filter(isType("diagnostics"));
  p.check(
    diagnostics.length >= 6,
    `${where}: too few diagnostics at 200 ms`,
    String(diagnostics.length),
  );
  p.equal(
    diagnostics.filter((m) => !named(m)).length,
    0,
    `${where}: diagnostics without the right device_id`,
  );
  p.equal(
    diagnostics.at(-1)?.data["device_state"],
    "connected",
    `${where}: last diagnostics device_state`,
  );
  return samples;
}

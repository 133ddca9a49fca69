/** @module Conformance scenario for the streams of several devices (docs/protocol/bridge-api.md §6): each socket gets its own device's data, named; `/` stays the base protocol. */
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, isEeg, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { Problems } from "./recording-helpers.ts";
import { eegBySeq, framesOf } from "./stream-helpers.ts";
import type { BatchSample } from "./stream-helpers.ts";
import { channelText, devicePath, keysOf, SIM_IDS } from "./devices-helpers.ts";
import {
  checkNamedSocket,
  EEG_DATA_KEYS,
  isStatusBroadcast,
  STATUS_REPLY_KEYS,
  subscribeAll,
  WELCOME_KEYS,
  withDeviceId,
} from "./devices-socket-checks.ts";

/**
 * `--sim-devices 3`: sockets on `/devices/<id>/ws` get only their device's data, named; `/ws` the
 * default device's, unnamed; `/` exactly the base protocol with sim-1's values sample for sample;
 * the devices' values differ (own seeds); binary frames of a per-device socket are plain §3 frames.
 */
export async function perDeviceStreams(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-devices", "3", "--max-clients", "3"], async (_srv, open) => {
    const p = new Problems(`three devices' sockets (${runtime})`);
    const base = await openWelcomed(open, "/");
    const unnamed = await openWelcomed(open, "/ws");
    const sockets = new Map<string, { c: WsClient; welcome: Msg }>();
    for (const id of SIM_IDS) sockets.set(id, await openWelcomed(open, devicePath(id)));
    const binary = (await openWelcomed(open, devicePath("sim-2"))).c;
    for (const c of [unnamed.c, ...[...sockets.values()].map((s) => s.c)]) await subscribeAll(c);
    await binary.request("unsubscribe", { stream: "eeg" });
    await binary.request("subscribe", {
      stream: "eeg_batch",
      format: "binary",
      num_samples: 50,
      ref_drl: true,
    });

    const ack = await base.c.request("connect", {});
    p.check(ack.type === "command_ack" && !("device_id" in ack.data), "/: connect ack", ack.raw);
    for (const id of ["sim-2", "sim-3"]) await sockets.get(id)!.c.request("connect", {});
    for (const id of SIM_IDS) {
      await sockets.get(id)!.c.next(isStatus("connected"), 5000, `${id} connected`);
    }
    await delay(2000); // not a readiness wait: 2 s of every stream on every socket, checked below
    const replies = new Map<string, Msg>();
    for (const id of SIM_IDS) replies.set(id, await sockets.get(id)!.c.request("status"));
    const baseReply = await base.c.request("status");
    const unnamedReply = await unnamed.c.request("status");

    const samples = new Map<string, Map<number, BatchSample>>();
    for (const id of SIM_IDS) {
      const { c, welcome } = sockets.get(id)!;
      p.equal(
        [welcome.data["device_id"], keysOf(welcome.data)],
        [id, withDeviceId(WELCOME_KEYS)],
        `${id}: welcome device_id and keys`,
      );
      samples.set(
        id,
        checkNamedSocket(p, devicePath(id), c.messages.slice(), id, replies.get(id)!),
      );
    }
    p.equal(keysOf(unnamed.welcome.data), WELCOME_KEYS, "/ws: welcome keys");
    const defaultSamples = checkNamedSocket(
      p,
      "/ws",
      unnamed.c.messages.slice(),
      null,
      unnamedReply,
    );

    // `/`: the base protocol only, and sim-1's data
    const baseMsgs = base.c.messages.slice();
    p.equal(keysOf(base.welcome.data), WELCOME_KEYS, "/: welcome keys");
    p.equal(keysOf(baseReply.data), STATUS_REPLY_KEYS, "/: status reply keys");
    p.equal(
      [...new Set(baseMsgs.map((m) => m.type))].sort(),
      ["command_ack", "eeg_data", "status"],
      "/: message types",
    );
    p.equal(
      baseMsgs.filter(isStatusBroadcast).filter((m) =>
        JSON.stringify(keysOf(m.data)) !== JSON.stringify(WELCOME_KEYS)
      ).length,
      0,
      "/: status keys",
    );
    p.equal(
      baseMsgs.filter(isStatus("connected")).length,
      1,
      "/: connected statuses (sim-1's only)",
    );
    const eeg = eegBySeq(baseMsgs);
    p.equal(
      baseMsgs.filter(isEeg).filter((m) =>
        JSON.stringify(keysOf(m.data)) !== JSON.stringify(EEG_DATA_KEYS)
      ).length,
      0,
      "/: eeg_data keys",
    );
    const sim1 = samples.get("sim-1")!;
    let compared = 0;
    for (const [seq, e] of eeg) {
      const s = sim1.get(seq);
      if (s === undefined) continue;
      compared++;
      p.equal([e["counter"], e["ref"], e["drl"], channelText(e)], [
        s.counter,
        s.ref,
        s.drl,
        channelText(s),
      ], "/: eeg_data differs from sim-1's batch for the same seq");
    }
    p.check(compared >= 700, "/: too few eeg_data compared with sim-1", String(compared));
    let sameAsSim1 = 0;
    for (const [seq, s] of defaultSamples) {
      if (sim1.get(seq) !== undefined && channelText(sim1.get(seq)!) === channelText(s)) {
        sameAsSim1++;
      }
    }
    p.check(
      sameAsSim1 >= 700 &&
        sameAsSim1 === [...defaultSamples.keys()].filter((q) => sim1.has(q)).length,
      "/ws: batches not sim-1's values",
      String(sameAsSim1),
    );

    // different seeds: no sample of one device equals another's at the same seq
    for (const [a, b] of [["sim-1", "sim-2"], ["sim-1", "sim-3"], ["sim-2", "sim-3"]] as const) {
      const sa = samples.get(a)!;
      const sb = samples.get(b)!;
      const common = [...sa.keys()].filter((q) => sb.has(q));
      p.check(common.length >= 500, `${a}/${b}: too few common seqs`, String(common.length));
      p.equal(
        common.filter((q) => channelText(sa.get(q)!) === channelText(sb.get(q)!)).length,
        0,
        `${a}/${b}: identical samples at the same seq`,
      );
    }

    // binary frames on a per-device socket: §3 frames of that device's values
    const frames = framesOf(binary.messages);
    const sim2 = samples.get("sim-2")!;
    let framed = 0;
    for (const f of frames) {
      for (let i = 0; i < f.count; i++) {
        const s = sim2.get(f.firstSeq + i);
        if (s === undefined) continue;
        framed++;
        p.equal(
          f.channels.map((ch) => f.planes.get(ch)![i]),
          f.channels.map((ch) => Math.fround(s.channels[`ch${ch}`]!)),
          "sim-2 binary: values differ from its JSON batch",
        );
      }
    }
    p.check(
      framed >= 500 &&
        frames.every((f) => f.channelCount === 12 && f.flags === 1 && f.sampleRate === 500),
      "sim-2 binary: frames",
      `${frames.length} frames, ${framed} samples compared`,
    );
    p.assertNone();
  });
}

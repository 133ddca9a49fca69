/**
 * @module Resume is bit-exact against the live stream (issue 24), with the bridge under the runtime
 * running this file: for every decimate factor in JSON and binary, a first wave of subscriptions
 * starts at seq S (the newest sample, so what it gets is live), and after ~2 s a second wave
 * subscribes with since_seq = S, which the compressed ring replays. Every sample both waves hold
 * must be equal in every field, as received (JSON numbers, binary f32 values). Both start at the
 * same seq so their decimation filters see the same history. The live `eeg_data` stream is compared
 * with the replayed full-rate JSON batches as well.
 */
import { describe, expect, test } from "bun:test";
import { readEegBatchFrame } from "../../src/protocol/encoders/binary-frame-reader.ts";
import { currentRuntime, until, withBridge } from "../_support/client/live-server.ts";
import { connectWs } from "../_support/ws-client.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";

const runtime = currentRuntime();
const DECIMATES = [1, 2, 4, 5, 10, 20, 25, 50] as const;
const FORMATS = ["json", "binary"] as const;
/** Live samples the first wave collects before the second subscribes: 2 s at 500 Hz. */
const LIVE_SAMPLES = 1000;

/** seq → the sample's fields, as text (so −0, NaN and every digit count). */
type Samples = Map<number, string>;

const show = (v: unknown) => Object.is(v, -0) ? "-0" : String(v);

/** The samples of one JSON eeg_batch. */
function jsonSamples(data: Record<string, unknown>, into: Samples): void {
  const d = data as {
    first_seq: number;
    count: number;
    decimate: number;
    timestamps: number[];
    counters: number[];
    ref: number[];
    drl: number[];
    channels: Record<string, number[]>;
  };
  const names = Object.keys(d.channels);
  for (let i = 0; i < d.count; i++) {
    const fields = [d.timestamps[i], d.counters[i], d.ref[i], d.drl[i]];
    for (const name of names) fields.push(d.channels[name]![i]);
    into.set(d.first_seq + i * d.decimate, fields.map(show).join(" "));
  }
}

/** The samples of one binary frame (REF/DRL planes included; times are per frame, so not here). */
function binarySamples(bytes: Uint8Array, into: Samples): void {
  const f = readEegBatchFrame(bytes);
  const decimate = Math.round(500 / f.sampleRate);
  for (let i = 0; i < f.count; i++) {
    const fields = [f.ref![i], f.drl![i], f.leadOff[i]];
    for (const c of f.channels) fields.push(f.data.get(c)![i]);
    into.set(f.firstSeq + i * decimate, fields.map(show).join(" "));
  }
}

/** One subscription's client and what it received. */
interface Wave {
  readonly ws: WsClient;
  readonly samples: Samples;
}

async function subscribe(
  url: string,
  format: string,
  decimate: number,
  sinceSeq: number,
): Promise<Wave> {
  const ws = await connectWs(url);
  await ws.request("unsubscribe", { stream: "eeg" });
  const ack = await ws.request("subscribe", {
    stream: "eeg_batch",
    format,
    decimate,
    ref_drl: true,
    since_seq: sinceSeq,
  });
  expect(ack.type).toBe("command_ack");
  return { ws, samples: new Map() };
}

/** Re-reads a wave's messages into its samples (each message once: the list only grows). */
function collect(w: Wave, seen: Map<Wave, number>): void {
  const from = seen.get(w) ?? 0;
  for (const m of w.ws.messages.slice(from)) {
    if (m.type === "eeg_batch") jsonSamples(m.data, w.samples);
    else if (m.bytes !== undefined) binarySamples(m.bytes, w.samples);
  }
  seen.set(w, w.ws.messages.length);
}

const lastSeq = (s: Samples) => Math.max(-1, ...s.keys());

describe(`resume from the compressed ring (${runtime})`, () => {
  test(
    "replays every sample exactly as it went out live, for every decimate and format",
    async () => {
      await withBridge(["--autoconnect", "--max-clients", "40"], async (srv) => {
        const url = `${srv.ws}/`;
        const live = await connectWs(url); // eeg_data, the base stream, from the start
        const clients: WsClient[] = [live];
        try {
          // deadlines: the simulator needs < 1 s to stream; 10 s leaves room for a loaded machine
          const isData = (m: Msg) => m.type === "eeg_data";
          await live.next(isData, 10_000, "the first eeg_data");
          const start = Math.max(
            ...live.messages.filter(isData).map((m) => m.data["seq"] as number),
          );
          const first: Wave[] = [];
          for (const format of FORMATS) {
            for (const d of DECIMATES) first.push(await subscribe(url, format, d, start));
          }
          clients.push(...first.map((w) => w.ws));
          const seen = new Map<Wave, number>();
          // 2 s of signal at 500 Hz; 15 s for a loaded machine
          await until(
            () => {
              first.forEach((w) => collect(w, seen));
              return first.every((w) => lastSeq(w.samples) >= start + LIVE_SAMPLES);
            },
            15_000,
            "2 s of live samples in every first-wave subscription",
          );
          const second: Wave[] = [];
          for (const format of FORMATS) {
            for (const d of DECIMATES) second.push(await subscribe(url, format, d, start));
          }
          clients.push(...second.map((w) => w.ws));
          first.forEach((w) => collect(w, seen));
          const goal = first.map((w) => lastSeq(w.samples));
          // the replay of ~2 s goes out within a few hundred ms; 15 s for a loaded machine
          await until(
            () => {
              second.forEach((w) => collect(w, seen));
              return second.every((w, i) => lastSeq(w.samples) >= goal[i]!);
            },
            15_000,
            "the second wave to reach the first wave's last sample",
          );

          const problems: string[] = [];
          first.forEach((a, i) => {
            const b = second[i]!;
            const what = `${FORMATS[Math.floor(i / DECIMATES.length)]} decimate ${
              DECIMATES[i % DECIMATES.length]
            }`;
            let compared = 0;
            for (const [seq, fields] of a.samples) {
              if (seq > goal[i]!) continue;
              compared++;
              const other = b.samples.get(seq);
              if (other !== fields && problems.length < 10) {
                problems.push(`${what} seq ${seq}: live ${fields}, replayed ${other}`);
              }
            }
            // at least the 2 s the first wave waited for, at its rate
            const expected = Math.floor(LIVE_SAMPLES / DECIMATES[i % DECIMATES.length]!);
            if (compared < expected) problems.push(`${what}: only ${compared} samples compared`);
          });
          // the live full-rate stream against the replayed full-rate JSON batches
          const replayed = second[0]!.samples;
          let compared = 0;
          for (const m of live.messages.filter(isData)) {
            const d = m.data as { seq: number; counter: number; ref: number; drl: number };
            const batch = replayed.get(d.seq);
            if (batch === undefined) continue;
            compared++;
            const channels = Object.values(m.data["channels"] as Record<string, number>);
            const fields = [d.counter, d.ref, d.drl, ...channels].map(show).join(" ");
            // the batch's fields after its timestamp
            const tail = batch.slice(batch.indexOf(" ") + 1);
            if (tail !== fields && problems.length < 10) {
              problems.push(`eeg_data seq ${d.seq}: live ${fields}, replayed ${tail}`);
            }
          }
          if (compared < LIVE_SAMPLES) problems.push(`eeg_data: only ${compared} samples compared`);
          expect(problems).toEqual([]);
        } finally {
          for (const ws of clients) ws.close();
        }
      });
    },
    60_000,
  );
});

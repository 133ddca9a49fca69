/**
 * @module One run of the identity check against a running server: real WebSocket clients take the
 * base stream, live and resumed `eeg_batch` streams and the events while the server replays the
 * capture and records it in every format; everything is reduced as it arrives.
 */
import { BenchClient } from "./bench-client.ts";
import { canonical, member, parseRaw } from "./identity-json.ts";
import {
  reduceEegData,
  reduceEvent,
  reduceFrame,
  reduceJsonBatch,
  StreamLog,
} from "./identity-reduce.ts";

/** The recording's session name (its files are `identity.bdf`, …). */
export const SESSION = "identity";
/**
 * The batches' age limit: far above the 10-ms delivery ticks, so a batch ends by its count or a
 * gap, never by host timing, except the stream's last, partial one.
 */
const INTERVAL_MS = 1000;
/** Quiet this long after the end: the last partial batch is due INTERVAL_MS after its first. */
const QUIET_MS = INTERVAL_MS + 500;

interface Spec {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

const binary = (decimate: number): Spec => ({
  name: `eeg_batch binary d${decimate}`,
  options: { format: "binary", decimate, num_samples: 50, ref_drl: true },
});
const json = (decimate: number): Spec => ({
  name: `eeg_batch json d${decimate}`,
  options: { format: "json", decimate, num_samples: 25 },
});

/** Live from before `connect`; one client each (a client holds one eeg_batch subscription). */
const LIVE: readonly Spec[] = [json(1), json(5), binary(1), binary(4), binary(10)];
/** Resumed with since_seq = the first seq once the replay is over, until caught up. */
const RESUMED: readonly Spec[] = [binary(1), binary(10), json(5), json(1)];

interface Tap {
  client: BenchClient;
  log: StreamLog;
  lastAt: number;
}

const typeOf = (text: string): string | undefined => /"type":"([a-z_]+)"/.exec(text)?.[1];

async function ask(c: BenchClient, id: string, type: string, data: unknown = {}): Promise<unknown> {
  const reply = JSON.parse(await c.request(id, type, data)) as { type: string; data: unknown };
  if (reply.type === "error") throw new Error(`${type} failed: ${JSON.stringify(reply.data)}`);
  return reply.data;
}

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects everything of one run; `replayMs` is how long the replay should take. */
export async function collectRun(url: string, replayMs: number): Promise<StreamLog[]> {
  const taps: Tap[] = [];
  const problems: string[] = [];
  const guard = (what: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const open = async (log: StreamLog): Promise<Tap> => {
    const tap: Tap = { client: await BenchClient.open(url), log, lastAt: performance.now() };
    taps.push(tap);
    return tap;
  };
  /** A batch client: its subscribe ack (in stream order) and its batches go to its log. */
  const batchClient = async (spec: Spec, name: string, extra = {}): Promise<Tap> => {
    const tap = await open(new StreamLog(name));
    tap.client.onText = (text) => {
      tap.lastAt = performance.now();
      const type = typeOf(text);
      if (type === "eeg_batch") guard(name, () => reduceJsonBatch(text, tap.log));
      if (type === "command_ack" && text.includes('"stream":"eeg_batch"')) {
        tap.log.units.push(`ack ${canonical(parseRaw(text))}`);
      }
    };
    tap.client.onFrame = (frame) => {
      tap.lastAt = performance.now();
      guard(name, () => reduceFrame(frame, tap.log));
    };
    await ask(tap.client, "unsub", "unsubscribe", { stream: "eeg" });
    await ask(tap.client, "sub", "subscribe", {
      stream: "eeg_batch",
      ...spec.options,
      interval_ms: INTERVAL_MS,
      ...extra,
    });
    return tap;
  };

  try {
    // the first client becomes the controller: it connects and records
    const control = await open(new StreamLog("eeg_data"));
    const events = new StreamLog("events", "events");
    let ended = false;
    control.client.onText = (text) => {
      control.lastAt = performance.now();
      const type = typeOf(text);
      if (type === "eeg_data") guard("eeg_data", () => reduceEegData(text, control.log));
      if (type !== "event") return;
      guard("events", () => reduceEvent(text, events));
      if (
        text.includes('"event_type":"state_change"') &&
        /"to_state":"(disconnected|error|idle)"/.test(text)
      ) {
        ended = true;
      }
    };
    await ask(control.client, "events", "subscribe", { stream: "events" });
    const live: Tap[] = [];
    for (const spec of LIVE) live.push(await batchClient(spec, spec.name));
    await ask(control.client, "rec", "start_recording", {
      session_name: SESSION,
      formats: ["bdf", "edf", "csv", "raw"],
    });
    await ask(control.client, "connect", "connect", {});
    await until(
      () => ended,
      replayMs + 30_000,
      "the end of the replay (state_change to disconnected)",
    );
    const quiet = (list: Tap[]) => () =>
      performance.now() - Math.max(...list.map((t) => t.lastAt)) >= QUIET_MS;
    await until(quiet([control, ...live]), 15_000, "the live streams to go quiet");

    const first = control.log.firstSeq;
    if (first === null) throw new Error("no eeg_data arrived: nothing to resume from");
    const resumed: Tap[] = [];
    for (const spec of RESUMED) {
      resumed.push(await batchClient(spec, `resumed ${spec.name}`, { since_seq: first }));
    }
    const liveOf = (t: Tap): Tap => live.find((l) => `resumed ${l.log.name}` === t.log.name)!;
    await until(
      () => resumed.every((t) => t.log.lastSeq !== null && t.log.lastSeq === liveOf(t).log.lastSeq),
      30_000,
      "the resumed streams to reach the live streams' last seq",
    );
    await until(quiet(resumed), 15_000, "the resumed streams to go quiet");

    const stopped = await ask(control.client, "stop", "stop_recording", {});
    if (!JSON.stringify(stopped).includes('"state":"stopped"')) {
      throw new Error(`the recording did not stop cleanly: ${JSON.stringify(stopped)}`);
    }
    // a client that fell behind had messages shed: its stream would differ for no fault of the code
    for (const t of taps) {
      const status = (await ask(t.client, "status", "status")) as { shed_messages?: number };
      if ((status.shed_messages ?? 0) !== 0) {
        throw new Error(
          `${t.log.name}: ${status.shed_messages} messages were shed; rerun on a quieter machine`,
        );
      }
    }
    const health = parseRaw(await (await fetch(`http://${url}/health`)).text());
    const packets = new StreamLog("health packets", "fields");
    packets.units.push(canonical(member(health, "packets") ?? null, new Set(["rate_hz"])));
    packets.samples = 1;
    if (problems.length > 0) {
      throw new Error(`cannot reduce what arrived:\n  ${problems.join("\n  ")}`);
    }
    return [control.log, ...live.map((t) => t.log), ...resumed.map((t) => t.log), events, packets];
  } finally {
    for (const t of taps) t.client.close();
  }
}

/** For each resumed stream, whether it equals its live stream sample for sample (acks aside). */
export function resumeMatchesLive(logs: readonly StreamLog[]): Array<[string, boolean]> {
  const body = (l: StreamLog): string => l.units.filter((u) => !u.startsWith("ack ")).join("\n");
  return logs.filter((l) => l.name.startsWith("resumed ")).map((r) => {
    const l = logs.find((x) => `resumed ${x.name}` === r.name);
    return [r.name, l !== undefined && body(l) === body(r)];
  });
}

/** @module LSL benchmark, measure 3: the marker inlet's time error, read back through the bridge's own marker outlet. */
// A marker outlet in this process pushes markers stamped with their push time; the bridge reads them
// (`--lsl-markers`), maps them onto its clock with its time correction and re-pushes them on its own
// `<name>_Markers` outlet in LSL time, which a feed reader here reads back: error = received − pushed
// (both processes on CLOCK_MONOTONIC).
import type { LslTime } from "../src/lsl/clock.ts";
import type { LslOutlets } from "../src/lsl/outlet/outlets.ts";
import { CountingConsumer, health, resolveOne, SCOPE } from "./lsl-support.ts";
import { type Runtime, sleep, startServer } from "./server-harness.ts";

export const MARKERS = 50;
const SPACING_MS = 100;
const READY_TIMEOUT_MS = 20_000;

export interface MarkerRun {
  runtime: Runtime;
  sent: number;
  /** Signed errors (received − pushed) of the markers that came back, ms. */
  errorsMs: number[];
  /** The bridge's time correction for our stream (ms), from /health. */
  correctionMs: number | null;
  /** Markers the bridge's inlet counted. */
  inletMarkers: number;
}

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${READY_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

export async function markerRun(
  runtime: Runtime,
  outlets: LslOutlets,
  time: LslTime,
): Promise<MarkerRun> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const source = `BenchMarkers_${suffix}`;
  const bridgeName = `BenchM_${suffix}`;
  const outlet = await outlets.open({
    name: source,
    type: "Markers",
    channelCount: 1,
    channelFormat: "string",
    nominalSrate: 0,
    sourceId: `bench-markers-${suffix}`,
    desc: [],
  });
  const srv = await startServer(runtime, [
    "--autoconnect",
    "--lsl",
    "--lsl-scope",
    SCOPE,
    "--lsl-name",
    bridgeName,
    "--lsl-markers",
    `name='${source}'`,
  ]);
  let reader: CountingConsumer | null = null;
  try {
    const back = new Map<string, number>();
    const info = await resolveOne(`name='${bridgeName}_Markers'`);
    reader = new CountingConsumer(info, (samples) => {
      for (const s of samples) back.set(String(s.values[0]), s.timestamp);
    });
    // ready: our feed is live, the bridge reads our stream with a time estimate, and its device streams
    // (a marker is placed on a streaming device only)
    await until("bridge ready", async () => {
      const h = await health(srv);
      const inlet = h.lsl?.inlets.find((i) => i.name === source);
      const eeg = h.lsl?.outlets.find((x) => x.name === bridgeName);
      return reader!.open && inlet?.connected === true && inlet.time_correction_ms !== null &&
        (eeg?.samples_pushed ?? 0) > 0;
    });
    const pushedAt = new Map<string, number>();
    for (let i = 0; i < MARKERS; i++) {
      const label = `bench-${suffix}-${i}`;
      const t = time.now();
      outlet.pushString(label, t);
      pushedAt.set(label, t);
      await sleep(SPACING_MS);
    }
    // every marker is re-pushed within ms of arriving; a missing one shows as a shortfall, not a hang
    await until("markers back", () => back.size >= MARKERS).catch(() => {});
    const h = await health(srv);
    const inlet = h.lsl?.inlets.find((i) => i.name === source);
    const errorsMs: number[] = [];
    for (const [label, t] of pushedAt) {
      const r = back.get(label);
      if (r !== undefined) errorsMs.push((r - t) * 1000);
    }
    return {
      runtime,
      sent: MARKERS,
      errorsMs,
      correctionMs: inlet?.time_correction_ms ?? null,
      inletMarkers: inlet?.markers ?? 0,
    };
  } finally {
    await reader?.close();
    await srv.stop();
    await outlet.close();
  }
}

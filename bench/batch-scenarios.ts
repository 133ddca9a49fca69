/**
 * @module The binary `eeg_batch` scenarios of the server benchmark (issue 8 §4): bytes per sample on the wire
 * (eeg_data vs binary frames, as received), server CPU at 500 Hz with one binary client, and 100 binary clients
 * with a per-client check that every seq arrived exactly once.
 */
import { cpuSeconds, memoryMb, type Runtime, sleep } from "./server-harness.ts";
import type { BenchClient } from "./bench-client.ts";
import { health, Settings, startStreaming, withServer } from "./server-scenarios.ts";

/** Samples per binary frame in every scenario here (docs/protocol/bridge-api.md §3's "N ≥ 50"). */
export const BATCH_N = 50;
/** eeg_data messages averaged for the wire size. */
const WIRE_MESSAGES = 3000;
const WIRE_TIMEOUT_MS = 20_000;

/**
 * Seq bookkeeping of one client's binary frames. It reads only the header fields it needs (N at offset 8,
 * first_seq at 16) so that 100 clients in one process stay cheap; decimate is 1, so seqs are consecutive.
 */
export class FrameLedger {
  frames = 0;
  samples = 0;
  bytes = 0;
  /** Frames of exactly BATCH_N samples and their bytes: the wire-size figure uses only these. */
  fullFrames = 0;
  fullBytes = 0;
  /** Seqs skipped between one frame's end and the next frame's first_seq. */
  missing = 0;
  /** Seqs that arrived again (a frame starting before the previous one ended). */
  duplicated = 0;
  /** C and flags of the first frame, for the report. */
  first: { channels: number; flags: number } | null = null;
  #next = -1;

  readonly add = (frame: ArrayBuffer): void => {
    const v = new DataView(frame);
    const n = v.getUint32(8, true);
    const seq = v.getFloat64(16, true);
    if (this.first === null) this.first = { channels: v.getUint8(6), flags: v.getUint8(7) };
    if (this.#next >= 0) {
      if (seq > this.#next) this.missing += seq - this.#next;
      else if (seq < this.#next) this.duplicated += Math.min(n, this.#next - seq);
    }
    this.#next = Math.max(this.#next, seq + n);
    this.frames++;
    this.samples += n;
    this.bytes += frame.byteLength;
    if (n === BATCH_N) {
      this.fullFrames++;
      this.fullBytes += frame.byteLength;
    }
  };
}

/** Sends a request and fails unless the server acknowledges it. */
async function acked(c: BenchClient, id: string, type: string, data: unknown): Promise<void> {
  const reply = await c.request(id, type, data);
  if (!reply.includes('"type":"command_ack"')) {
    throw new Error(`${type} refused: ${reply.slice(0, 200)}`);
  }
}

/** Subscribes `c` to binary eeg_batch (N = 50, default options); with `onlyBatches` it also stops eeg_data. */
async function subscribeBinary(
  c: BenchClient,
  ledger: FrameLedger,
  onlyBatches: boolean,
): Promise<void> {
  c.onFrame = ledger.add;
  if (onlyBatches) await acked(c, "bench-unsub", "unsubscribe", { stream: "eeg" });
  await acked(c, "bench-sub", "subscribe", {
    stream: "eeg_batch",
    format: "binary",
    num_samples: BATCH_N,
  });
}

export interface WireSize {
  jsonMessages: number;
  /** Mean UTF-8 bytes of one eeg_data message (one sample), and its extremes. */
  jsonMean: number;
  jsonRange: [number, number];
  /** Channels and flags byte of the binary frames received. */
  channels: number;
  flags: number;
  fullFrames: number;
  otherFrames: number;
  /** Bytes of the N = 50 frames received, divided by their samples. */
  binaryPerSample: number;
  /** Bytes of every frame received, divided by every sample (frames cut short by interval_ms included). */
  allFramesPerSample: number;
  ratio: number;
}

/** One 500 Hz client subscribed to both eeg_data and binary eeg_batch: sizes of what it really received. */
export function wireSize(runtime: Runtime): Promise<WireSize> {
  const ledger = new FrameLedger();
  return withServer(runtime, [], 1, async (_server, clients) => {
    const c = clients[0]!;
    await startStreaming(clients, () => c.eeg > 0 && ledger.frames > 0, "eeg_data and eeg_batch");
    const sizes: number[] = [];
    c.eegSizes = sizes;
    const deadline = performance.now() + WIRE_TIMEOUT_MS;
    while (sizes.length < WIRE_MESSAGES && performance.now() < deadline) await sleep(50);
    c.eegSizes = null;
    if (sizes.length === 0 || ledger.fullFrames === 0) {
      throw new Error(
        `wire size: ${sizes.length} eeg_data, ${ledger.fullFrames} frames of N = ${BATCH_N}`,
      );
    }
    const jsonMean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const binaryPerSample = ledger.fullBytes / (ledger.fullFrames * BATCH_N);
    return {
      jsonMessages: sizes.length,
      jsonMean,
      jsonRange: [Math.min(...sizes), Math.max(...sizes)],
      channels: ledger.first?.channels ?? 0,
      flags: ledger.first?.flags ?? 0,
      fullFrames: ledger.fullFrames,
      otherFrames: ledger.frames - ledger.fullFrames,
      binaryPerSample,
      allFramesPerSample: ledger.bytes / ledger.samples,
      ratio: jsonMean / binaryPerSample,
    };
  }, (c) => subscribeBinary(c, ledger, false));
}

export interface BatchFootprint {
  cpuShare: number;
  rssMb: number;
  /** Packets/s the server decoded during the window (/health), to show the device really streamed. */
  packetRate: number;
  /** Samples/s received in frames during the window (0 without a subscription). */
  rate: number;
  framesPerSecond: number;
  /** eeg_data messages received after unsubscribing (expected 0). */
  eegData: number;
  missing: number;
  duplicated: number;
}

/**
 * Server CPU and RSS at 500 Hz (default 10 ms delivery) with one client that stopped eeg_data and takes only
 * binary batches — or, with `subscribe: false`, nothing at all: the floor of the sim → decode → ring pipeline.
 */
export function batchFootprint(runtime: Runtime, subscribe = true): Promise<BatchFootprint> {
  const ledger = new FrameLedger();
  return withServer(
    runtime,
    [],
    1,
    async (server, clients) => {
      await startStreaming(clients, () => !subscribe || ledger.frames > 0, "eeg_batch frame");
      await sleep(1000);
      const packets0 = (await health(server)).packets.valid;
      const cpu0 = await cpuSeconds(server.pid);
      const samples0 = ledger.samples;
      const frames0 = ledger.frames;
      const t0 = performance.now();
      await sleep(Settings.cpuSeconds * 1000);
      const cpu1 = await cpuSeconds(server.pid);
      const wall = (performance.now() - t0) / 1000;
      const mem = await memoryMb(server.pid);
      const packets = (await health(server)).packets.valid - packets0;
      return {
        cpuShare: (cpu1 - cpu0) / wall,
        rssMb: mem.rss,
        packetRate: packets / wall,
        rate: (ledger.samples - samples0) / wall,
        framesPerSecond: (ledger.frames - frames0) / wall,
        eegData: clients[0]!.eeg,
        missing: ledger.missing,
        duplicated: ledger.duplicated,
      };
    },
    (
      c,
    ) => (subscribe
      ? subscribeBinary(c, ledger, true)
      : acked(c, "bench-unsub", "unsubscribe", { stream: "eeg" })),
  );
}

export interface Fanout {
  clients: number;
  cpuShare: number;
  clientCpu: number;
  rssMb: number;
  peakMb: number;
  /** Clients with any missing or duplicated seq, and the totals over all clients. */
  lossyClients: number;
  missing: number;
  duplicated: number;
  /** Samples per client over the whole session, fewest and most. */
  samplesRange: [number, number];
  /** Server-side shed messages during the window (all clients). */
  shed: number;
}

/** `count` binary-only clients at 500 Hz (the first connects the device); seq continuity is checked per client. */
export function fanout(runtime: Runtime, count = 100): Promise<Fanout> {
  const ledgers = Array.from({ length: count }, () => new FrameLedger());
  let opened = 0;
  return withServer(runtime, ["--max-clients", String(count)], count, async (server, clients) => {
    await startStreaming(
      clients,
      () => ledgers.every((l) => l.frames > 0),
      `eeg_batch frame on all ${count} clients`,
    );
    await sleep(1000);
    const shed0 = (await health(server)).shed;
    const cpu0 = await cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(Settings.cpuSeconds * 1000);
    const cpu1 = await cpuSeconds(server.pid);
    const own = process.cpuUsage(own0);
    const wall = (performance.now() - t0) / 1000;
    const mem = await memoryMb(server.pid);
    const shed = (await health(server)).shed - shed0;
    const samples = ledgers.map((l) => l.samples);
    return {
      clients: clients.length,
      cpuShare: (cpu1 - cpu0) / wall,
      clientCpu: (own.user + own.system) / 1e6 / wall,
      rssMb: mem.rss,
      peakMb: mem.peak,
      lossyClients: ledgers.filter((l) => l.missing > 0 || l.duplicated > 0).length,
      missing: ledgers.reduce((a, l) => a + l.missing, 0),
      duplicated: ledgers.reduce((a, l) => a + l.duplicated, 0),
      samplesRange: [Math.min(...samples), Math.max(...samples)],
      shed,
    };
  }, (c) => subscribeBinary(c, ledgers[opened++]!, true));
}

/** @module The clients of the multi-device benchmark: one binary eeg_batch client per device with its seq ledger, the run's shared latency log, and opening them with bounded concurrency. */
import { BATCH_N, FrameLedger } from "./batch-scenarios.ts";
import { BenchClient, wallMs } from "./bench-client.ts";

/** Handshakes in flight at once while the clients open. */
const OPEN_CONCURRENCY = 8;

/** Per-device client state: the seq ledger plus the latency of each frame while recording. */
export class DeviceClient {
  readonly ledger = new FrameLedger();
  constructor(readonly client: BenchClient, readonly latency: LatencyLog, probed: boolean) {
    client.onFrame = (frame) => {
      const received = wallMs();
      this.ledger.add(frame);
      latency.add(frame, received, probed);
    };
  }
}

/**
 * Latencies of all clients of a run (full frames only: a frame cut short by interval_ms also waited for its timer);
 * the server/client clock offset is measured once (one server process, one clock).
 */
export class LatencyLog {
  recording = false;
  offsetMs = 0;
  values: number[] = [];
  frames = 0;
  /** While probing: [newest seq, receive ms, stamp ms (server clock)] of each full frame of the probed client. */
  probe: Array<[number, number, number]> | null = null;
  add(frame: ArrayBuffer, received: number, probed: boolean): void {
    if (!this.recording && this.probe === null) return;
    const v = new DataView(frame);
    const n = v.getUint32(8, true);
    this.frames++;
    if (n !== BATCH_N) return;
    const newest = (v.getFloat64(24, true) + (n - 1) / v.getFloat32(12, true)) * 1000; // §3: sample i at t0 + i / sample_rate
    if (this.recording) this.values.push(received - (newest - this.offsetMs));
    if (probed && this.probe !== null) {
      this.probe.push([v.getFloat64(16, true) + n - 1, received, newest]);
    }
  }
}

/** Sends `type` with `id` and fails unless the bridge answers command_ack. */
export async function acked(
  c: BenchClient,
  id: string,
  type: string,
  data: unknown,
): Promise<void> {
  const reply = await c.request(id, type, data);
  if (!reply.includes('"type":"command_ack"')) {
    throw new Error(`${type} refused: ${reply.slice(0, 200)}`);
  }
}

/** Drops the client's eeg_data and subscribes it to binary eeg_batch frames of BATCH_N samples (and `extra`). */
export async function takeBinaryBatches(
  c: BenchClient,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await acked(c, "unsub", "unsubscribe", { stream: "eeg" });
  await acked(c, "sub", "subscribe", {
    stream: "eeg_batch",
    format: "binary",
    num_samples: BATCH_N,
    ...extra,
  });
}

/** Opens one client per device (`/devices/sim-K/ws`), at most OPEN_CONCURRENCY handshakes at once; each drops eeg_data and takes binary batches. */
export async function openDeviceClients(
  url: string,
  count: number,
  latency: LatencyLog,
  intervalMs: number | null,
): Promise<DeviceClient[]> {
  const extra = intervalMs === null ? {} : { interval_ms: intervalMs };
  const clients: DeviceClient[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const c = new DeviceClient(
        await BenchClient.open(url, `/devices/sim-${i + 1}/ws`),
        latency,
        i === 0,
      );
      clients[i] = c;
      await takeBinaryBatches(c.client, extra);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, worker),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed === undefined) return clients;
  for (const c of clients) c?.client.close();
  throw failed.reason;
}

/** @module The benchmarks' fast WebSocket client: counts eeg_data, measures latency on the server's clock, and opens many at once with bounded concurrency. */
/** Wall-clock milliseconds on the same scale the server stamps (performance.timeOrigin + now). */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/**
 * A WebSocket client that counts eeg_data and can record per-message latency with little work per message;
 * binary frames go to `onFrame` untouched, so what a frame costs the client is up to its user.
 */
export class BenchClient {
  eeg = 0;
  recording = false;
  /** When set, the UTF-8 byte length of each eeg_data message is pushed here (wire-size measurement). */
  eegSizes: number[] | null = null;
  /** Receives every binary message (an ArrayBuffer). */
  onFrame: ((frame: ArrayBuffer) => void) | null = null;
  /** When set, sees every text message first, with its receive time (the usual handling follows). */
  onText: ((text: string, receivedMs: number) => void) | null = null;
  /** Latency samples in ms (filled while `recording`). */
  latencies: number[] = [];
  /** Server clock minus this process's clock, ms (set by `calibrate`). */
  offsetMs = 0;
  private pending = new Map<string, (msg: string) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.onmessage = (e: MessageEvent) => {
      const received = wallMs();
      if (typeof e.data !== "string") {
        this.onFrame?.(e.data as ArrayBuffer);
        return;
      }
      const s = e.data;
      this.onText?.(s, received);
      if (s.indexOf('"type":"eeg_data"') !== -1) {
        this.eeg++;
        if (this.eegSizes !== null) this.eegSizes.push(Buffer.byteLength(s, "utf8"));
        if (this.recording) {
          const at = s.indexOf('"timestamp":') + 12;
          const stamp = Number(s.slice(at, s.indexOf(",", at))) * 1000;
          this.latencies.push(received - (stamp - this.offsetMs));
        }
        return;
      }
      const id = /^\{"id":"([^"]*)"/.exec(s)?.[1];
      const waiter = id === undefined ? undefined : this.pending.get(id);
      if (waiter && id !== undefined) {
        this.pending.delete(id);
        waiter(s);
      }
    };
  }

  /** Opens a client to `ws://url/` (or `ws://url` + `path`, e.g. `/devices/sim-2/ws`) (10 s limit). */
  static open(url: string, path = "/"): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${url}${path}`);
      const timer = setTimeout(
        () => reject(new Error(`WebSocket to ${url} did not open in 10 s`)),
        10_000,
      );
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(new BenchClient(ws));
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`WebSocket to ${url} failed`));
      };
    });
  }

  /** Sends a request and resolves with the first reply echoing its id (5 s limit). */
  request(id: string, type: string, data: unknown = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${type} within 5 s`));
      }, 5_000);
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      this.ws.send(JSON.stringify({ id, type, data }));
    });
  }

  /**
   * NTP-style offset between the server's clock and ours: for each ping, offset = pong.timestamp −
   * (send + receive)/2; the ping with the shortest round trip wins, so the error is ≤ its RTT / 2.
   */
  async calibrate(pings: number): Promise<{ offsetMs: number; rttMs: number }> {
    let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
    for (let i = 0; i < pings; i++) {
      const sent = wallMs();
      const reply = await this.request(`ping-${i}`, "ping");
      const got = wallMs();
      const stamp = (JSON.parse(reply) as { data: { timestamp: number } }).data.timestamp * 1000;
      if (got - sent < best.rttMs) best = { offsetMs: stamp - (sent + got) / 2, rttMs: got - sent };
    }
    this.offsetMs = best.offsetMs;
    return best;
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * Opens `count` clients with at most `concurrency` handshakes in flight, so the server's accept queue is never
 * the bottleneck; `prepare` runs on each client as soon as it is open (e.g. its subscriptions). On any failure the
 * clients already open are closed before the error propagates.
 */
export async function openClients(
  url: string,
  count: number,
  concurrency: number,
  prepare?: (c: BenchClient) => Promise<void>,
): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const c = await BenchClient.open(url);
      clients[i] = c;
      if (prepare) await prepare(c);
    }
  };
  // allSettled, not all: every worker has stopped opening before the survivors are closed
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, count) }, worker),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed === undefined) return clients;
  for (const c of clients) c?.close();
  throw failed.reason;
}

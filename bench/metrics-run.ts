/** @module One set of the metrics benchmark: bridges started side by side (baselines and metrics subscribers), measured over the same sub-windows. */
// A load spike from elsewhere on the machine hits every bridge of a set alike, so the cost per
// sub-window (CPU with subscribers − mean of the two baselines) cancels most of it; |A − B| of the
// baselines shows what is left (the noise floor).
import {
  type CountingClient,
  expectedRate,
  openCountingClients,
  type Subscription,
} from "./metrics-clients.ts";
import {
  cpuOverSubWindows,
  type Runtime,
  type ServerProcess,
  sleep,
  startServer,
} from "./server-harness.ts";

/** How long every subscribed client may take to get its first message (the window must fill first). */
const FIRST_MESSAGE_TIMEOUT_MS = 30_000;

/** One bridge of a set: its devices and what each device's client subscribes (null: an idle client). */
export interface BridgeSpec {
  label: string;
  devices: number;
  sub: Subscription | null;
}

/** What one bridge of a set measured. */
export interface BridgeResult {
  spec: BridgeSpec;
  /** Server CPU (all threads), cores, one value per sub-window. */
  cpu: number[];
  /** Messages/s per device over the whole window: mean, lowest and highest over the clients. */
  rate: number;
  minRate: number;
  maxRate: number;
  /** Seq steps between consecutive messages that were not round(interval_ms / 2), over every client's session. */
  offSteps: number;
  /** What is wrong with the first message, or null. */
  shape: string | null;
  /** /health devices[*].shed summed at the end. */
  shed: number;
}

export interface SetResult {
  runtime: Runtime;
  windowS: number;
  bridges: BridgeResult[];
  /** This process (every client of the set), cores over the window. */
  clientCpu: number;
}

export interface SetOptions {
  warmupS: number;
  windowS: number;
  subWindows: number;
}

interface Live {
  spec: BridgeSpec;
  srv: ServerProcess;
  clients: CountingClient[];
}

async function shedTotal(srv: ServerProcess): Promise<number> {
  const res = await fetch(`http://${srv.url}/health`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { devices: { shed: number }[] };
  return body.devices.reduce((n, d) => n + d.shed, 0);
}

/** A metrics message must carry 12 channels with a quality level and the subscribed window. */
function shapeProblem(spec: BridgeSpec, first: unknown): string | null {
  if (spec.sub?.stream !== "metrics") return null;
  const data = (first as { data?: { window_s?: unknown; channels?: Record<string, unknown> } })
    .data;
  const channels = Object.values(data?.channels ?? {}) as { quality?: unknown }[];
  if (channels.length !== 12) return `${channels.length} channels instead of 12`;
  if (channels.some((c) => typeof c.quality !== "string")) return "a channel without quality";
  if (data?.window_s !== spec.sub.windowS) return `window_s ${String(data?.window_s)}`;
  return null;
}

async function start(runtime: Runtime, spec: BridgeSpec): Promise<Live> {
  const devices = spec.devices > 1 ? ["--sim-devices", String(spec.devices)] : [];
  return { spec, srv: await startServer(runtime, [...devices, "--autoconnect"]), clients: [] };
}

/** Waits until every subscribed client holds a message. */
async function firstMessages(live: Live[]): Promise<void> {
  const deadline = performance.now() + FIRST_MESSAGE_TIMEOUT_MS;
  const silent = (): number =>
    live.reduce(
      (n, l) => n + (l.spec.sub ? l.clients.filter((c) => c.messages === 0).length : 0),
      0,
    );
  while (silent() > 0) {
    if (performance.now() > deadline) {
      throw new Error(`${silent()} clients got no message in ${FIRST_MESSAGE_TIMEOUT_MS / 1000} s`);
    }
    await sleep(20);
  }
}

/** Starts the bridges of `specs`, opens their clients, measures them together and stops them. */
export async function measureSet(
  runtime: Runtime,
  specs: BridgeSpec[],
  o: SetOptions,
): Promise<SetResult> {
  const started = await Promise.allSettled(specs.map((s) => start(runtime, s)));
  const live = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    for (const l of live) {
      l.clients = await openCountingClients(
        l.srv.url,
        l.spec.devices,
        l.spec.devices > 1,
        l.spec.sub,
      );
    }
    await firstMessages(live);
    await sleep(o.warmupS * 1000);

    const counts = (): number[][] => live.map((l) => l.clients.map((c) => c.messages));
    const c0 = counts();
    const own0 = process.cpuUsage();
    const { cpu, windowS } = await cpuOverSubWindows(
      live.map((l) => l.srv.pid),
      o.windowS,
      o.subWindows,
    );
    const c1 = counts();
    const own = process.cpuUsage(own0);
    const sheds = await Promise.all(live.map((l) => shedTotal(l.srv)));
    const bridges = live.map((l, i): BridgeResult => {
      const rates = c1[i]!.map((n, k) => (n - c0[i]![k]!) / windowS);
      return {
        spec: l.spec,
        cpu: cpu[i]!,
        rate: rates.reduce((a, b) => a + b, 0) / rates.length,
        minRate: Math.min(...rates),
        maxRate: Math.max(...rates),
        offSteps: l.clients.reduce((n, c) => n + c.offSteps, 0),
        shape: l.clients.length > 0 ? shapeProblem(l.spec, l.clients[0]!.first) : null,
        shed: sheds[i]!,
      };
    });
    return { runtime, windowS, bridges, clientCpu: (own.user + own.system) / 1e6 / windowS };
  } finally {
    await Promise.all(live.map(async (l) => {
      for (const c of l.clients) c?.client.close();
      await l.srv.stop();
    }));
  }
}

/**
 * What keeps a bridge's stream off its promised pace (empty: on pace). Every client must be within
 * 5 % of the rate: a 15-s window counts 150 or 441 messages, so one message more or less at its
 * edges is under 1 %, while a stream that lags or sheds falls further behind.
 */
export function paceProblems(b: BridgeResult): string[] {
  if (b.spec.sub === null) return [];
  const want = expectedRate(b.spec.sub);
  const far = (r: number): boolean => Math.abs(r - want) > 0.05 * want;
  return [
    ...(far(b.minRate) || far(b.maxRate) ? ["rate"] : []),
    ...(b.offSteps > 0 ? [`${b.offSteps} seq steps off`] : []),
    ...(b.shape !== null ? [b.shape] : []),
    ...(b.shed > 0 ? [`${b.shed} shed`] : []),
  ];
}

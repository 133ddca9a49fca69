/** @module The dashboard page (GET /): one SDK client per chosen device, the stacked plot, markers, recording, log and diagnostics. */
import { BridgeClientError, connect, deviceUrl } from "../client/mod.ts";
import type { BridgeClient } from "../client/mod.ts";
import { asDecimate, CHANNELS, decimationFor, median, StackedPlot } from "./plot.ts";
import { Analysis } from "./analysis.ts";
import { BandTable } from "./band-table.ts";
import { QualityView } from "./quality.ts";
import { BridgeHttp } from "./bridge-http.ts";
import { LoginForm } from "./login-form.ts";
import { LogView } from "./log-view.ts";
import { wireRecordingButtons } from "./recording-buttons.ts";
import {
  $,
  addEvent,
  addLine,
  channelLabels,
  pill,
  renderDiagnostics,
  showAck,
  stateTone,
} from "./panels.ts";

declare const DASHBOARD_VERSION: string;

const params = new URLSearchParams(location.search);
/** `?decimate=N` pins the stream's decimation (the frame-time bench uses 1: 500 Hz). */
const pinnedDecimate = asDecimate(Number(params.get("decimate")));

const plot = new StackedPlot($<HTMLCanvasElement>("plot"));
const analysis = new Analysis(
  plot,
  (id) => $(id),
  () => client !== null && void runEeg(client, generation),
);
const labels = channelLabels(CHANNELS);
const quality = new QualityView((id) => $(id));
const bandTable = new BandTable((id) => $(id));
/** 4 messages/s: the quality view needs no more, and each costs the page a table redraw. */
const METRICS_INTERVAL_MS = 250;
const acks: Array<Record<string, unknown>> = [];
let client: BridgeClient | null = null;
let deviceId: string | null = params.get("device");
let token = params.get("token") ?? localStorage.getItem("mw75.token") ?? "";
/** The user pressed Connect (and not Disconnect since): after the bridge restarts the page connects the headset again. */
let wantConnected = false;
let generation = 0;
const http = new BridgeHttp(() => token, () => deviceId);
const logView = new LogView((id) => $(id));
const login = new LoginForm((id) => $(id), { token: () => token, useToken });

$<HTMLInputElement>("token").value = token;
$("version").textContent = `dashboard ${DASHBOARD_VERSION}`;

function windowSeconds(): number {
  return Number($<HTMLSelectElement>("window").value);
}

/** Switches to `t` ("" = anonymous): kept for the next visit, and the client reconnects with it. */
function useToken(t: string): void {
  token = t;
  $<HTMLInputElement>("token").value = t;
  localStorage.setItem("mw75.token", t);
  start();
}

/** Connect's data: the bridge forwards `log` messages from the log view's level (docs/dashboard.md "Log"). */
function connectHeadset(c: BridgeClient): Promise<Record<string, unknown>> {
  return c.connectHeadset({ auto_reconnect: true, log_level: logView.level }).then((ack) => {
    logView.forwarding(ack.log_level);
    return ack;
  });
}

function errorText(e: unknown): string {
  return e instanceof BridgeClientError ? `${e.code}: ${e.message}` : String(e);
}

/** Subscribes to binary eeg_batch with a decimation that keeps about two samples per pixel column. */
async function runEeg(c: BridgeClient, gen: number): Promise<void> {
  const windowS = windowSeconds();
  const columns = Math.max(200, $("plot").clientWidth * (globalThis.devicePixelRatio || 1));
  const decimate = pinnedDecimate ?? decimationFor(windowS, columns * 2);
  const rate = 500 / decimate;
  plot.reset(windowS, rate);
  analysis.reset();
  $("rate-info").textContent = `${rate} Hz shown (decimate ${decimate})`;
  const sub = c.subscribe("eeg_batch", {
    format: "binary",
    decimate,
    num_samples: Math.max(1, Math.round(rate / 20)),
    interval_ms: 50,
    ref_drl: true,
  });
  try {
    for await (const batch of sub) {
      if (gen !== generation) break;
      plot.push(analysis.filter.apply(batch.channels), batch.count, batch.leadOff);
      quality.refDrl(batch.ref, batch.drl);
    }
  } catch (e) {
    if (gen === generation) showAck(`eeg stream: ${errorText(e)}`, true);
  }
}

/** The server's per-channel metrics (docs/protocol/bridge-api.md §2.6) feed the quality view and the band table. */
async function runMetrics(c: BridgeClient, gen: number): Promise<void> {
  try {
    for await (const m of c.subscribe("metrics", { interval_ms: METRICS_INTERVAL_MS })) {
      if (gen !== generation) break;
      quality.update(m);
      bandTable.update(m);
    }
  } catch (e) {
    if (gen === generation) quality.status(`metrics stream: ${errorText(e)}`, true);
  }
}

async function runEvents(c: BridgeClient, gen: number): Promise<void> {
  try {
    for await (const e of c.subscribe("events")) {
      if (gen !== generation) break;
      addEvent(e);
      if (e.event_type === "recording") void http.refreshRecordings();
      if (e.event_type === "state_change") pill("device-state", e.to_state, stateTone(e.to_state));
    }
  } catch {
    /* the client closed */
  }
}

async function runDiagnostics(c: BridgeClient, gen: number): Promise<void> {
  try {
    for await (const d of c.subscribe("diagnostics", { interval_ms: 500 })) {
      if (gen !== generation) break;
      renderDiagnostics(d);
      plot.markLeadOff(d.lead_off);
      pill("device-state", d.device_state, stateTone(d.device_state));
      if (d.battery_level !== null) pill("battery", `${d.battery_level}%`);
    }
  } catch {
    /* the client closed */
  }
}

/** (Re)starts the client for the chosen device and token. */
function start(): void {
  client?.close();
  const gen = ++generation;
  const url = deviceId === null ? `${location.origin}/` : deviceUrl(location.origin, deviceId);
  const c = connect(url, {
    ...(token === "" ? {} : { token }),
    eeg: false,
    reconnect: { baseMs: 1000, maxMs: 10_000 },
  });
  client = c;
  quality.reset();
  bandTable.reset();
  c.on("open", () => {
    pill("conn", "open", "ok");
    void http.refreshHealth().then(() => {
      login.show(http.passwordLogin);
      return Promise.all([http.refreshDevices(), http.refreshRecordings()]);
    });
    c.status().then((s) => logView.forwarding(s.log_level), () => undefined);
    if (wantConnected) connectHeadset(c).catch(() => undefined);
  });
  c.on("close", (info) => {
    // the headset shown was removed (remove_device): its socket never comes back, show the default
    if (info.code === 1001 && info.reason === "device removed" && deviceId !== null) {
      return void ((deviceId = null), start());
    }
    const retryS = Math.round((info.reconnectInMs ?? 0) / 1000);
    pill(
      "conn",
      `lost (${info.cause}); retry in ${retryS} s`,
      info.reconnectInMs === null ? "bad" : "warn",
    );
  });
  c.on("status", (s) => {
    const state = "state" in s ? s.state : s.device_state;
    pill("device-state", state, stateTone(state));
    if (s.battery_level !== null) pill("battery", `${s.battery_level}%`);
  });
  c.on("heartbeat", (h) => {
    if (h.battery_level !== null) pill("battery", `${h.battery_level}%`);
  });
  c.on("recording", () => void http.refreshRecordings());
  // a headset added or removed (connect_device, remove_device): the picker lists what is there now
  c.on("devices", () => void http.refreshDevices());
  c.on("log", (l) => logView.add(l));
  c.on(
    "settings",
    (s) => s.values.log_level !== undefined && logView.forwarding(s.values.log_level),
  );
  c.on("error", (e) => e.code === "AUTH_FAILED" && login.refused());
  c.on(
    "data_loss",
    (l) =>
      addLine(
        "data_loss",
        `${l.stream}: seq ${l.fromSeq ?? "?"}..${l.toSeq ?? "?"} not recovered (${l.reason})`,
      ),
  );
  void runEeg(c, gen);
  void runEvents(c, gen);
  void runDiagnostics(c, gen);
  void runMetrics(c, gen);
}

async function command(name: string, run: (c: BridgeClient) => Promise<unknown>): Promise<void> {
  if (client === null) return;
  try {
    const ack = (await run(client)) as Record<string, unknown>;
    acks.push(ack);
    showAck(`${name} ack${typeof ack["message"] === "string" ? `: ${ack["message"]}` : ""}`);
  } catch (e) {
    showAck(`${name}: ${errorText(e)}`, true);
  }
}

async function marker(): Promise<void> {
  if (client === null) return;
  const label = $<HTMLInputElement>("marker-label").value.trim() || "marker";
  try {
    const ack = await client.marker(label);
    acks.push(ack);
    showAck(`marker ack: ${ack.marker.id} "${ack.marker.label}" seq ${ack.marker.seq ?? "–"}`);
  } catch (e) {
    showAck(`marker: ${errorText(e)}`, true);
  }
}

// only an accepted connect is remembered: a refused one (PERMISSION_DENIED while anonymous) must not
// connect the headset unasked once the user logs in
$("connect").addEventListener("click", () => {
  void command("connect", async (c) => {
    const ack = await connectHeadset(c);
    wantConnected = true;
    return ack;
  });
});
$("disconnect").addEventListener("click", () => {
  wantConnected = false;
  void command("disconnect", (c) => c.disconnectHeadset());
});
$("marker").addEventListener("click", () => void marker());
wireRecordingButtons(command, () => http.refreshRecordings());
$("window").addEventListener("change", () => client !== null && void runEeg(client, generation));
$("scale").addEventListener("change", () => {
  plot.scaleUv = Number($<HTMLSelectElement>("scale").value);
  plot.draw(true);
});
$("device-picker").addEventListener("change", () => {
  deviceId = $<HTMLSelectElement>("device-picker").value;
  start();
});
$("apply-token").addEventListener(
  "click",
  () => useToken($<HTMLInputElement>("token").value.trim()),
);
document.addEventListener("keydown", (ev) => {
  const target = ev.target as HTMLElement | null;
  if (
    target !== null &&
    (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")
  ) return;
  if (ev.key === "m" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) void marker();
});

function frame(): void {
  plot.draw();
  labels.update((ch) => plot.isLeadOff(ch));
  requestAnimationFrame(frame);
}

plot.scaleUv = Number($<HTMLSelectElement>("scale").value);
start();
requestAnimationFrame(frame);

/** For tests and the frame-time bench: the plot's figures and the acks the page received. */
Object.assign(globalThis, {
  __mw75: {
    acks,
    samples: () => plot.samples,
    frameTimes: () => [...plot.frameTimes],
    medianFrameMs: () => median(plot.frameTimes),
    drawForced: () => plot.draw(true),
    client: () => client,
    metrics: () => quality.last,
    metricsReceived: () => quality.received,
    spectrumUpdates: () => analysis.updates,
    spectrumOf: () => analysis.spectrumOf,
    power: (lo: number, hi: number) => analysis.power(lo, hi),
    deviceId: () => deviceId,
    scaleUv: () => plot.scaleUv,
    logShown: () => logView.shown,
  },
});

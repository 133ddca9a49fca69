/** @module The dashboard's side panels as DOM: header pills, the events list, the recordings list and the diagnostics table. */
import type { DiagnosticsData, EventData, RecordingObject } from "../client/mod.ts";

/** The element with `id` (the page template has them all). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`dashboard: #${id} missing from the page`);
  return el as T;
}

/** Sets a header pill's text and tone. */
export function pill(id: string, text: string, tone: "ok" | "warn" | "bad" | "" = ""): void {
  const el = $(id);
  el.textContent = text;
  el.className = tone === "" ? "pill" : `pill ${tone}`;
}

/** The tone of a device or link state. */
export function stateTone(state: string): "ok" | "warn" | "bad" | "" {
  if (state === "connected" || state === "open") return "ok";
  if (state === "error" || state === "closed") return "bad";
  if (
    state === "connecting" || state === "reconnecting" || state === "waiting" ||
    state === "disconnecting"
  ) return "warn";
  return "";
}

const MAX_EVENTS = 200;

function time(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(11, 23);
}

/** One line describing an event. */
export function describeEvent(e: EventData): string {
  switch (e.event_type) {
    case "state_change":
      return `state ${e.from_state} → ${e.to_state}`;
    case "gap":
      return `gap: ${e.missing} missing at seq ${e.seq}`;
    case "lead_off":
      return `lead-off: off [${e.channels_off.join(",")}] on [${e.channels_on.join(",")}]`;
    case "battery":
      return `battery ${e.battery_level}%`;
    case "marker":
      return `marker "${e.marker.label}" ${e.marker.id} seq ${e.marker.seq ?? "–"}`;
    case "recording":
      return `recording ${e.recording.session_name}: ${e.recording.state}`;
    case "bluetooth_status":
      return e.present
        ? `Bluetooth adapter ${e.powered ? "on" : "off"}${e.discovering ? ", scanning" : ""}`
        : "Bluetooth adapter absent";
    default:
      return `${(e as { event_type: string }).event_type}`;
  }
}

/** Prepends an event to the list (newest first, at most 200). */
export function addEvent(e: EventData): void {
  const li = addLine(e.event_type, describeEvent(e), e.timestamp);
  if (e.event_type === "marker") li.dataset["markerId"] = e.marker.id;
}

/** Prepends one line of `type` to the events list. */
export function addLine(type: string, text: string, timestamp = Date.now() / 1000): HTMLLIElement {
  const list = $("events");
  const li = document.createElement("li");
  li.dataset["type"] = type;
  li.textContent = `${time(timestamp)} ${text}`;
  list.prepend(li);
  while (list.childElementCount > MAX_EVENTS) list.lastElementChild?.remove();
  return li;
}

/** Shows a command's outcome under the marker button. */
export function showAck(text: string, error = false): void {
  const el = $("ack");
  el.textContent = text;
  el.className = error ? "error" : "";
}

/** Renders the recordings (newest first) with one download link per file. */
export function renderRecordings(
  recordings: RecordingObject[],
  download: (name: string) => void,
): void {
  const list = $("recordings");
  list.replaceChildren();
  for (const r of [...recordings].sort((a, b) => b.started_at - a.started_at)) {
    const li = document.createElement("li");
    li.dataset["session"] = r.session_name;
    li.append(`${r.session_name} (${r.state}, ${r.duration_s.toFixed(1)} s) `);
    for (const f of r.files) {
      const a = document.createElement("a");
      a.href = `/recordings/${encodeURIComponent(f.name)}`;
      a.textContent = f.format;
      a.title = `${f.name}, ${f.bytes} bytes`;
      a.className = "file";
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        download(f.name);
      });
      li.append(a, " ");
    }
    list.append(li);
  }
}

/** Fills the diagnostics table. */
export function renderDiagnostics(d: DiagnosticsData): void {
  const rows: [string, string][] = [
    ["rate", `${d.rate_hz.toFixed(0)} / ${d.expected_rate_hz} Hz`],
    ["packets", `${d.packets.valid}`],
    ["lost", `${d.packets.lost} (${(d.loss_ratio * 100).toFixed(2)} % last 10 s)`],
    ["duplicates", `${d.packets.duplicates}`],
    ["checksum failures", `${d.packets.checksum_failures}`],
    ["jitter", `${d.jitter_ms.toFixed(1)} ms`],
    [
      "latency",
      `decode ${d.latency_ms.decode.toFixed(2)} ms, queue ${d.latency_ms.send_queue.toFixed(0)} ms`,
    ],
    ["shed", `${d.shed}`],
    ["backlog", `${d.buffered_bytes} B`],
    ["clients", `${d.clients}`],
    ["lead-off", d.lead_off.length === 0 ? "none" : d.lead_off.join(", ")],
  ];
  const dl = $("diagnostics");
  dl.replaceChildren();
  for (const [k, v] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dd.dataset["key"] = k;
    dl.append(dt, dd);
  }
}

/** The 12 channel labels beside the plot; `update` marks the ones off. */
export function channelLabels(count: number): { update(isOff: (ch: number) => boolean): void } {
  const wrap = $("labels");
  const els: HTMLDivElement[] = [];
  for (let ch = 1; ch <= count; ch++) {
    const div = document.createElement("div");
    div.textContent = `Ch${ch}`;
    div.dataset["ch"] = String(ch);
    wrap.append(div);
    els.push(div);
  }
  return {
    update(isOff) {
      els.forEach((el, i) => {
        const off = isOff(i + 1);
        if (el.classList.contains("lead-off") !== off) el.classList.toggle("lead-off", off);
      });
    },
  };
}

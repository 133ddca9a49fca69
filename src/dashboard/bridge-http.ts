/** @module The dashboard's HTTP reads with the page's token: /health (banner, version, auth, password login), /devices (the picker), /recordings (list, download). */
import type { DeviceEntry, RecordingObject } from "../client/mod.ts";
import { $, pill, renderRecordings, showAck } from "./panels.ts";

declare const DASHBOARD_VERSION: string;

/** The bridge's HTTP routes as the page uses them; the token and the chosen device are read at each call. */
export class BridgeHttp {
  /** With auth on and no token, /devices and /recordings would answer 401: the page does not ask. */
  #authRequired = false;
  /** The bridge has users: the page shows its login form (docs/protocol/bridge-api.md §5.2). */
  passwordLogin = false;
  readonly #token: () => string;
  readonly #deviceId: () => string | null;

  constructor(token: () => string, deviceId: () => string | null) {
    this.#token = token;
    this.#deviceId = deviceId;
  }

  #needsToken(): boolean {
    return this.#authRequired && this.#token() === "";
  }

  #headers(): HeadersInit {
    const token = this.#token();
    return token === "" ? {} : { Authorization: `Bearer ${token}` };
  }

  async #getJson<T>(path: string): Promise<T | null> {
    try {
      const res = await fetch(path, { headers: this.#headers() });
      return res.ok ? ((await res.json()) as T) : null;
    } catch {
      return null;
    }
  }

  /** The bridge's /health: the SYNTHETIC banner, the version and whether routes need a token. */
  async refreshHealth(): Promise<void> {
    const h = await this.#getJson<
      { synthetic?: boolean; version?: string; auth_required?: boolean; password_login?: boolean }
    >(
      "/health",
    );
    if (h === null) return;
    this.#authRequired = h.auth_required === true;
    this.passwordLogin = h.password_login === true;
    $("synthetic").classList.toggle("on", h.synthetic === true);
    $("version").textContent = `dashboard ${DASHBOARD_VERSION} · bridge ${h.version ?? "?"}`;
  }

  /** GET /devices: a picker when the bridge has several. */
  async refreshDevices(): Promise<void> {
    const body = this.#needsToken()
      ? null
      : await this.#getJson<{ devices: DeviceEntry[] }>("/devices");
    const devices = body?.devices ?? [];
    $("device-picker-wrap").classList.toggle("hidden", devices.length < 2);
    const select = $<HTMLSelectElement>("device-picker");
    select.replaceChildren(
      ...devices.map((d) => {
        const o = document.createElement("option");
        o.value = d.device_id;
        o.textContent = `${d.name} (${d.device_id}, ${d.state})`;
        return o;
      }),
    );
    const deviceId = this.#deviceId();
    if (deviceId !== null) select.value = deviceId;
  }

  /** GET /recordings into the list, with the recording pill; a hint instead when a token is missing. */
  async refreshRecordings(): Promise<void> {
    const res = this.#needsToken()
      ? null
      : await fetch("/recordings", { headers: this.#headers() }).catch(() => null);
    if (this.#needsToken() || res?.status === 401 || res?.status === 403) {
      // with auth on, listing and downloading recordings need a token (docs/protocol/bridge-api.md §5)
      $("recordings").replaceChildren(
        Object.assign(document.createElement("li"), {
          className: "hint",
          textContent: "Enter a token to list and download recordings.",
        }),
      );
      return;
    }
    const body = res?.ok === true
      ? ((await res.json()) as { recordings: RecordingObject[] })
      : null;
    const recordings = body?.recordings ?? [];
    renderRecordings(recordings, (name) => void this.download(name));
    // a paused recording is still the active one: it holds the recorder until stopped
    const active = recordings.find((r) => r.state === "recording" || r.state === "paused");
    if (active === undefined) pill("rec-state", "stopped");
    else {
      const paused = active.state === "paused";
      pill("rec-state", `${active.state} ${active.session_name}`, paused ? "warn" : "bad");
    }
  }

  /** Downloads a recording file with the token header (a plain link cannot carry it). */
  async download(name: string): Promise<void> {
    const res = await fetch(`/recordings/${encodeURIComponent(name)}`, {
      headers: this.#headers(),
    });
    if (!res.ok) return showAck(`download ${name}: HTTP ${res.status}`, true);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

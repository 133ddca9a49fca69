/**
 * @module What a device's two LSL outlets describe and carry (docs/protocol/bridge-api.md §10): the
 * EEG outlet's channels and metadata, the marker outlet, and sample blocks as float32 chunks
 * stamped in LSL time.
 */
import type { LslTime } from "./clock.ts";
import type { XmlElement } from "./wire/stream-info.ts";
import type { SampleBlock } from "../core/samples.ts";
import { CHANNELS, DEVICE_RATE_HZ } from "../core/samples.ts";
import type { OutletDescription } from "./outlet/outlet.ts";

/** Who a device is, for its outlets' names and metadata. */
export interface DeviceFacts {
  readonly deviceId: string;
  /** The default device (on `/` and `/ws`) gets the plain `--lsl-name`. */
  readonly isDefault: boolean;
  /** The headset's Bluetooth address (a simulated one for sim devices), or null. */
  readonly address: string | null;
  readonly synthetic: boolean;
  readonly bridgeId: string;
  readonly version: string;
}

/** The 14 channels in the reference's order; REF and DRL typed MISC so MNE-LSL keeps them off the scalp. */
export const EEG_LABELS: readonly string[] = [
  "REF",
  "DRL",
  ...Array.from({ length: CHANNELS }, (_, i) => `Ch${i + 1}`),
];
const EEG_CHANNELS = EEG_LABELS.length;

const el = (name: string, text = "", children: XmlElement[] = []): XmlElement => ({
  name,
  text,
  children,
});

/** The EEG outlet's name: `NAME` for the default device, `NAME_<device_id>` for the others. */
export function eegOutletName(baseName: string, d: DeviceFacts): string {
  return d.isDefault ? baseName : `${baseName}_${d.deviceId}`;
}

function bridgeElement(d: DeviceFacts): XmlElement {
  return el("bridge", "", [
    el("device_id", d.deviceId),
    el("bridge_id", d.bridgeId),
    el("version", d.version),
  ]);
}

/** The EEG outlet: 14 × float32 at 500 Hz, source_id `<bridge_id>/<device_id>`. */
export function eegDescription(baseName: string, d: DeviceFacts): OutletDescription {
  const channels = EEG_LABELS.map((label, i) =>
    el("channel", "", [
      el("label", label),
      el("unit", "microvolts"),
      el("type", i < 2 ? "MISC" : "EEG"),
    ])
  );
  return {
    name: eegOutletName(baseName, d),
    type: "EEG",
    channelCount: EEG_CHANNELS,
    channelFormat: "float32",
    nominalSrate: DEVICE_RATE_HZ,
    sourceId: `${d.bridgeId}/${d.deviceId}`,
    desc: [
      el("channels", "", channels),
      el("acquisition", "", [
        el("manufacturer", "Master & Dynamic"),
        el("model", "MW75 Neuro"),
        el("serial_number", d.address ?? d.deviceId),
        el("synthetic", d.synthetic ? "true" : "false"),
      ]),
      bridgeElement(d),
    ],
  };
}

/** The marker outlet: one string channel, irregular, named after the EEG outlet. */
export function markerDescription(baseName: string, d: DeviceFacts): OutletDescription {
  return {
    name: `${eegOutletName(baseName, d)}_Markers`,
    type: "Markers",
    channelCount: 1,
    channelFormat: "string",
    nominalSrate: 0,
    sourceId: `${d.bridgeId}/${d.deviceId}/markers`,
    desc: [
      el("channels", "", [el("channel", "", [el("label", "Marker"), el("type", "Marker")])]),
      bridgeElement(d),
    ],
  };
}

/**
 * A marker outlet of a bridge (this one or another): the marker inlet never reads one, because a
 * bridge re-pushes the markers it reads, so two bridges reading each other would circle them forever.
 */
export function isBridgeMarkerOutlet(
  info: { type: string; name: string; sourceId: string },
): boolean {
  return info.type === "Markers" && info.name.endsWith("_Markers") &&
    info.sourceId.endsWith("/markers");
}

/**
 * Turns sample blocks into the EEG outlet's chunks: values sample-major in channel order REF, DRL,
 * Ch1…Ch12 (exactly `eeg_data`'s numbers as float32; non-finite stays NaN), each sample stamped with
 * its sample-clock time mapped to LSL time. The buffers are reused: a chunk is valid until the next.
 */
export class EegChunker {
  #values = new Float32Array(0);
  #times = new Float64Array(0);
  #time: LslTime;

  constructor(time: LslTime) {
    this.#time = time;
  }

  chunk(block: SampleBlock): { values: Float32Array; timestamps: Float64Array } {
    const n = block.count;
    if (this.#times.length < n) {
      this.#values = new Float32Array(n * EEG_CHANNELS);
      this.#times = new Float64Array(n);
    }
    const v = this.#values;
    for (let i = 0; i < n; i++) {
      const o = i * EEG_CHANNELS;
      v[o] = block.ref[i]!;
      v[o + 1] = block.drl[i]!;
      const from = i * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) v[o + 2 + c] = block.channels[from + c]!;
      // ±Infinity (rare: a decoder flag says which) becomes NaN, as eeg_data shows it as null
      if (block.nonFinite[i] !== 0) {
        for (let c = o; c < o + EEG_CHANNELS; c++) if (!Number.isFinite(v[c]!)) v[c] = NaN;
      }
      this.#times[i] = this.#time.fromUnix(block.time[i]!);
    }
    return { values: v.subarray(0, n * EEG_CHANNELS), timestamps: this.#times.subarray(0, n) };
  }
}

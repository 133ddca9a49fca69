/** @module The description of one LSL stream (its `<info>` document, ../shared LSL.md §3) as a typed value. */

/** The value types LSL streams carry; this bridge sends float32 and string. */
export type ChannelFormat =
  | "float32"
  | "double64"
  | "string"
  | "int32"
  | "int16"
  | "int8"
  | "int64";

export const CHANNEL_FORMATS: readonly ChannelFormat[] = [
  "float32",
  "double64",
  "string",
  "int32",
  "int16",
  "int8",
  "int64",
];

/** Bytes per value on the wire (0 for string, whose values carry their own length). */
export function valueSize(format: ChannelFormat): number {
  switch (format) {
    case "float32":
    case "int32":
      return 4;
    case "double64":
    case "int64":
      return 8;
    case "int16":
      return 2;
    case "int8":
      return 1;
    case "string":
      return 0;
  }
}

/** An element of the `<desc>` tree (or any element): its name, text and child elements. */
export interface XmlElement {
  readonly name: string;
  readonly text: string;
  readonly children: readonly XmlElement[];
}

/** Every field of `<info>`, in the document's order; `desc` holds the children of `<desc>`. */
export interface StreamInfo {
  readonly name: string;
  readonly type: string;
  readonly channelCount: number;
  readonly channelFormat: ChannelFormat;
  readonly sourceId: string;
  /** Hz; 0 = irregular. */
  readonly nominalSrate: number;
  /** 1.1 for protocol 110. */
  readonly version: number;
  /** LSL clock seconds when the outlet was made. */
  readonly createdAt: number;
  /** A random UUID, new for each outlet instance. */
  readonly uid: string;
  readonly sessionId: string;
  readonly hostname: string;
  /** Empty in what an outlet sends; an inlet fills it from the reply's source address. */
  readonly v4address: string;
  readonly v4dataPort: number;
  readonly v4servicePort: number;
  readonly v6address: string;
  readonly v6dataPort: number;
  readonly v6servicePort: number;
  readonly desc: readonly XmlElement[];
}

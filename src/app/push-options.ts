/** @module The push-mode options of `serve` (`--ws-push`, docs/push-mode.md): their rows of the option table and their checks. */
import { pushTarget, pushUrl, PushUrlError } from "../push/target.ts";
import type { PushTarget } from "../push/target.ts";
import { nonEmpty, UsageError } from "./option-values.ts";
import type { ServeOption } from "./options.ts";

/** What the push flags hold; `targets` is filled once the devices are known (`resolvePushTargets`). */
export interface PushFlags {
  /** Each `--ws-push` as given: the device id (null = the default device) and the URL. */
  given: { deviceId: string | null; url: URL }[];
  /** `--ws-push-token`: sent as `Authorization: Bearer` to every target without userinfo. */
  token: string | null;
  targets: PushTarget[];
}

export const PUSH_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--ws-push",
    value: "URL",
    help: "send the default device's eeg_data to a WebSocket server (ws:// or wss://);\n" +
      "ID=URL sends device ID's; repeatable; user:pass@ in the URL goes as Basic auth",
    set: (c, v, name) => void c.wsPush.given.push(pushValue(name, v)),
  },
  {
    flag: "--ws-push-token",
    value: "TOKEN",
    env: "MW75_WS_PUSH_TOKEN",
    help: "sent to every --ws-push server as Authorization: Bearer TOKEN",
    set: (c, v, name) => void (c.wsPush.token = headerValue(name, v)),
  },
];

/** No push target. */
export function unsetPush(): PushFlags {
  return { given: [], token: null, targets: [] };
}

/** `URL` or `ID=URL`; a bad URL is named by what is wrong, never by its credentials. */
function pushValue(name: string, value: string): { deviceId: string | null; url: URL } {
  const scoped = /^([^=/:]+)=(.*)$/s.exec(value);
  const [deviceId, text] = scoped === null ? [null, value] : [scoped[1]!, scoped[2]!];
  try {
    return { deviceId, url: pushUrl(text) };
  } catch (e) {
    if (!(e instanceof PushUrlError)) throw e;
    throw new UsageError(`${name} ${e.message} (written URL or DEVICE_ID=URL)`);
  }
}

/** A header value: printable ASCII only (a line break would forge headers). */
function headerValue(name: string, value: string): string {
  nonEmpty(name, value);
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new UsageError(`${name} must be printable ASCII without spaces`);
  }
  return value;
}

/**
 * Resolves each `--ws-push` to its device (`ids[0]` is the default device) and its headers; refuses
 * unknown devices, a target given twice, and `--ws-push-token` without a target or alongside
 * credentials in a URL (which of the two would the server get?).
 */
export function resolvePushTargets(p: PushFlags, ids: readonly string[]): void {
  if (p.token !== null && p.given.length === 0) {
    throw new UsageError("--ws-push-token only applies with --ws-push URL");
  }
  const seen = new Set<string>();
  p.targets = p.given.map(({ deviceId, url }) => {
    const id = deviceId ?? ids[0]!;
    if (!ids.includes(id)) {
      throw new UsageError(
        `--ws-push names the device ${id}, but the devices are ${ids.join(", ")}`,
      );
    }
    if (p.token !== null && (url.username !== "" || url.password !== "")) {
      throw new UsageError(
        "--ws-push-token and credentials in a --ws-push URL: give the server's credentials one way",
      );
    }
    const target = pushTarget(id, url, p.token);
    const key = `${id} ${target.socketUrl}`;
    if (seen.has(key)) {
      throw new UsageError(`--ws-push gives ${target.shownUrl} twice for the device ${id}`);
    }
    seen.add(key);
    return target;
  });
}

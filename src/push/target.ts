/**
 * @module One `--ws-push` URL taken apart: the URL the socket opens (userinfo removed, so no
 * WebSocket library sees or logs it), the `Authorization` header that carries those credentials
 * instead (Basic from `user:pass@`, or Bearer from `--ws-push-token`), and the URL as `/health`
 * and the logs show it (no userinfo, secret-looking query values masked).
 */
import { shownUrl } from "../core/shown-url.ts";

/** A push target ready to open. */
export interface PushTarget {
  /** The device whose `eeg_data` goes there. */
  readonly deviceId: string;
  /** What the socket opens: the given URL without `user:pass@`. */
  readonly socketUrl: string;
  /** What `/health` and the logs show. */
  readonly shownUrl: string;
  /** The upgrade request's extra headers (the credentials). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Why a value is no push URL, in words that never repeat credentials. */
export class PushUrlError extends Error {
  override name = "PushUrlError";
}

/** Reads a ws:// or wss:// URL; a bad one throws PushUrlError. */
export function pushUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PushUrlError("expects a WebSocket URL like wss://relay.example:443/ingest");
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new PushUrlError(`expects a ws:// or wss:// URL, got "${url.protocol}//"`);
  }
  if (url.hostname === "") throw new PushUrlError("the URL names no host");
  if (url.hash !== "") throw new PushUrlError("a WebSocket URL has no #fragment");
  // `new URL` keeps a stray `%` in userinfo, which decoding for the Basic header would throw on
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new PushUrlError("needs valid percent-encoding in user:pass@ (a % is written %25)");
  }
  return url;
}

/**
 * The target of `deviceId` at `url`. Credentials in the URL become `Authorization: Basic`; `token`
 * (from `--ws-push-token`) becomes `Authorization: Bearer` (a URL with userinfo keeps its own).
 */
export function pushTarget(deviceId: string, url: URL, token: string | null): PushTarget {
  const socket = new URL(url.href);
  socket.username = "";
  socket.password = "";
  const headers: Record<string, string> = {};
  if (url.username !== "" || url.password !== "") {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers["Authorization"] = `Basic ${base64Utf8(pair)}`;
  } else if (token !== null) headers["Authorization"] = `Bearer ${token}`;
  return { deviceId, socketUrl: socket.href, shownUrl: shownUrl(url), headers };
}

/** `btoa` takes Latin-1 only: a non-ASCII user name or password goes as its UTF-8 bytes (RFC 7617). */
function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

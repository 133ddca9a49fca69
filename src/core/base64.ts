/** @module Base64 and base64url of bytes over the web-standard btoa/atob, so server, push and adapter code share one encoder on every runtime. */

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  // chunks keep the spread argument list short for large inputs
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Base64url without padding (RFC 4648 §5): safe in URLs, headers and subprotocol names. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of standard base64 text; throws (atob's DOMException) on characters outside it. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

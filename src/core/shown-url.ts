/**
 * @module A URL as logs, banners and `/health` may show it: without `user:pass@`, and with the value
 * of every query parameter whose name looks like a credential replaced by `***`. Shared by MQTT
 * (the broker URL) and push mode (each target's URL), so both hide the same things.
 */

/** Query parameters whose value is masked: the usual names of credentials. */
const SECRET_PARAM = /token|key|secret|pass|auth|sig|session|credential|jwt|code/i;

/** `url` without userinfo and with secret-looking query values masked (the query's other values kept). */
export function shownUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  for (const name of [...new Set(shown.searchParams.keys())]) {
    if (SECRET_PARAM.test(name)) shown.searchParams.set(name, "***");
  }
  return shown.href;
}

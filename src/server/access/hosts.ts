/**
 * @module Which browser origins may open a WebSocket and which `Host` names HTTP requests may
 * carry (docs/protocol/bridge-api.md §5): the server's own host, the loopback names, local interface addresses
 * when listening on every interface, and `--allow-origin` values. Stops cross-site WebSocket
 * hijacking (a page elsewhere opening our socket) and DNS rebinding (a foreign name that
 * resolves to us).
 */

/** What the policy is built from. */
export interface HostPolicyOptions {
  /** The `--host` the server listens on. */
  listenHost: string;
  /** This machine's interface addresses and name; used only when listening on every interface. */
  localNames: readonly string[];
  /** `--allow-origin` values: full origins (`https://app.example:8443`), bare hosts, or `*`. */
  allowOrigins: readonly string[];
}

/** The decisions the gate asks for. */
export interface HostPolicy {
  /** True when a page from `origin` (the `Origin` header) may open a WebSocket. */
  originAllowed(origin: string): boolean;
  /** True when an HTTP request's `Host` header names this server (absent: a non-browser client). */
  hostAllowed(host: string | undefined): boolean;
}

const LOOPBACK = ["localhost", "127.0.0.1", "::1"];
const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

/** Lower case, no IPv6 brackets. */
function normalise(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, "");
}

/** The hostname of a `Host` header value (`[::1]:8080` → `::1`, `example:80` → `example`). */
function hostnameOf(header: string): string {
  const h = header.trim();
  if (h.startsWith("[")) return normalise(h.slice(0, h.indexOf("]") + 1));
  const colon = h.indexOf(":");
  return normalise(colon >= 0 ? h.slice(0, colon) : h);
}

export function createHostPolicy(o: HostPolicyOptions): HostPolicy {
  const any = o.allowOrigins.includes("*");
  const names = new Set(LOOPBACK);
  const listen = normalise(o.listenHost);
  if (WILDCARDS.has(listen)) { for (const n of o.localNames) names.add(normalise(n)); }
  else names.add(listen);
  const origins = new Set<string>();
  for (const entry of o.allowOrigins) {
    if (entry === "*") continue;
    if (entry.includes("://")) {
      try {
        origins.add(new URL(entry).origin);
      } catch {
        throw new RangeError(
          `--allow-origin "${entry}" is not a valid origin (e.g. https://app.example:8443 or app.example)`,
        );
      }
    } else names.add(normalise(entry));
  }
  const isLoopbackV4 = (h: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
  const nameAllowed = (h: string) => names.has(h) || isLoopbackV4(h);
  return {
    originAllowed(origin) {
      if (any) return true;
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return false; // "null" (file: pages, sandboxed frames) and garbage
      }
      return origins.has(url.origin) || nameAllowed(normalise(url.hostname));
    },
    hostAllowed(host) {
      if (any || host === undefined) return true;
      const name = hostnameOf(host);
      // an exact-origin entry also admits its host name
      for (const allowed of origins) if (new URL(allowed).hostname === name) return true;
      return nameAllowed(name);
    },
  };
}

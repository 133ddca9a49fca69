/**
 * @module The guard of every test that opens LSL sockets: discovery sends multicast and broadcast
 * datagrams, so such tests run only in a network namespace holding nothing but loopback (made by
 * `bash test/netns.sh CMD…`, which `npm test` uses), with multicast routed to `lo`.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import process from "node:process";

/** Why this process may not open LSL sockets, or null when it is in a loopback-only namespace. */
export function notLoopbackOnly(): string | null {
  const names = Object.keys(networkInterfaces());
  const others = names.filter((n) => n !== "lo");
  if (others.length > 0) {
    return `this network namespace has interfaces besides lo (${others.join(", ")})`;
  }
  // /proc/net/route: destination and mask in little-endian hex; 224.0.0.0/4 is 000000E0 / 000000F0
  let routes = "";
  try {
    routes = readFileSync("/proc/net/route", "utf8");
  } catch {
    // Deno reads /proc only with --allow-all; test/netns.sh sets MW75_NETNS=1 once it has added the
    // route, and the interfaces above are only lo, so its word stands in for the route check there
    if (process.env["MW75_NETNS"] === "1") return null;
    return "cannot read /proc/net/route to check that multicast is routed to lo";
  }
  const multicast = routes.split("\n").some((line) => {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    return iface === "lo" && dest === "000000E0" && mask === "000000F0";
  });
  if (!multicast) return "224.0.0.0/4 is not routed to lo (ip route add 224.0.0.0/4 dev lo)";
  return null;
}

/** Throws, before any socket opens, unless the process is in a loopback-only namespace. */
export function requireLoopbackOnly(): void {
  const why = notLoopbackOnly();
  if (why !== null) {
    throw new Error(
      `refusing to open LSL sockets: ${why}. Run the test inside the loopback-only namespace, ` +
        `as root: bash test/netns.sh <command>`,
    );
  }
}

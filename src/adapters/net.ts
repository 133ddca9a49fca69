/** @module This machine's names for the Host/Origin checks: interface addresses and the host name (node:os works in Bun, Deno and Node). */
import { hostname, networkInterfaces } from "node:os";

/** Every local interface address and the machine's name (lower case); empty if the runtime refuses. */
export function localNames(): string[] {
  try {
    const names = [hostname()];
    for (const list of Object.values(networkInterfaces())) {
      for (const item of list ?? []) names.push(item.address);
    }
    return names.map((n) => n.toLowerCase());
  } catch {
    return []; // e.g. Deno without --allow-sys: only the loopback names and --allow-origin then
  }
}

/** @module Binds an outlet's service (UDP) and data (TCP) sockets to the first free port of 16572…16603, as liblsl does (§1). */
import dgram from "node:dgram";
import net from "node:net";
import { BASE_PORT, PORT_RANGE } from "../wire/constants.ts";

function tryBindUdp(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: "udp4" });
    const failed = (): void => {
      try {
        socket.close();
      } catch {
        // a socket whose bind failed may count as not running; nothing is left to close then
      }
      resolve(null);
    };
    socket.once("error", failed);
    socket.bind(port, "0.0.0.0", () => {
      socket.off("error", failed);
      resolve(socket);
    });
  });
}

function tryListenTcp(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    const failed = (): void => {
      server.close(() => {});
      resolve(null);
    };
    server.once("error", failed);
    server.listen({ port, host: "0.0.0.0", backlog: 10, exclusive: true }, () => {
      server.off("error", failed);
      resolve(server);
    });
  });
}

async function firstFree<T>(
  attempt: (port: number) => Promise<T | null>,
  what: string,
): Promise<T> {
  for (let port = BASE_PORT; port < BASE_PORT + PORT_RANGE; port++) {
    const bound = await attempt(port);
    if (bound !== null) return bound;
  }
  // liblsl's AllowRandomPorts: any port the system gives
  const bound = await attempt(0);
  if (bound === null) throw new Error(`LSL: no port for the ${what} socket`);
  return bound;
}

/** A UDP socket on the first free port from 16572 (else a random one). */
export function bindServiceSocket(): Promise<dgram.Socket> {
  return firstFree(tryBindUdp, "service (UDP)");
}

/** A listening TCP server on the first free port from 16572 (else a random one), chosen apart from the UDP one. */
export function listenDataServer(): Promise<net.Server> {
  return firstFree(tryListenTcp, "data (TCP)");
}

/** The port a bound socket or listening server holds. */
export function portOf(bound: dgram.Socket | net.Server): number {
  const address = bound.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

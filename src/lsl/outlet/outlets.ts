/** @module The LSL outlets of one process: one discovery responder (16571) answering for all of them, and their figures. */
import { isPortUnreachable } from "../port-unreachable.ts";
import dgram from "node:dgram";
import { networkInterfaces } from "node:os";
import type { Clock } from "../../core/clock.ts";
import type { DirectWriteOf } from "../../ports/direct-write.ts";
import type { Logger } from "../../ports/logger.ts";
import type { LslTime } from "../clock.ts";
import { DISCOVERY_PORT, type Scope, scopeGroups } from "../wire/constants.ts";
import { Discovery, type DiscoveryFigures } from "./discovery.ts";
import { OnceLog } from "./once-log.ts";
import {
  Outlet,
  type OutletContext,
  type OutletDescription,
  type OutletFigures,
} from "./outlet.ts";
import type { SessionFigures } from "./session.ts";

export { Outlet, type OutletDescription, type OutletFigures } from "./outlet.ts";

export interface LslOutletsOptions {
  readonly scope: Scope;
  readonly sessionId: string;
  readonly hostname: string;
  readonly time: LslTime;
  readonly clock: Clock;
  readonly log: Logger;
  /** Seconds of samples a consumer may fall behind before it loses the oldest (default 30; at least 10, §10). */
  readonly queueSeconds?: number;
  /** The runtime's cheaper write for stream feeds (src/adapters/runtime/direct-write.ts); none: `socket.write`. */
  readonly directWrite?: DirectWriteOf | null;
}

export interface LslOutletsFigures {
  readonly discovery: Readonly<DiscoveryFigures>;
  readonly sessions: Readonly<SessionFigures>;
  readonly outlets: OutletFigures[];
}

function bindResponder(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
    const failed = (e: Error) => {
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      reject(e);
    };
    socket.once("error", failed);
    socket.bind(DISCOVERY_PORT, "0.0.0.0", () => {
      // removed by name: left behind, the first later error (Bun reports ECONNREFUSED) would close it
      socket.off("error", failed);
      resolve(socket);
    });
  });
}

/** Joins `group` on every IPv4 interface (as liblsl does), else on the one the route picks. */
function join(socket: dgram.Socket, group: string, log: OnceLog): void {
  let joined = 0;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family !== "IPv4") continue;
      try {
        socket.addMembership(group, a.address);
        joined++;
      } catch {
        // an interface without multicast; the others still count
      }
    }
  }
  if (joined > 0) return;
  try {
    socket.addMembership(group);
  } catch (e) {
    log.once(`join:${group}`, "WARNING", `LSL: could not join ${group}: ${(e as Error).message}`);
  }
}

/**
 * One responder for every outlet, not one per outlet as in liblsl: a unicast to 127.0.0.1:16571 reaches
 * only one socket per port (§1), so per-outlet responders would hide all but one stream from it.
 */
export class LslOutlets {
  private readonly open_ = new Set<Outlet>();
  private readonly ctx: OutletContext;
  private readonly discovery: Discovery;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly responder: dgram.Socket,
    o: LslOutletsOptions,
    log: OnceLog,
  ) {
    this.discovery = new Discovery(log);
    this.ctx = {
      sessionId: o.sessionId,
      hostname: o.hostname,
      time: o.time,
      clock: o.clock,
      log,
      queueSeconds: Math.max(10, o.queueSeconds ?? 30),
      discovery: this.discovery,
      sessions: { sessions: 0, refused: 0, oversize: 0, timed_out: 0, malformed: 0 },
      forget: (outlet) => this.open_.delete(outlet),
      directWrite: o.directWrite ?? null,
    };
    responder.on("error", (e) => {
      if (isPortUnreachable(e)) return; // an inlet that resolved and left: normal
      log.once(`responder:${e.message}`, "WARNING", `LSL: discovery responder: ${e.message}`);
    });
    // the responder answers shortinfo queries only; time probes go to service ports (§7)
    responder.on(
      "message",
      (msg, rinfo) => this.discovery.handle(responder, msg, rinfo, this.open_, null),
    );
  }

  /** Opens the discovery responder (UDP 0.0.0.0:16571, shared) and joins the scope's multicast groups. */
  static async start(o: LslOutletsOptions): Promise<LslOutlets> {
    const log = new OnceLog(o.log);
    const responder = await bindResponder();
    for (const group of scopeGroups(o.scope)) join(responder, group, log);
    return new LslOutlets(responder, o, log);
  }

  /** A new outlet (new uid, its own ports), discoverable as soon as this resolves. */
  async open(d: OutletDescription): Promise<Outlet> {
    if (this.closing) throw new Error("LSL outlets are closed");
    const outlet = await Outlet.open(d, this.ctx);
    if (this.closing) {
      await outlet.close();
      throw new Error("LSL outlets are closed");
    }
    this.open_.add(outlet);
    return outlet;
  }

  figures(): LslOutletsFigures {
    return {
      discovery: { ...this.discovery.figures },
      sessions: { ...this.ctx.sessions },
      outlets: [...this.open_].map((o) => o.figures()),
    };
  }

  /** The uids of the open outlets (the marker inlet skips its own bridge's streams by them). */
  uids(): ReadonlySet<string> {
    return new Set([...this.open_].map((o) => o.info.uid));
  }

  /** Closes every outlet and the responder; resolves when every socket is closed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.open_].map((o) => o.close()));
      await new Promise<void>((resolve) => {
        try {
          this.responder.close(() => resolve());
        } catch {
          resolve();
        }
      });
    })();
    return this.closing;
  }
}

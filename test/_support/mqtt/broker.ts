/**
 * @module A real mosquitto for the MQTT tests: a config file written per test (a free 127.0.0.1 port,
 * anonymous or with a password file, optionally persistent so a restart keeps sessions), started
 * as /usr/sbin/mosquitto, stopped by PID, restartable on the same port.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect as tcpConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MOSQUITTO = "/usr/sbin/mosquitto";

/** How the broker is configured. */
export interface BrokerOptions {
  /** `{user: password}`: a password file made with mosquitto_passwd, anonymous clients refused. */
  users?: Record<string, string>;
  /** Keep sessions, subscriptions and queued messages (QoS 0 too) across a restart. */
  persistent?: boolean;
}

/** A broker; `stop()`/`start()` restart it on the same port. */
export interface Broker {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** The mosquitto process id while it runs (the benchmark reads its CPU). */
  readonly pid: number | null;
  start(): Promise<void>;
  /** SIGTERM by PID (mosquitto then saves its persistence file), bounded; SIGKILL after 3 s. */
  stop(): Promise<void>;
  /** SIGKILL by PID (frozen or not: a crash saves nothing), resolved once it exited. */
  kill(): Promise<void>;
  /**
   * A persistent broker writes its sessions and subscriptions to disk now (SIGUSR1), resolved once
   * the file is there, so a broker killed later restarts with them.
   */
  save(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
  log(): string;
}

/** A port that was free a moment ago (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Writes the config and starts mosquitto; resolves once it accepts TCP connections (bounded). */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-mosquitto-"));
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    `log_dest stderr`,
    `log_type error`,
    `log_type warning`,
    `log_type notice`,
  ];
  // as root mosquitto would switch to its own user, which cannot read this test's files
  if (process.getuid?.() === 0) lines.push("user root");
  if (options.users) {
    const file = join(dir, "passwords");
    for (const [user, password] of Object.entries(options.users)) {
      const r = spawnSync("mosquitto_passwd", [
        "-b",
        ...(existsSync(file) ? [] : ["-c"]),
        file,
        user,
        password,
      ], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    lines.push("allow_anonymous false", `password_file ${file}`);
  } else {
    lines.push("allow_anonymous true");
  }
  if (options.persistent) {
    lines.push(
      "persistence true",
      `persistence_location ${dir}/`,
      "queue_qos0_messages true",
      "max_queued_messages 0",
      "max_queued_bytes 0",
    );
  }
  const config = join(dir, "mosquitto.conf");
  writeFileSync(config, `${lines.join("\n")}\n`);
  let child: ChildProcess | null = null;
  let log = "";
  const broker: Broker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get pid() {
      return broker.running ? (child?.pid ?? null) : null;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      const c = (child = spawn(MOSQUITTO, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] }));
      c.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      await untilListening(port, () => c.exitCode !== null, () => log);
    },
    async stop() {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      process.kill(c.pid, "SIGTERM");
      const forced = setTimeout(
        () => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, "SIGKILL"),
        3000,
      );
      await exited;
      clearTimeout(forced);
    },
    async kill() {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      process.kill(c.pid, "SIGKILL");
      await exited;
    },
    async save() {
      if (!options.persistent) {
        throw new Error("save() needs a broker started with persistent: true");
      }
      const file = join(dir, "mosquitto.db");
      const before = existsSync(file) ? statSync(file).mtimeMs : -1;
      process.kill(broker.pid!, "SIGUSR1");
      // mosquitto writes the file within a few ms; 3 s is far beyond that even on a loaded machine
      const deadline = Date.now() + 3000;
      while (!existsSync(file) || statSync(file).mtimeMs === before) {
        if (Date.now() > deadline) {
          throw new Error(`mosquitto did not write ${file} within 3 s after SIGUSR1:\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async dispose() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => log,
  };
  await broker.start();
  return broker;
}

async function untilListening(port: number, died: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`mosquitto exited at start:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`mosquitto did not listen on ${port} within 5 s:\n${log()}`);
}

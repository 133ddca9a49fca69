/** @module The option table's server, access and recording flags of `serve`. */
import { duration, formatList, int, nonEmpty, tokenValue } from "./option-values.ts";
import type { ServeOption } from "./options.ts";

export const SERVER_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--host",
    value: "HOST",
    default: "127.0.0.1",
    help: "interface to bind",
    set: (c, v, name) => void (c.host = nonEmpty(name, v)),
  },
  {
    flag: "--port",
    value: "N",
    default: "8080",
    help: "TCP port (0 = any free port, printed in the banner)",
    set: (c, v, name) => void (c.port = int(name, 0, 65535)(v)),
  },
  {
    flag: "--max-clients",
    value: "N",
    default: "1",
    help: "1 = single-client policy; N > 1 = controller/observers",
    set: (c, v, name) => void (c.maxClients = int(name, 1, 10_000)(v)),
  },
  {
    flag: "--heartbeat-ms",
    value: "N",
    default: "30000",
    help: "heartbeat period",
    set: (c, v, name) => void (c.heartbeatMs = int(name, 10)(v)),
  },
  {
    flag: "--reconnect-base-ms",
    value: "N",
    default: "1000",
    help: "auto-reconnect base delay (1, 2, 4, … 30 s)",
    set: (c, v, name) => void (c.reconnectBaseMs = int(name, 1)(v)),
  },
  {
    flag: "--no-data-timeout-ms",
    value: "N",
    default: "1500",
    help: "a silent link counts as dropped after N ms",
    set: (c, v, name) => void (c.noDataTimeoutMs = int(name, 50)(v)),
  },
  {
    flag: "--client-buffer-bytes",
    value: "N",
    default: "262144",
    help: "per-client socket backlog before eeg_data is shed",
    set: (c, v, name) => void (c.clientBufferBytes = int(name, 1024)(v)),
  },
  {
    flag: "--max-message-bytes",
    value: "N",
    default: "65536",
    help: "a larger inbound WebSocket message closes the socket with 1009",
    set: (c, v, name) => void (c.maxMessageBytes = int(name, 1024, 64 * 1024 * 1024)(v)),
  },
  {
    flag: "--verbose",
    short: "v",
    help: "print DEBUG logs on stderr",
    set: (c) => void (c.verbose = true),
  },
  { flag: "--help", short: "h", help: "this text", set: (c) => void (c.help = true) },
];

export const ACCESS_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--rate-limit",
    value: "N",
    default: "100",
    help: "inbound messages per second per client, bursts of 2N",
    set: (c, v, name) => void (c.access.rateLimit = int(name, 1, 100_000)(v)),
  },
  {
    flag: "--allow-origin",
    value: "ORIGIN",
    help: "also accept browser pages from ORIGIN (repeatable; * = any)",
    set: (c, v, name) => void c.access.allowOrigins.push(nonEmpty(name, v)),
  },
  {
    flag: "--token",
    value: "TOKEN",
    env: "MW75_TOKEN",
    help: "require this control token; anonymous clients are read-only",
    set: (c, v, name) => void (c.access.token = tokenValue(name, v)),
  },
  {
    flag: "--auth",
    value: "FILE",
    help: 'tokens with roles: {"tokens":[{"token":"…","role":"control"|"observe","name":"…"}]}\n' +
      'and/or users: {"users":[{"username":"…","password_hash":"scrypt$…","role":"…"}]}',
    set: (c, v, name) => void (c.access.authFile = nonEmpty(name, v)),
  },
  {
    flag: "--session-ttl",
    value: "DURATION",
    default: "12h",
    help: "how long a POST /login session token lasts (seconds, or 30m, 12h, 7d)",
    set: (c, v, name) => void (c.access.sessionTtlS = duration(name, 1, 30 * 86_400)(v)),
  },
  {
    flag: "--login-rate",
    value: "N",
    default: "10",
    help: "failed password logins per minute per client address, bursts of N/2",
    set: (c, v, name) => void (c.access.loginRate = int(name, 1, 100_000)(v)),
  },
  {
    flag: "--no-auth",
    help: "allow a non-loopback --host without tokens (deliberately open)",
    set: (c) => void (c.access.noAuth = true),
  },
  {
    flag: "--tls-cert",
    value: "FILE",
    help: "serve https/wss with this certificate (with --tls-key)",
    set: (c, v, name) => void (c.access.tlsCert = nonEmpty(name, v)),
  },
  {
    flag: "--tls-key",
    value: "FILE",
    help: "the private key of --tls-cert",
    set: (c, v, name) => void (c.access.tlsKey = nonEmpty(name, v)),
  },
];

export const RECORDING_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--recordings-dir",
    value: "DIR",
    default: "./recordings",
    help: "where recordings are written",
    set: (c, v, name) => void (c.recordingsDir = nonEmpty(name, v)),
  },
  {
    flag: "--record",
    value: "FORMATS",
    help: "record from the first connection on, e.g. bdf,csv (bdf, edf, csv, raw)",
    set: (c, v, name) => void (c.record = formatList(name, v)),
  },
];

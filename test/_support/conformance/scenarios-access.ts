/** @module Conformance scenarios of docs/protocol/bridge-api.md §5: origins, hosts, tokens and roles, frame and rate limits, half-open connections, TLS. */
import type { Scenario } from "./scenario.ts";
import {
  authOffUnchanged,
  hostRebinding,
  nonLoopbackRefusal,
  originChecks,
} from "./access-cases.ts";
import { halfOpenConnections, oversizedFrame, rateLimitFlood } from "./limits-cases.ts";
import { tlsServes } from "./tls-cases.ts";
import { controlThreeWays, wrongTokens } from "./token-auth-cases.ts";
import { anonymousReadOnly, observeRole } from "./token-cases.ts";

export const ACCESS: Scenario[] = [
  [
    "a foreign Origin gets 403 before the upgrade and changes nothing; loopback, --allow-origin and no Origin are admitted",
    originChecks,
    30_000,
  ],
  [
    "a foreign Host gets 403 on /health, / and /ws (DNS rebinding); loopback names and --allow-origin hosts are served",
    hostRebinding,
    30_000,
  ],
  [
    "--token: anonymous clients stream but get PERMISSION_DENIED naming the command for control commands",
    anonymousReadOnly,
    30_000,
  ],
  [
    "--auth observe token: broadcast acknowledged, marker past the gate, control commands denied; auth_result role",
    observeRole,
    30_000,
  ],
  [
    "a control token by Authorization header, by echoed subprotocol (browser WebSocket too) and by auth message may connect",
    controlThreeWays,
    30_000,
  ],
  [
    "a wrong token any way: AUTH_FAILED then 1008; a silent mw75.auth client closed 1008 after 10 s; tokens never in /health or logs",
    wrongTokens,
    40_000,
  ],
  [
    "--host 0.0.0.0 without a token exits 2 naming --token and --no-auth; --no-auth and MW75_TOKEN start",
    nonLoopbackRefusal,
    40_000,
  ],
  [
    "a 1 MiB frame closes its sender with 1009 while another client's seq has no gap; --max-message-bytes moves the limit",
    oversizedFrame,
    30_000,
  ],
  [
    "a 5,000 msg/s flood: about one RATE_LIMITED a second, closed 1008 after 5 s; others keep 500 Hz and /health answers",
    rateLimitFlood,
    40_000,
  ],
  [
    "200 half-open TCP connections do not keep a new client from connecting and streaming",
    halfOpenConnections,
    30_000,
  ],
  [
    "auth off: a page on http://localhost:PORT connects and controls the device as in the base protocol",
    authOffUnchanged,
    30_000,
  ],
  [
    "--tls-cert/--tls-key: https and wss with the CA trusted; untrusted and plain clients refused, server unharmed",
    tlsServes,
    60_000,
  ],
];

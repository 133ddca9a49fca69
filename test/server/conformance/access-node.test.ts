/** @module Conformance: docs/protocol/bridge-api.md §5: origins, hosts, tokens and roles, frame and rate limits, half-open connections, TLS; against `serve` under Node. */
import { ACCESS } from "../../_support/conformance/scenarios-access.ts";
import { conformanceSuite } from "../../_support/conformance/scenario.ts";

conformanceSuite(ACCESS, "node");

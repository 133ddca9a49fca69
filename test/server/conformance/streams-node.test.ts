/** @module Conformance: docs/protocol/bridge-api.md §1–§3: subscriptions, eeg_batch JSON and binary, decimation, gaps, diagnostics, events, resume, settings; against `serve` under Node. */
import { STREAMS } from "../../_support/conformance/scenarios-streams.ts";
import { conformanceSuite } from "../../_support/conformance/scenario.ts";

conformanceSuite(STREAMS, "node");

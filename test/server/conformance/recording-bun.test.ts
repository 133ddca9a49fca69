/** @module Conformance: docs/protocol/bridge-api.md §4: recordings and markers, read back by MNE, across link losses, crashes and a full disk; against `serve` under Bun. */
import { RECORDING } from "../../_support/conformance/scenarios-recording.ts";
import { conformanceSuite } from "../../_support/conformance/scenario.ts";

conformanceSuite(RECORDING, "bun");

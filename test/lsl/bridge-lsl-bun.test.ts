/** @module The bridge's LSL outlets and markers end to end under Bun (the suites are in test/_support), inside the loopback-only namespace. */
import { lslOutletSuite } from "../_support/lsl-bridge-suite.ts";
import { lslMarkerSuite } from "../_support/lsl-markers-suite.ts";

lslOutletSuite("bun");
lslMarkerSuite("bun");

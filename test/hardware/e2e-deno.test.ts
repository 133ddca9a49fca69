/** @module End to end with emulated BlueZ and a pty: `serve --source mw75` under Deno; the suite is in test/_support/hardware-e2e-suite.ts. */
import { hardwareE2eSuite } from "../_support/hardware-e2e-suite.ts";

hardwareE2eSuite("deno");

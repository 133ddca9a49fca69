/** @module Child-process helper: reads a tty with the opener of the runtime it runs under and prints what it got. */
import { runtimeOpenTty } from "./runtime-tty.ts";

const openTty = await runtimeOpenTty();

const path = process.argv[process.argv.length - 1]!;
const report = (r: Record<string, unknown>) =>
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
try {
  const handle = await openTty(path);
  process.stdout.write("OPEN\n");
  const reader = handle.readable.getReader();
  const bytes: number[] = [];
  let last = Date.now();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      bytes.push(...next.value);
      last = Date.now();
      // progress for the parent, which waits on it instead of guessing how long reading takes
      process.stdout.write(`READ ${bytes.length}\n`);
    }
    report({ opened: true, bytes, outcome: "end", endedAt: Date.now() - last });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    report({
      opened: true,
      bytes,
      outcome: "error",
      code: e.code,
      message: e.message,
      endedAt: Date.now() - last,
    });
  }
} catch (error) {
  const e = error as { code?: string; message?: string };
  report({
    opened: false,
    bytes: [],
    outcome: "open-failed",
    code: e.code,
    message: e.message,
    endedAt: 0,
  });
}
process.exit(0);

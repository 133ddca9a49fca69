/** @module The benchmarks' command-line flags: `--name value` pairs read from process.argv. */

/** A reader of `--name value` from the command line, with the fallback when absent. */
export function flagReader(args: readonly string[] = process.argv.slice(2)) {
  return (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
}

/** @module An in-memory RecordingStore for the recorder's unit tests: files are byte arrays, nothing touches a disk. */
import type {
  DownloadFile,
  RecordingFile,
  RecordingStore,
  StoredFile,
} from "../../src/ports/recording-store.ts";

/** The store and its files by name (what the recorder wrote, patches applied). */
export function memoryStore(): RecordingStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const write = (name: string, offset: number, bytes: Uint8Array): void => {
    const old = files.get(name) ?? new Uint8Array(0);
    const out = new Uint8Array(Math.max(old.length, offset + bytes.length));
    out.set(old);
    out.set(bytes, offset);
    files.set(name, out);
  };
  const handle = (name: string): RecordingFile => ({
    name,
    get bytes() {
      return files.get(name)?.length ?? 0;
    },
    append: (bytes) => Promise.resolve(write(name, files.get(name)!.length, bytes)),
    writeAt: (offset, bytes) => Promise.resolve(write(name, offset, bytes)),
    sync: () => Promise.resolve(),
    truncate: (length) => Promise.resolve(void files.set(name, files.get(name)!.slice(0, length))),
    close: () => Promise.resolve(),
  });
  const missing = (name: string) => Promise.reject(new Error(`${name}: not in the memory store`));
  return {
    files,
    dir: "memory",
    ensureDir: () => Promise.resolve(),
    create(name) {
      if (files.has(name)) return Promise.reject(new Error(`${name}: EEXIST`));
      files.set(name, new Uint8Array(0));
      return Promise.resolve(handle(name));
    },
    open: (name) => (files.has(name) ? Promise.resolve(handle(name)) : missing(name)),
    list: () =>
      Promise.resolve(
        [...files].map(([name, b]): StoredFile => ({ name, bytes: b.length, modifiedMs: 0 })),
      ),
    read: (name) => (files.has(name) ? Promise.resolve(files.get(name)!) : missing(name)),
    readText: (name) =>
      files.has(name) ? Promise.resolve(new TextDecoder().decode(files.get(name))) : missing(name),
    openDownload: (name): Promise<DownloadFile> => missing(name),
    writeJson: (name, value) =>
      Promise.resolve(void files.set(name, new TextEncoder().encode(JSON.stringify(value)))),
    remove: (name) => Promise.resolve(void files.delete(name)),
    probeWritable: () => Promise.resolve(),
  };
}

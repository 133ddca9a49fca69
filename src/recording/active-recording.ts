/**
 * @module One recording of a device from its start to its end: its recorder and facts, its
 * metadata file rewritten in order, and the end of its files (a recording without a sample keeps
 * none). Its Recording (types.ts) is what the wire object and the metadata are built from.
 */
import type { Logger } from "../ports/logger.ts";
import { removeFiles, writeMetadataFile } from "./disk.ts";
import { metadataOf } from "./metadata-file.ts";
import type { Recorder } from "./recorder.ts";
import { recordingObject } from "./recording-object.ts";
import type { RecordingObject } from "./recording-object.ts";
import { errorText } from "./recording-start.ts";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { Recording, RecordingFacts, RecordingFigures } from "./types.ts";

export const DISCARDED = "no sample was recorded before the stop: its empty files were removed";

export class ActiveRecording {
  readonly recorder: Recorder;
  readonly facts: RecordingFacts;
  /** Set once its end began (by a stop, a shutdown or by itself), so it ends once. */
  ending: Promise<RecordingObject> | null = null;
  #store: RecordingStore;
  #log: Logger;
  /** Set when it ended without a sample and its empty files were removed: why. */
  #discarded: string | null = null;
  /** Metadata writes, one after another: the start's write never lands after the first sample's. */
  #metadata: Promise<void> = Promise.resolve();

  constructor(recorder: Recorder, facts: RecordingFacts, store: RecordingStore, log: Logger) {
    this.recorder = recorder;
    this.facts = facts;
    this.#store = store;
    this.#log = log;
  }

  get discarded(): boolean {
    return this.#discarded !== null;
  }

  /** What it is and holds now. */
  recording(): Recording {
    return { facts: this.facts, figures: this.recorder.figures(), discarded: this.#discarded };
  }

  /** Its wire object now. */
  object(): RecordingObject {
    return recordingObject(this.recording());
  }

  /** Rewrites the metadata file with the figures of this moment, after the writes before it. */
  writeMetadata(): Promise<void> {
    this.#metadata = this.#metadata.then(() => this.#writeMetadataNow());
    return this.#metadata;
  }

  /**
   * Stops the recorder (its last data record completed or padded) and closes the files; a
   * recording that never got a sample has its files removed: headers without a sample are not
   * files a reader accepts (a 0-byte BDF). Resolves with its figures; never throws.
   */
  async finishFiles(): Promise<RecordingFigures> {
    const name = this.facts.sessionName;
    await this.recorder.stop().catch((e: unknown) =>
      this.#log.log("ERROR", `Recording ${name}: the files could not be finished: ${errorText(e)}`)
    );
    const figures = this.recorder.figures();
    if (figures.firstSeq !== null) return figures;
    const left = await removeFiles(this.#store, [
      ...figures.files.map((f) => f.name),
      `${name}.json`,
    ]);
    if (left.length === 0) this.#discarded = DISCARDED;
    else {
      this.#log.log(
        "ERROR",
        `Recording ${name} holds no sample, but its files could not be removed: ${left.join("; ")}`,
      );
    }
    return figures;
  }

  /** Writes the figures of this moment; a failure is logged, never thrown. */
  async #writeMetadataNow(): Promise<void> {
    const name = this.facts.sessionName;
    try {
      const info = this.recorder.info(this.facts.requestedAtMs);
      await writeMetadataFile(this.#store, `${name}.json`, metadataOf(this.recording(), info));
    } catch (e) {
      this.#log.log("ERROR", `Cannot write the metadata of ${name}: ${errorText(e)}`);
    }
  }
}

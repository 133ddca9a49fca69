/**
 * @module A full garbage collection whenever the resident set has grown by a fixed step since
 * the last one: Bun's collector lets short-lived blocks reach the old generation under a steady
 * allocation rate and collects it only when the heap has about doubled (200 headsets: 570 MB
 * before the first full collection, 285 MB after it). Runtime-neutral; the Bun adapter runs it.
 */

/** What the pacer reads and does; `collect` runs a full, synchronous collection. */
export interface CollectionPacerPorts {
  readonly residentBytes: () => number;
  readonly collect: () => void;
  /** Growth over the lowest resident size seen since the last collection that triggers one. */
  readonly stepBytes: number;
}

/**
 * Returns the check to call on a timer: it collects when the resident size is `stepBytes` above
 * the lowest one seen since the last collection (the runtime's own collections lower that floor),
 * and returns whether it did.
 */
export function createCollectionPacer(ports: CollectionPacerPorts): () => boolean {
  let floor = ports.residentBytes();
  return () => {
    const resident = ports.residentBytes();
    if (resident < floor) floor = resident;
    if (resident - floor < ports.stepBytes) return false;
    ports.collect();
    floor = ports.residentBytes();
    return true;
  };
}
